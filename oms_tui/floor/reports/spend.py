"""Label spend, read from its summary table (`cache.label_spend`): labels bought, voided and refunded,
by the UTC day (or week) they were bought or by carrier and service, a row per currency.

A label's cost stays on the day it was bought: a refund confirmed later lowers that day's net spend. A
refund asked but not yet confirmed is still spent (shown as pending); one the carrier refused is spent.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Literal

from sqlalchemy import func, select
from sqlmodel import Session

from oms_tui.cache.label_spend import COUNTS, ReportLabelSpend
from oms_tui.floor.reports.queries import ReportRefused, bounds, label_of

SpendGrouping = Literal["day", "week", "service"]
SPEND_GROUPINGS: tuple[SpendGrouping, ...] = ("day", "week", "service")
TOTAL = "total"


@dataclass(frozen=True)
class SpendRow:
    label: str
    currency: str
    bought: int = 0
    bought_cents: int = 0
    voided: int = 0
    refunded: int = 0
    refunded_cents: int = 0
    pending: int = 0
    pending_cents: int = 0

    def __add__(self, other: SpendRow) -> SpendRow:
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)[2:]}
        return SpendRow(self.label, self.currency, **summed)

    @property
    def net_cents(self) -> int:
        """What the labels cost once the confirmed refunds are back."""
        return self.bought_cents - self.refunded_cents

    @property
    def parcels(self) -> int:
        """Labels bought and not voided: those that went on a parcel."""
        return self.bought - self.voided

    @property
    def per_parcel_cents(self) -> float | None:
        """Net spend over the parcels: the voided labels not (yet) refunded count as their cost."""
        return self.net_cents / self.parcels if self.parcels else None


def label_spend(session: Session, start: date, end: date, by: SpendGrouping) -> list[SpendRow]:
    """Labels bought from `start` to `end`, by day, week or carrier and service (a row per currency
    each), in order."""
    if by not in SPEND_GROUPINGS:
        raise ReportRefused("label spend is reported by day, week or service")
    bounds(start, end)
    table = ReportLabelSpend.__table__  # type: ignore[attr-defined]
    keys = (table.c.carrier, table.c.service) if by == "service" else (table.c.day,)
    rows = session.connection().execute(
        select(*keys, table.c.currency, *(func.sum(table.c[name]) for name in COUNTS))
        .where(table.c.day >= start, table.c.day <= end)
        .group_by(*keys, table.c.currency)
        .order_by(*keys, table.c.currency)
    )
    summed: dict[tuple[str, str], SpendRow] = {}  # a week's days added up, a row per currency
    for values in rows:
        key, currency, counts = values[: len(keys)], values[len(keys)], values[len(keys) + 1 :]
        label = " ".join(key) if by == "service" else label_of(key[0], by)
        row = SpendRow(label, currency, *map(int, counts))
        summed[label, currency] = summed[label, currency] + row if (label, currency) in summed else row
    return [summed[key] for key in sorted(summed)]


def totals(rows: list[SpendRow]) -> list[SpendRow]:
    """The range's figures, one row per currency."""
    summed: dict[str, SpendRow] = {}
    for row in rows:
        start = summed.get(row.currency, SpendRow(TOTAL, row.currency))
        summed[row.currency] = start + row
    return [summed[currency] for currency in sorted(summed)]
