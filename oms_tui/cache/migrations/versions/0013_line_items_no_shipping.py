"""an index of the order lines that need no shipping (gift cards, digital goods), which the floor's
queues, pick lists and packs leave out: a partial index, so it holds only those few lines

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_line_items_no_shipping",
        "line_items",
        ["id"],
        sqlite_where=sa.text("requires_shipping = 0"),
        postgresql_where=sa.text("NOT requires_shipping"),
    )


def downgrade() -> None:
    op.drop_index("ix_line_items_no_shipping", table_name="line_items")
