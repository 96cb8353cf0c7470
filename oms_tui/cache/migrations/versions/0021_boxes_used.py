"""boxes used: the box the bench last packed each set of items in

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import oms_tui.cache.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boxes_used",
        sa.Column("contents", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("box", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("used_at", oms_tui.cache.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contents", name=op.f("pk_boxes_used")),
    )


def downgrade() -> None:
    op.drop_table("boxes_used")
