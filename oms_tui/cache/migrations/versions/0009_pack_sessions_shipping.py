"""pack sessions: tracking URL, notify-customer choice, partial-shipment reason; one open pack per FO

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

OPEN_PACK = sa.text("state = 'open'")

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pack_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("notify_customer", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("partial_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(
            "uq_pack_sessions_open",
            ["fulfillment_order_id"],
            unique=True,
            sqlite_where=OPEN_PACK,
            postgresql_where=OPEN_PACK,
        )


def downgrade() -> None:
    with op.batch_alter_table("pack_sessions", schema=None) as batch_op:
        batch_op.drop_index("uq_pack_sessions_open")
        batch_op.drop_column("partial_reason")
        batch_op.drop_column("notify_customer")
        batch_op.drop_column("tracking_url")
