"""shipping labels: one row per label from the claim of its order's slot to its purchase or refund;
one live label per order

Revision ID: 0015_labels
Revises: 0014
Create Date: 2026-12-04 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

LIVE = sa.text("state IN ('claimed', 'rated', 'buying', 'bought')")

revision: str = "0015_labels"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipping_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("staff_code", sa.String(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("box", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("weight_g", sa.Float(), nullable=True),
        sa.Column("label_format", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("rate_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("price", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("delivery_days", sa.Integer(), nullable=True),
        sa.Column("tracking_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("label_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("refund_status", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("scan_form_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("bought_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("printed_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_code"], ["staff.code"], name=op.f("fk_shipping_labels_staff_code_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_labels")),
    )
    with op.batch_alter_table("shipping_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipping_labels_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipping_labels_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shipping_labels_tracking_number"), ["tracking_number"], unique=False
        )
        batch_op.create_index("ix_shipping_labels_state_bought", ["state", "bought_at"], unique=False)
        batch_op.create_index(
            "uq_shipping_labels_live", ["order_id"], unique=True, sqlite_where=LIVE, postgresql_where=LIVE
        )


def downgrade() -> None:
    with op.batch_alter_table("shipping_labels", schema=None) as batch_op:
        batch_op.drop_index("uq_shipping_labels_live")
        batch_op.drop_index("ix_shipping_labels_state_bought")
        batch_op.drop_index(batch_op.f("ix_shipping_labels_tracking_number"))
        batch_op.drop_index(batch_op.f("ix_shipping_labels_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_shipping_labels_order_id"))
    op.drop_table("shipping_labels")
