"""inbound stock and bundles: inventory transfers' shipments to our locations and their lines (the
store's), receipts of them at the dock (ours), and on each order line the bundle it is a component of

Lines read before keep no bundle until their order changes at the store (and is read again).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 23:32:16.447312
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventory_shipments",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("transfer_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("transfer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("origin_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("destination_location_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("destination_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("tracking_company", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("tracking_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("arrives_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("synced_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_shipments")),
    )
    with op.batch_alter_table("inventory_shipments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_shipments_destination_location_id"),
            ["destination_location_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_inventory_shipments_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_inventory_shipments_transfer_id"), ["transfer_id"], unique=False)

    op.create_table(
        "inbound_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("staff_code", sa.String(), nullable=False),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("started_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_code"], ["staff.code"], name=op.f("fk_inbound_receipts_staff_code_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_receipts")),
    )
    with op.batch_alter_table("inbound_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_receipts_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index(
            "uq_inbound_receipts_open",
            ["shipment_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.create_table(
        "inventory_shipment_lines",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("shipment_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("inventory_item_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("accepted_quantity", sa.Integer(), nullable=False),
        sa.Column("rejected_quantity", sa.Integer(), nullable=False),
        sa.Column("unreceived_quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["inventory_shipments.id"],
            name=op.f("fk_inventory_shipment_lines_shipment_id_inventory_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_shipment_lines")),
    )
    with op.batch_alter_table("inventory_shipment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_shipment_lines_shipment_id"), ["shipment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inventory_shipment_lines_sku"), ["sku"], unique=False)

    op.create_table(
        "inbound_receipt_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("shipment_line_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("bin_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["inbound_receipts.id"],
            name=op.f("fk_inbound_receipt_lines_receipt_id_inbound_receipts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_receipt_lines")),
    )
    with op.batch_alter_table("inbound_receipt_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_receipt_lines_receipt_id"), ["receipt_id"], unique=False)

    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bundle_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("bundle_title", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("bundle_quantity", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.drop_column("bundle_quantity")
        batch_op.drop_column("bundle_title")
        batch_op.drop_column("bundle_id")

    with op.batch_alter_table("inbound_receipt_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_receipt_lines_receipt_id"))

    op.drop_table("inbound_receipt_lines")
    with op.batch_alter_table("inventory_shipment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_shipment_lines_sku"))
        batch_op.drop_index(batch_op.f("ix_inventory_shipment_lines_shipment_id"))

    op.drop_table("inventory_shipment_lines")
    with op.batch_alter_table("inbound_receipts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_inbound_receipts_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_inbound_receipts_shipment_id"))

    op.drop_table("inbound_receipts")
    with op.batch_alter_table("inventory_shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_shipments_transfer_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_shipments_status"))
        batch_op.drop_index(batch_op.f("ix_inventory_shipments_destination_location_id"))

    op.drop_table("inventory_shipments")
