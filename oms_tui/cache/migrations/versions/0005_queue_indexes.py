"""indexes for the work queues: their order, stage counts, cancelled orders, shipped today

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_orders_queue_order", "orders", ["priority", "created_at", "id"]),
    ("ix_fulfillment_orders_stage", "fulfillment_orders", ["status", "location_id", "order_id", "id"]),
    ("ix_fulfillment_orders_of_order", "fulfillment_orders", ["order_id", "status", "location_id", "id"]),
    ("ix_fulfillments_shipped", "fulfillments", ["created_at", "order_id"]),
]


CANCELLED = sa.text("cancelled_at IS NOT NULL")


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    # Only the cancelled orders (few): the queues leave them out.
    op.create_index(
        "ix_orders_cancelled", "orders", ["id"], sqlite_where=CANCELLED, postgresql_where=CANCELLED
    )


def downgrade() -> None:
    op.drop_index("ix_orders_cancelled", table_name="orders")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
