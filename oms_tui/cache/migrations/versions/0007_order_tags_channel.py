"""order tags as rows (the queues' tag filter by index), each order's channel and shipping method

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from oms_tui.cache.order_tags import rebuild_order_tags

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_tags",
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_tags_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "tag", name=op.f("pk_order_tags")),
    )
    op.create_index("ix_order_tags_tag", "order_tags", ["tag", "order_id"], unique=False)
    op.add_column("orders", sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("orders", sa.Column("shipping_method", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_index(
        "ix_orders_channel_queue", "orders", ["channel", "priority", "created_at", "id"], unique=False
    )
    # An existing cache: every order's tags become filterable now, not at the order's next change.
    rebuild_order_tags(op.get_bind())
    # Channels and shipping methods are only at the store, and most orders never change again: the
    # next sync reads the order history afresh (the same versions with new columns count as updates).
    op.execute(sa.text("UPDATE sync_state SET watermark = NULL, cursor = NULL WHERE stream = 'orders'"))


def downgrade() -> None:
    op.drop_index("ix_orders_channel_queue", table_name="orders")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("shipping_method")
        batch_op.drop_column("channel")
    op.drop_index("ix_order_tags_tag", table_name="order_tags")
    op.drop_table("order_tags")
