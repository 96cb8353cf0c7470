"""pick list lines: units shipped, so a partial shipment's remainder is picked again

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pick_list_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipped", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pick_list_lines", schema=None) as batch_op:
        batch_op.drop_column("shipped")
