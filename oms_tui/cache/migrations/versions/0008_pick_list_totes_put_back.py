"""pick list lines: plan stop, tote, withdrawn reason, units to put back

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 18:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pick_list_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stop", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("tote", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("put_back", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pick_list_lines", schema=None) as batch_op:
        batch_op.drop_column("put_back")
        batch_op.drop_column("withdrawn")
        batch_op.drop_column("tote")
        batch_op.drop_column("stop")
