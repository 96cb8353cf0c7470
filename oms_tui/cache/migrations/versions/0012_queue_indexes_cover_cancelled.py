"""the queues' order indexes also hold cancelled_at, so does the index of cancelled orders: a queue
read along them leaves cancelled orders out without reading each order's row

SQLite plans without statistics: given an index of every order that covers `cancelled_at`, it would
list the cancelled orders by scanning all of it, unless their own partial index covers as much.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_orders_queue_order", ["priority", "created_at", "id"]),
    ("ix_orders_channel_queue", ["channel", "priority", "created_at", "id"]),
]
CANCELLED = sa.text("cancelled_at IS NOT NULL")


def _cancelled_index(columns: list[str]) -> None:
    op.drop_index("ix_orders_cancelled", table_name="orders")
    op.create_index(
        "ix_orders_cancelled", "orders", columns, sqlite_where=CANCELLED, postgresql_where=CANCELLED
    )


def upgrade() -> None:
    for name, columns in INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", [*columns, "cancelled_at"])
    _cancelled_index(["id", "cancelled_at"])


def downgrade() -> None:
    for name, columns in INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", columns)
    _cancelled_index(["id"])
