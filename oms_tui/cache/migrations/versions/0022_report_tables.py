"""the manager's numbers: hourly and daily work per person and station, shipments by day and lead time,
exceptions opened and closed by day, and when each person last worked (for busy time)

The tables start empty; `oms-tui report rebuild` fills them from an existing cache's audit log and
exceptions.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from oms_tui.cache.types import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COUNTS = (
    "orders_picked",
    "units_picked",
    "orders_packed",
    "units_packed",
    "pick_mis_scans",
    "pack_mis_scans",
    "short_picks",
)


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    for table, period in (
        ("report_hours", sa.Column("hour", UTCDateTime(), nullable=False)),
        ("report_days", sa.Column("day", sa.Date(), nullable=False)),
    ):
        op.create_table(
            table,
            sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
            sa.Column("station", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
            *(_count(name) for name in COUNTS),
            sa.Column("pick_seconds", sa.Float(), nullable=False),
            sa.Column("pack_seconds", sa.Float(), nullable=False),
            period,
            sa.PrimaryKeyConstraint("staff_code", "station", period.name),
        )
        op.create_index(f"ix_{table}_{period.name}", table, [period.name])
    op.create_table(
        "report_shipments",
        sa.Column("day", sa.Date(), nullable=False),
        _count("lead_hours"),
        _count("shipments"),
        sa.PrimaryKeyConstraint("day", "lead_hours"),
    )
    op.create_table(
        "report_exceptions",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        _count("opened"),
        _count("closed"),
        sa.PrimaryKeyConstraint("day", "kind"),
    )
    op.create_table(
        "report_staff_activity",
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("staff_code"),
    )


def downgrade() -> None:
    for table in (
        "report_staff_activity",
        "report_exceptions",
        "report_shipments",
        "report_days",
        "report_hours",
    ):
        op.drop_table(table)
