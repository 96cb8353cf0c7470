"""order search folds accents and apostrophes: every order's search document is written again

Documents written before were only case-folded: "nunez" did not find José Núñez, nor "obrien"
O'Brien. Searches now fold what is typed, so an existing cache's documents must be folded too
(the index follows them: SQLite's FTS triggers, PostgreSQL's GIN index).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 21:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from oms_tui.cache.order_search import rebuild_order_search

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rebuild_order_search(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: an older version searches folded documents as they are (an accented word it is
    asked for finds nothing until that order changes)."""
