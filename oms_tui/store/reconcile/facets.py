"""What a day of orders is compared by: facets the store counts with `ordersCount(query:)` and the
cache counts from its own rows, the same way.

Each facet is a search added to a creation range (an order's creation day never changes, so a day's
counts move only when its orders change state): all orders, cancelled, fulfilled, on hold (the
fulfillment orders' holds, as the store sums them up on the order) and with an open return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from oms_tui.cache.models import Order, Return

OPEN_RETURN_STATUSES = ("REQUESTED", "OPEN")  # the store's return_status: return_requested, in_progress
OPEN_RETURN_SEARCH = "-return_status:no_return -return_status:returned"
ONE_DAY, ONE_HOUR = timedelta(days=1), timedelta(hours=1)


@dataclass(frozen=True)
class Tally:
    """An order as the counts see it (the cache's row, or the store's listing of an hour)."""

    id: str
    created_at: datetime
    updated_at: datetime
    cancelled: bool
    fulfillment_status: str
    open_return: bool

    def same_state(self, other: Tally) -> bool:
        return (self.updated_at, self.cancelled, self.fulfillment_status, self.open_return) == (
            other.updated_at,
            other.cancelled,
            other.fulfillment_status,
            other.open_return,
        )


@dataclass(frozen=True)
class Facet:
    name: str
    search: str  # added to the creation range; empty: every order
    holds: Callable[[Tally], bool]


FACETS = (
    Facet("orders", "", lambda tally: True),
    Facet("cancelled", "status:cancelled", lambda tally: tally.cancelled),
    Facet("fulfilled", "fulfillment_status:fulfilled", lambda tally: tally.fulfillment_status == "FULFILLED"),
    Facet("on_hold", "fulfillment_status:on_hold", lambda tally: tally.fulfillment_status == "ON_HOLD"),
    Facet("open_returns", OPEN_RETURN_SEARCH, lambda tally: tally.open_return),
)
FACET_BY_NAME = {facet.name: facet for facet in FACETS}


def store_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def created_within(start: datetime, end: datetime) -> str:
    """The search for orders created in [start, end)."""
    return f"created_at:>='{store_time(start)}' created_at:<'{store_time(end)}'"


def facet_search(facet: Facet, start: datetime, end: datetime) -> str:
    return f"{created_within(start, end)} {facet.search}".strip()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def cache_tallies(session: Session, start: datetime, end: datetime) -> list[Tally]:
    """The cache's orders created in [start, end), as the counts see them."""
    open_returns = set(
        session.connection()
        .execute(
            select(col(Return.order_id))
            .where(col(Return.status).in_(OPEN_RETURN_STATUSES))
            .join(Order, col(Order.id) == col(Return.order_id))
            .where(col(Order.created_at) >= start, col(Order.created_at) < end)
        )
        .scalars()
    )
    rows = session.connection().execute(
        select(
            col(Order.id),
            col(Order.created_at),
            col(Order.updated_at),
            col(Order.cancelled_at),
            col(Order.fulfillment_status),
        ).where(col(Order.created_at) >= start, col(Order.created_at) < end)
    )
    return [
        Tally(ident, created, updated, cancelled is not None, status, ident in open_returns)
        for ident, created, updated, cancelled, status in rows
    ]


def store_tally(node: dict[str, Any], created: datetime) -> Tally:
    """An order of the store's listing (`reconcile_order_ids`)."""
    return Tally(
        node["id"],
        created,
        parse_time(node["updatedAt"]),
        node.get("cancelledAt") is not None,
        str(node.get("displayFulfillmentStatus")),
        node.get("returnStatus") in ("RETURN_REQUESTED", "IN_PROGRESS"),
    )


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def bucket_counts(tallies: Iterable[Tally], bucket: Callable[[datetime], Any]) -> dict[tuple[Any, str], int]:
    """(bucket, facet name) -> how many of these orders the facet holds."""
    counts: dict[tuple[Any, str], int] = {}
    for tally in tallies:
        key = bucket(tally.created_at)
        for facet in FACETS:
            if facet.holds(tally):
                counts[(key, facet.name)] = counts.get((key, facet.name), 0) + 1
    return counts


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def hour_of(moment: datetime) -> int:
    return moment.astimezone(UTC).hour
