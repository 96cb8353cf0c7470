"""stock on the floor: every inventory item, every quantity name per location, our bins' stock, and
cycle counts

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_QUANTITIES = ("incoming", "damaged", "reserved", "quality_control", "safety_stock")


def upgrade() -> None:
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        for name in NEW_QUANTITIES:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    # The default fills existing rows only: the model gives every new row its value.
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        for name in NEW_QUANTITIES:
            batch_op.alter_column(name, server_default=None)
    # Levels read before held three names only: the whole stream is read again.
    op.execute("DELETE FROM sync_state WHERE stream = 'inventory'")

    op.create_table(
        "inventory_items",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tracked", sa.Boolean(), nullable=False),
        sa.Column("updated_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_items")),
    )
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_items_sku"), ["sku"], unique=False)
        batch_op.create_index(batch_op.f("ix_inventory_items_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "bin_stock",
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=True),
        sa.Column("counted_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("location_id", "code", "sku", name=op.f("pk_bin_stock")),
    )
    with op.batch_alter_table("bin_stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bin_stock_sku"), ["sku"], unique=False)
        batch_op.create_index(batch_op.f("ix_bin_stock_counted_at"), ["counted_at"], unique=False)

    op.create_table(
        "stock_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("staff_code", sa.String(), nullable=False),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_code"], ["staff.code"], name=op.f("fk_stock_counts_staff_code_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_counts")),
    )
    op.create_table(
        "stock_count_lines",
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inventory_item_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("base_on_hand", sa.Integer(), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=True),
        sa.Column("first_count", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("counted_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_counts.id"],
            name=op.f("fk_stock_count_lines_count_id_stock_counts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("count_id", "code", "sku", name=op.f("pk_stock_count_lines")),
    )
    with op.batch_alter_table("stock_count_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_count_lines_sku"), ["sku"], unique=False)


def downgrade() -> None:
    op.drop_table("stock_count_lines")
    op.drop_table("stock_counts")
    with op.batch_alter_table("bin_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bin_stock_counted_at"))
        batch_op.drop_index(batch_op.f("ix_bin_stock_sku"))
    op.drop_table("bin_stock")
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_items_updated_at"))
        batch_op.drop_index(batch_op.f("ix_inventory_items_sku"))
    op.drop_table("inventory_items")
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        for name in reversed(NEW_QUANTITIES):
            batch_op.drop_column(name)
