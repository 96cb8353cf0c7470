"""`oms-tui reconcile`: proof that the cache holds what the store holds, day by day, cheaply.

1. Every day of the span is counted at the store by facet (`facets.py`), many counts a request,
   and by the cache from its own rows. A day whose counts agree costs its counts and nothing more.
2. A day that differs is counted again by hour, for the facets that differ; an hour that differs is
   listed (ids and the counted state only) and set beside the cache's orders of that hour.
3. `deep` reads every order of the span whole and compares each field (what counts cannot see: a
   note changed without moving `updatedAt`).
4. The open fulfillment orders (no count exists for them) are listed by id and status: an FO open
   here and closed there, or the other way round, points at its order.
5. Fulfillments the outbox delivered in the span are looked up at the store.
Every order pointed at is compared field by field with the store's copy and mended (`examine.py`)
unless it is a dry run; the run is recorded (`ReconcileRun`) and what is left becomes an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import col, func, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ActionKind, ExceptionKind, ExceptionState, OutboxState
from oms_tui.cache.models import FloorException, FulfillmentOrder, Order, OutboxAction
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.cache.types import utcnow
from oms_tui.store import mapping
from oms_tui.store.client import Client
from oms_tui.store.payloads import OrderNode
from oms_tui.store.reconcile.counts import store_counts
from oms_tui.store.reconcile.differences import OUTBOX, Difference
from oms_tui.store.reconcile.examine import NOT_COMPARED, examine
from oms_tui.store.reconcile.facets import (
    FACET_BY_NAME,
    FACETS,
    ONE_DAY,
    ONE_HOUR,
    Tally,
    bucket_counts,
    cache_tallies,
    created_within,
    day_of,
    day_start,
    days_between,
    facet_search,
    hour_of,
    parse_time,
    store_tally,
)
from oms_tui.store.reread import read_nodes

OPEN_FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")  # the store's includeClosed: false
KEPT_DIFFERENCES = 200  # listed in a run's record; the counts are whole
Progress = Callable[[int, int], None]  # (days counted, days in the span)


@dataclass(frozen=True)
class ReconcileOptions:
    since: date | None = None  # None: the store's whole history
    deep: bool = False
    dry_run: bool = False
    trigger: str = "cli"
    station: str | None = None


@dataclass
class ReconcileReport:
    first_day: date | None = None
    last_day: date | None = None
    days_checked: int = 0
    # days whose counts differed; when no order of theirs differs when read by id, the store's search
    # had not caught up (it lags behind writes): not a difference
    differing_days: list[date] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    points: int = 0
    seconds: float = 0.0
    run_id: int | None = None

    @property
    def repaired(self) -> int:
        return sum(1 for difference in self.differences if difference.repaired)

    @property
    def left(self) -> int:
        return len(self.differences) - self.repaired

    @property
    def exit_code(self) -> int:
        """0 clean, 1 every difference repaired, 2 differences left (scripts read it)."""
        return 0 if not self.differences else 1 if not self.left else 2


class Reconciler:
    def __init__(
        self,
        client: Client,
        cache: Cache,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_progress: Progress | None = None,
    ) -> None:
        self.client, self.cache, self.clock = client, cache, clock
        self.on_progress = on_progress or (lambda done, total: None)

    async def run(self, options: ReconcileOptions) -> ReconcileReport:
        started, spent = time.monotonic(), _points(self.client)
        report = ReconcileReport()
        record = ReconcileRun(trigger=options.trigger, station=options.station, deep=options.deep)
        record.dry_run, record.started_at = options.dry_run, self.clock()
        try:
            await self._compare(options, report)
        except Exception as exc:
            record.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            report.points = _points(self.client) - spent
            report.seconds = time.monotonic() - started
            report.run_id = self._record(record, report, options)
        return report

    async def _compare(self, options: ReconcileOptions, report: ReconcileReport) -> None:
        first = options.since or await self._first_day()
        last = day_of(self.clock())
        if first is None or first > last:
            return
        report.first_day, report.last_day = first, last
        days = days_between(first, last)
        start, end = day_start(first), day_start(last) + ONE_DAY
        with self.cache.sessions() as session:
            tallies = cache_tallies(session, start, end)
        involved = await self._differing_orders(days, tallies, report)
        if options.deep:
            involved += await self._deep(start, end, tallies)
        involved += await self._open_fulfillment_orders(start)
        outbox = await self._outbox_not_at_store(start)
        involved += [difference.subject for difference in outbox]
        found = await examine(self.client, self.cache, involved, self.clock(), repair=not options.dry_run)
        # an outbox action the store does not show stays a difference even once its order is read
        # again: nothing here can send it again
        report.differences = outbox + found
        report.days_checked = len(days)

    async def _first_day(self) -> date | None:
        """The first day of the store's history (or of the cache's, if it holds older orders)."""
        data = await self.client.execute(
            "query ReconcileFirstOrder { orders(first: 1, sortKey: CREATED_AT) { nodes { createdAt } } }"
        )
        nodes = (data.get("orders") or {}).get("nodes") or []
        with self.cache.sessions() as session:
            oldest = session.exec(select(func.min(Order.created_at))).one()
        moments = [parse_time(nodes[0]["createdAt"])] if nodes else []
        moments += [oldest] if oldest is not None else []
        return day_of(min(moments)) if moments else None

    async def _differing_orders(
        self, days: list[date], tallies: list[Tally], report: ReconcileReport
    ) -> list[str]:
        """The orders behind every count that differs: days, then hours, then the hours' listings."""
        mine = bucket_counts(tallies, day_of)
        searches = [
            ((day, facet.name), facet_search(facet, day_start(day), day_start(day) + ONE_DAY))
            for day in days
            for facet in FACETS
        ]
        counted = 0

        def progress(batch: int) -> None:
            nonlocal counted
            counted += batch
            self.on_progress(min(len(days), counted // len(FACETS)), len(days))

        theirs = await store_counts(self.client, searches, progress)
        differing = {key for key, count in theirs.items() if count != mine.get(key, 0)}
        report.differing_days = sorted({day for day, _ in differing})
        hours = await self._differing_hours(differing, tallies)
        involved: list[str] = []
        for hour in hours:
            involved += await self._hour_orders(hour, tallies)
        return involved

    async def _differing_hours(
        self, differing: set[tuple[date, str]], tallies: list[Tally]
    ) -> list[datetime]:
        days = {day for day, _ in differing}
        mine = bucket_counts((t for t in tallies if day_of(t.created_at) in days), _hour_start)
        searches: list[tuple[tuple[datetime, str], str]] = []
        for day, facet_name in sorted(differing):
            facet = FACET_BY_NAME[facet_name]
            for hour in range(24):
                begins = day_start(day) + hour * ONE_HOUR
                searches.append(((begins, facet_name), facet_search(facet, begins, begins + ONE_HOUR)))
        theirs = await store_counts(self.client, searches)
        return sorted({hour for (hour, name), count in theirs.items() if count != mine.get((hour, name), 0)})

    async def _hour_orders(self, begins: datetime, tallies: list[Tally]) -> list[str]:
        """The orders of an hour whose counted state differs; all of them when none does (the field
        by field comparison then decides)."""
        here = {t.id: t for t in tallies if _hour_start(t.created_at) == begins}
        there: dict[str, Tally] = {}
        pages = self.client.paginate(
            "reconcile_order_ids",
            {"query": created_within(begins, begins + ONE_HOUR)},
            connection_path=("orders",),
        )
        async for page in pages:
            for node in page:
                there[node["id"]] = store_tally(node, begins)
        differing = [
            ident
            for ident in sorted(set(here) | set(there))
            if ident not in here or ident not in there or not here[ident].same_state(there[ident])
        ]
        return differing or sorted(set(here) | set(there))

    async def _deep(self, start: datetime, end: datetime, tallies: list[Tally]) -> list[str]:
        """Every order of the span read whole and compared field by field with the cache's row."""
        differing, seen = [], set()
        now = self.clock()
        pages = self.client.paginate(
            "orders_page", {"query": created_within(start, end)}, connection_path=("orders",)
        )
        async for page in pages:
            nodes = [OrderNode.model_validate(node) for node in page]
            with self.cache.sessions() as session:
                rows = {
                    order.id: order
                    for order in session.exec(select(Order).where(col(Order.id).in_([n.id for n in nodes])))
                }
            for node in nodes:
                seen.add(node.id)
                cached, row = rows.get(node.id), mapping.order_row(node, now)
                if cached is None or any(
                    getattr(cached, name) != value for name, value in row.items() if name not in NOT_COMPARED
                ):
                    differing.append(node.id)
        return differing + [t.id for t in tallies if t.id not in seen]

    async def _open_fulfillment_orders(self, start: datetime) -> list[str]:
        """Orders whose open fulfillment orders differ: listed by id at the store (no count exists)."""
        with self.cache.sessions() as session:
            here = {
                fo.id: (fo.status, fo.order_id)
                for fo in session.exec(
                    select(FulfillmentOrder).where(
                        col(FulfillmentOrder.status).in_(OPEN_FO_STATUSES),
                        col(FulfillmentOrder.created_at) >= start,
                    )
                )
            }
        there: dict[str, tuple[str, str]] = {}
        query = f"created_at:>='{start:%Y-%m-%dT%H:%M:%SZ}'"
        pages = self.client.paginate(
            "reconcile_open_fulfillment_orders", {"query": query}, connection_path=("fulfillmentOrders",)
        )
        async for page in pages:
            for node in page:
                there[node["id"]] = (node["status"], node["orderId"])
        return [
            (here.get(ident) or there[ident])[1]
            for ident in sorted(set(here) | set(there))
            if here.get(ident, ("", ""))[0] != there.get(ident, ("", ""))[0]
        ]

    async def _outbox_not_at_store(self, start: datetime) -> list[Difference]:
        """Fulfillments the outbox delivered that the store does not show (or shows cancelled)."""
        with self.cache.sessions() as session:
            actions = session.exec(
                select(OutboxAction).where(
                    OutboxAction.kind == ActionKind.FULFILL,
                    OutboxAction.state == OutboxState.DONE,
                    col(OutboxAction.created_at) >= start,
                )
            ).all()
        made = {
            ident: action
            for action in actions
            if (ident := ((action.result or {}).get("fulfillment") or {}).get("id"))
        }
        shown = {
            node["id"]: node for node in await read_nodes(self.client, "reconcile_fulfillments", list(made))
        }
        return [
            Difference(
                OUTBOX,
                action.order_id,
                f"outbox action {action.id} shipped it (fulfillment {ident.rsplit('/', 1)[-1]}); "
                + ("the store shows it cancelled" if ident in shown else "the store has no such fulfillment"),
                action.order_id,
            )
            for ident, action in made.items()
            if ident not in shown or shown[ident].get("status") == "CANCELLED"
        ]

    def _record(self, record: ReconcileRun, report: ReconcileReport, options: ReconcileOptions) -> int | None:
        record.finished_at = self.clock()
        record.first_day = report.first_day.isoformat() if report.first_day else None
        record.last_day = report.last_day.isoformat() if report.last_day else None
        record.days_checked, record.found = report.days_checked, len(report.differences)
        record.repaired, record.left = report.repaired, report.left
        record.points, record.seconds = report.points, round(report.seconds, 3)
        record.differences = [d.as_json() for d in report.differences[:KEPT_DIFFERENCES]]
        with self.cache.sessions() as session:
            session.add(record)
            if not options.dry_run:
                for difference in report.differences:
                    if not difference.repaired:
                        _raise_exception(session, difference)
            session.commit()
            return record.id


def _hour_start(moment: datetime) -> datetime:
    return day_start(day_of(moment)) + hour_of(moment) * ONE_HOUR


def _points(client: Client) -> int:
    return int(getattr(client, "points_spent", 0))


def _raise_exception(session: Any, difference: Difference) -> None:
    """One open exception per subject and kind of difference: a second run does not repeat it."""
    message = f"reconcile: {difference.kind}: {difference.detail}"
    exists = session.exec(
        select(FloorException.id).where(
            FloorException.kind == ExceptionKind.RECONCILE_DIFFERENCE,
            FloorException.subject == difference.subject,
            FloorException.message == message,
            FloorException.state != ExceptionState.RESOLVED,
        )
    ).first()
    if exists is None:
        session.add(
            FloorException(
                kind=ExceptionKind.RECONCILE_DIFFERENCE,
                severity="warning",
                order_id=difference.order_id,
                subject=difference.subject,
                message=message,
            )
        )
