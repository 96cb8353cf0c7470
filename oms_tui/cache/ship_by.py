"""When an order must leave: its ship-by time, from the first of these that applies.

1. the store's own deadline on its fulfillment orders (`fulfillBy`, the earliest of them);
2. the shipping method's promise: the carrier's daily cut-off on the first working day the order can
   make (a working day in the warehouse's time zone, weekends and holidays excepted), plus the
   method's handling days;
3. the default SLA: the order's creation plus `sla_hours`.

Kept beside the cache, like `priority`, because `orders.ship_by` (an indexed column the queues sort
by) is written by sync as each order or fulfillment order arrives, and sync sits below the floor.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 366  # a calendar with no working day in a year is a mistake: fall back to the SLA


class ShipBySource(enum.StrEnum):
    FULFILL_BY = "fulfill_by"  # the store's deadline
    METHOD = "method"  # the shipping method's cut-off
    SLA = "sla"  # the default SLA


@dataclass(frozen=True)
class MethodPromise:
    """A shipping method as the store names it, and what the warehouse promises for it."""

    carrier: str
    service: str
    cutoff: time  # the carrier's daily collection, in the warehouse's time zone
    delivery_days: int = 1  # working days in transit after it ships
    handling_days: int = 0  # working days the warehouse may take before the cut-off it ships by


@dataclass(frozen=True)
class ShipByPolicy:
    sla_hours: float = 24.0
    timezone: str = "UTC"
    weekend: frozenset[int] = frozenset({5, 6})  # Monday is 0
    holidays: frozenset[date] = frozenset()
    methods: dict[str, MethodPromise] = field(default_factory=dict)  # by the method's name, folded

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def method(self, name: str | None) -> MethodPromise | None:
        return self.methods.get(name.strip().casefold()) if name else None

    def working(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def cutoff_on(self, day: date, promise: MethodPromise) -> datetime:
        """The cut-off of `day` (a date in the warehouse's zone), in UTC."""
        return datetime.combine(day, promise.cutoff, self.zone).astimezone(UTC)

    def next_cutoff(self, moment: datetime, promise: MethodPromise) -> datetime | None:
        """The first cut-off at or after `moment` on a working day (None: no working day in a year)."""
        day = moment.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            if self.working(day) and self.cutoff_on(day, promise) >= moment:
                return self.cutoff_on(day, promise)
            day += timedelta(days=1)
        return None

    def working_days_after(self, moment: datetime, days: int, promise: MethodPromise) -> datetime | None:
        """The cut-off `days` working days after the one at `moment`."""
        found: datetime | None = moment
        for _ in range(days):
            assert found is not None
            found = self.next_cutoff(found + timedelta(seconds=1), promise)
            if found is None:
                return None
        return found

    def ship_by(
        self, created_at: datetime, method: str | None, fulfill_by: Iterable[datetime | None] = ()
    ) -> tuple[datetime, ShipBySource]:
        deadlines = [moment for moment in fulfill_by if moment is not None]
        if deadlines:
            return min(deadlines), ShipBySource.FULFILL_BY
        promise = self.method(method)
        if promise is not None:
            first = self.next_cutoff(created_at, promise)
            due = first and self.working_days_after(first, promise.handling_days, promise)
            if due is not None:
                return due, ShipBySource.METHOD
        return created_at + timedelta(hours=self.sla_hours), ShipBySource.SLA

    def delivery_by(self, ship_by: datetime, method: str | None) -> datetime | None:
        """When the customer was promised it, shipped by `ship_by` (None: the method promises nothing)."""
        promise = self.method(method)
        if promise is None:
            return None
        return self.working_days_after(ship_by, promise.delivery_days, promise)
