"""The reports, read from the summary tables only: a year of them is a few thousand grouped rows.

Days and hours are UTC. A range is whole days, both ends included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlmodel import Session

from oms_tui.cache.report_tables import ReportDay, ReportException, ReportHour, ReportShipment
from oms_tui.floor.reports.due import on_time
from oms_tui.one_line import OneLineError

Grouping = Literal["hour", "day", "week", "person"]
GROUPINGS: tuple[Grouping, ...] = ("hour", "day", "week", "person")
NOBODY = "(nobody)"  # work done with nobody signed in


class ReportRefused(OneLineError):
    """A report that cannot be made as asked (its message is one line)."""


@dataclass(frozen=True)
class WorkRow:
    label: str
    orders_picked: int = 0
    units_picked: int = 0
    orders_packed: int = 0
    units_packed: int = 0
    pick_mis_scans: int = 0
    pack_mis_scans: int = 0
    short_picks: int = 0
    pick_seconds: float = 0.0
    pack_seconds: float = 0.0

    def __add__(self, other: WorkRow) -> WorkRow:
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)[1:]}
        return WorkRow(self.label, **summed)

    @property
    def picking(self) -> Stage:
        return Stage(
            self.label,
            self.orders_picked,
            self.units_picked,
            self.pick_seconds,
            self.pick_mis_scans,
            self.short_picks,
        )

    @property
    def packing(self) -> Stage:
        return Stage(
            self.label, self.orders_packed, self.units_packed, self.pack_seconds, self.pack_mis_scans
        )


@dataclass(frozen=True)
class Stage:
    """Picking or packing, as its report shows it."""

    label: str
    orders: int
    units: int
    seconds: float  # busy time (`rollup`)
    mis_scans: int
    short_picks: int = 0

    @property
    def seconds_per_order(self) -> float | None:
        return self.seconds / self.orders if self.orders else None

    @property
    def mis_scans_per_100(self) -> float | None:
        return 100 * self.mis_scans / self.units if self.units else None

    @property
    def short_picks_per_100(self) -> float | None:
        return 100 * self.short_picks / self.units if self.units else None


@dataclass(frozen=True)
class OnTimeRow:
    label: str
    shipped: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.shipped - self.on_time

    @property
    def percent(self) -> float | None:
        return 100 * self.on_time / self.shipped if self.shipped else None


@dataclass(frozen=True)
class ExceptionRow:
    label: str
    opened: int = 0
    closed: int = 0


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ReportRefused(f"the range ends ({end}) before it starts ({start})")
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


def label_of(moment: date | datetime, by: Grouping) -> str:
    if by == "hour":
        assert isinstance(moment, datetime)
        return f"{moment:%Y-%m-%d %H:00}"
    day = moment.date() if isinstance(moment, datetime) else moment
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def worked(session: Session, start: date, end: date, by: Grouping) -> list[WorkRow]:
    """Orders and units picked and packed, mis-scans, short picks and busy time, in time order (or by
    person, by staff code)."""
    low, high = bounds(start, end)
    hourly = by == "hour"
    table = (ReportHour if hourly else ReportDay).__table__  # type: ignore[union-attr]
    period = table.c.hour if hourly else table.c.day
    sums = [func.sum(table.c[f.name]) for f in fields(WorkRow)[1:]]
    key = table.c.staff_code if by == "person" else period
    within = (period >= low, period < high) if hourly else (period >= start, period <= end)
    rows = session.connection().execute(select(key, *sums).where(*within).group_by(key).order_by(key))
    if by == "person":
        return [WorkRow(code or NOBODY, *values) for code, *values in rows]
    return _merged((WorkRow(label_of(moment, by), *values) for moment, *values in rows), WorkRow.__add__)


def shipments(session: Session, start: date, end: date, by: Grouping) -> list[OnTimeRow]:
    """Shipments and how many left by their ship-by time, by the day (or week) they shipped."""
    if by not in ("day", "week"):
        raise ReportRefused("on-time is reported by day or week")
    bounds(start, end)
    table = ReportShipment.__table__  # type: ignore[attr-defined]
    in_time = case((on_time(table.c.lead_hours), table.c.shipments), else_=0)
    rows = session.connection().execute(
        select(table.c.day, func.sum(table.c.shipments), func.sum(in_time))
        .where(table.c.day >= start, table.c.day <= end)
        .group_by(table.c.day)
        .order_by(table.c.day)
    )
    return _merged(
        (OnTimeRow(label_of(day, by), int(shipped), int(in_time)) for day, shipped, in_time in rows),
        lambda a, b: OnTimeRow(a.label, a.shipped + b.shipped, a.on_time + b.on_time),
    )


def exceptions(session: Session, start: date, end: date, by: Grouping) -> list[ExceptionRow]:
    """Exceptions opened and closed, by day (or week)."""
    if by not in ("day", "week"):
        raise ReportRefused("exceptions are reported by day or week")
    bounds(start, end)
    table = ReportException.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(table.c.day, func.sum(table.c.opened), func.sum(table.c.closed))
        .where(table.c.day >= start, table.c.day <= end)
        .group_by(table.c.day)
        .order_by(table.c.day)
    )
    return _merged(
        (ExceptionRow(label_of(day, by), int(o), int(c)) for day, o, c in rows),
        lambda a, b: ExceptionRow(a.label, a.opened + b.opened, a.closed + b.closed),
    )


def _merged(rows: Iterable[Any], add: Callable[[Any, Any], Any]) -> list[Any]:
    """Rows in label order, those of one label added up (the labels arrive sorted)."""
    merged: list[Any] = []
    for row in rows:
        if merged and merged[-1].label == row.label:
            merged[-1] = add(merged[-1], row)
        else:
            merged.append(row)
    return merged
