"""label spend: what labels cost by the UTC day they were bought, carrier, service and currency,
with what was voided, refunded and is waiting for its refund

Filled from the labels already bought, so a later void or refund of one of them has a row to move.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from oms_tui.cache.label_spend import COUNTS, rebuild

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    key = ("day", "carrier", "service", "currency")
    op.create_table(
        "report_label_spend",
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=False) for name in key[1:]),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint(*key),
    )
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("report_label_spend")
