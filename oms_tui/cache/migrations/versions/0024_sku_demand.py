"""open work's demand per SKU and location, in queue order, kept by triggers (short-stock allocation)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from oms_tui.cache.sku_demand import create_demand_triggers, drop_demand_triggers
from oms_tui.cache.types import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sku_demand",
        sa.Column("fulfillment_order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("ship_by", UTCDateTime(), nullable=True),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("fulfillment_order_id", "sku", name=op.f("pk_sku_demand")),
    )
    op.create_index(op.f("ix_sku_demand_order_id"), "sku_demand", ["order_id"], unique=False)
    op.create_index(
        "ix_sku_demand_queue",
        "sku_demand",
        [
            "sku",
            "location_id",
            "priority",
            "ship_by",
            "order_id",
            "fulfillment_order_id",
            "needed",
        ],
        unique=False,
    )
    # An existing cache: the rows for the work open now, then kept by every write.
    create_demand_triggers(op.get_bind())


def downgrade() -> None:
    drop_demand_triggers(op.get_bind())
    op.drop_index("ix_sku_demand_queue", table_name="sku_demand")
    op.drop_index(op.f("ix_sku_demand_order_id"), table_name="sku_demand")
    op.drop_table("sku_demand")
