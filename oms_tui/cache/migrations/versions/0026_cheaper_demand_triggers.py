"""sku_demand: a new line adds its units to its row, and new orders and closed fulfillment orders
skip the rewrite (a first sync's demand upkeep costs about a third less)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 08:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from oms_tui.cache.sku_demand import replace_demand_triggers

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    replace_demand_triggers(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: 0024's triggers and these keep the same rows, and 0024's downgrade drops these."""
