"""ship-by times: orders keep when they must leave (the queues sort by it), fulfillment orders the store's
deadline (fulfillBy); orders keep their total, currency and the customer's order count (for rules);
the settings' rules record each firing, and the waves they put orders in

Existing orders are due as the default SLA of 24 hours has them; `oms-tui promises refresh` recomputes
them with the station's settings (shipping methods' cut-offs, another SLA).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_INDEXES = [("ix_orders_queue_order", []), ("ix_orders_channel_queue", ["channel"])]


def _time() -> sa.types.TypeEngine[object]:
    return oms_tui.cache.types.UTCDateTime(timezone=True)  # type: ignore[return-value]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # SQLite adds a NOT NULL column only with a default; every row gets its value just below.
    op.add_column(
        "orders",
        sa.Column("ship_by", _time(), nullable=False, server_default=sa.text("'1970-01-01 00:00:00'")),
    )
    if sqlite:  # SQLAlchemy's own text format, the fraction of a second kept
        op.execute(
            "UPDATE orders SET ship_by = strftime('%Y-%m-%d %H:%M:%S', created_at, '+24 hours') "
            "|| substr(created_at, 20)"
        )
    else:
        op.execute("UPDATE orders SET ship_by = created_at + interval '24 hours'")
        op.alter_column("orders", "ship_by", server_default=None)
    op.add_column("orders", sa.Column("total", sa.Numeric(14, 2), nullable=True))
    op.add_column("orders", sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("orders", sa.Column("customer_orders", sa.Integer(), nullable=True))
    op.add_column("fulfillment_orders", sa.Column("fulfill_by", _time(), nullable=True))
    for name, leading in QUEUE_INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", [*leading, "priority", "ship_by", "id", "cancelled_at"])
    op.create_index("ix_orders_ship_by", "orders", ["ship_by"])
    op.create_table(
        "rule_firings",
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("order_version", _time(), nullable=False),
        sa.Column("fired_at", _time(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("rule", "order_id", "order_version"),
    )
    op.create_table(
        "order_waves",
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("wave", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_order_waves_wave", "order_waves", ["wave"])


def downgrade() -> None:
    op.drop_index("ix_order_waves_wave", table_name="order_waves")
    op.drop_table("order_waves")
    op.drop_table("rule_firings")
    op.drop_index("ix_orders_ship_by", table_name="orders")
    for name, leading in QUEUE_INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", [*leading, "priority", "created_at", "id", "cancelled_at"])
    op.drop_column("fulfillment_orders", "fulfill_by")
    for column in ("customer_orders", "currency", "total", "ship_by"):
        op.drop_column("orders", column)
