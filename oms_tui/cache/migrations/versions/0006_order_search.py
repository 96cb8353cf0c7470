"""order search: one document per order, with a trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from oms_tui.cache.order_search import create_search_index, drop_search_index, rebuild_order_search

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_search",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_search_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_search")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_search_order_id")),
    )
    connection = op.get_bind()
    create_search_index(connection)
    # An existing cache: every order it holds becomes searchable now, not at its next change.
    rebuild_order_search(connection)


def downgrade() -> None:
    drop_search_index(op.get_bind())
    op.drop_table("order_search")
