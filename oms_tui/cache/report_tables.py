"""The manager's numbers, summed as the work happens so a year of reports reads a few thousand rows.

`ReportHour`, `ReportDay` and `ReportShipment` are added to by the floor's audit log
(`floor.reports.rollup`, in the transaction of the event they count); `ReportException` by every
exception row written, whoever writes it (sync, the outbox, the floor), through the mapper events
below. `oms-tui report rebuild` recomputes them from the audit log and the exceptions table. Label
spend has its own table, kept as labels are bought and refunded (`cache.label_spend`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import ExceptionState
from oms_tui.cache.floor_state import FloorException
from oms_tui.cache.types import UTCDateTime


class WorkCounts(SQLModel):
    """What one person did at one station in a stretch of time (staff "" when nobody was signed in)."""

    staff_code: str = Field(primary_key=True)
    station: str = Field(primary_key=True)
    orders_picked: int = 0
    units_picked: int = 0
    orders_packed: int = 0
    units_packed: int = 0
    pick_mis_scans: int = 0
    pack_mis_scans: int = 0
    short_picks: int = 0
    pick_seconds: float = 0.0  # busy time picking, packing (`floor.reports.rollup`)
    pack_seconds: float = 0.0


class ReportHour(WorkCounts, table=True):
    """Work in one UTC hour: the hourly charts."""

    __tablename__ = "report_hours"

    hour: datetime = Field(primary_key=True, sa_type=UTCDateTime, index=True)  # ranges of hours


class ReportDay(WorkCounts, table=True):
    """The same by UTC day: a year of days, weeks or people reads at most 365 rows per person."""

    __tablename__ = "report_days"

    day: date = Field(primary_key=True, sa_type=Date, index=True)


class ReportShipment(SQLModel, table=True):
    """Shipments recorded on one UTC day, by their lead: whole hours from their due clock
    (`floor.reports.due`). Whether they were on time is read against the SLA when the report is shown."""

    __tablename__ = "report_shipments"

    day: date = Field(primary_key=True, sa_type=Date)
    lead_hours: int = Field(primary_key=True)
    shipments: int = 0


class ReportException(SQLModel, table=True):
    """Exceptions of one kind opened and closed on one UTC day."""

    __tablename__ = "report_exceptions"

    day: date = Field(primary_key=True, sa_type=Date)
    kind: str = Field(primary_key=True)
    opened: int = 0
    closed: int = 0


class StaffActivity(SQLModel, table=True):
    """When each person last did floor work: the gap to their next action counts as busy time."""

    __tablename__ = "report_staff_activity"

    staff_code: str = Field(primary_key=True)
    last_at: datetime = Field(sa_type=UTCDateTime)


def add_to(
    connection: Connection, model: type[SQLModel], key: dict[str, Any], counts: dict[str, Any]
) -> None:
    """One upsert: the row for `key` gains `counts` (created at those counts when new)."""
    table = model.__table__  # type: ignore[attr-defined]
    insert: Any = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
    statement = insert.values(**key, **counts).on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + insert.excluded[name] for name in counts}
    )
    connection.execute(statement)


def _exception_counts(connection: Connection, row: FloorException, opened: bool) -> None:
    if opened:
        add_to(
            connection,
            ReportException,
            {"day": row.created_at.date(), "kind": str(row.kind)},
            {"opened": 1, "closed": 0},
        )
    if row.state == ExceptionState.RESOLVED and row.resolved_at is not None:
        add_to(
            connection,
            ReportException,
            {"day": row.resolved_at.date(), "kind": str(row.kind)},
            {"opened": 0, "closed": 1},
        )


@event.listens_for(FloorException, "after_insert")
def _exception_opened(_mapper: Any, connection: Connection, target: FloorException) -> None:
    _exception_counts(connection, target, opened=True)


@event.listens_for(FloorException, "after_update")
def _exception_changed(_mapper: Any, connection: Connection, target: FloorException) -> None:
    state = inspect(target).attrs.state.history
    if state.has_changes() and ExceptionState.RESOLVED not in (state.deleted or ()):
        _exception_counts(connection, target, opened=False)
