"""return receivings: counts and decisions of a return being received, kept across restarts;
one open receiving per return

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

OPEN_RECEIVING = sa.text("state = 'open'")

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "return_receivings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("staff_code", sa.String(), nullable=False),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unexpected", sa.JSON(), nullable=False),
        sa.Column("started_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_code"], ["staff.code"], name=op.f("fk_return_receivings_staff_code_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_receivings")),
    )
    with op.batch_alter_table("return_receivings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_receivings_return_id"), ["return_id"], unique=False)
        batch_op.create_index(
            "uq_return_receivings_open",
            ["return_id"],
            unique=True,
            sqlite_where=OPEN_RECEIVING,
            postgresql_where=OPEN_RECEIVING,
        )

    op.create_table(
        "return_receiving_lines",
        sa.Column("receiving_id", sa.Integer(), nullable=False),
        sa.Column("rfo_line_item_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bin_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["receiving_id"],
            ["return_receivings.id"],
            name=op.f("fk_return_receiving_lines_receiving_id_return_receivings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("receiving_id", "rfo_line_item_id", name=op.f("pk_return_receiving_lines")),
    )


def downgrade() -> None:
    op.drop_table("return_receiving_lines")
    with op.batch_alter_table("return_receivings", schema=None) as batch_op:
        batch_op.drop_index("uq_return_receivings_open")
        batch_op.drop_index(batch_op.f("ix_return_receivings_return_id"))
    op.drop_table("return_receivings")
