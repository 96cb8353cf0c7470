"""the queues' order indexes also hold cancelled_at: a queue read along them leaves cancelled orders
out without reading each order's row

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 21:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_orders_queue_order", ["priority", "created_at", "id"]),
    ("ix_orders_channel_queue", ["channel", "priority", "created_at", "id"]),
]


def upgrade() -> None:
    for name, columns in INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", [*columns, "cancelled_at"])


def downgrade() -> None:
    for name, columns in INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", columns)
