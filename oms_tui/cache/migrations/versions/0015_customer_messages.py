"""customer messages: each message to a customer, with its Message-ID, kept before it is sent

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("from_address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_customer_messages_message_id")),
    )
    with op.batch_alter_table("customer_messages", schema=None) as batch_op:
        batch_op.create_index("ix_customer_messages_order", ["order_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_messages_state"), ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("customer_messages")
