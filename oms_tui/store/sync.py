"""The sync engine: store -> cache, one stream at a time, resumable at any point.

Each stream pages `updated_at:>=` (watermark minus an overlap) sorted by UPDATED_AT and commits page
by page; the watermark moves only after its page is committed, so a process killed anywhere re-reads
at most one page and an overlap's worth of objects. Upserts keep the newer copy, so re-reading is
harmless. Objects updated during a walk move to its end and are read there, or by the next pass.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import (
    ChangeFeedEntry,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    SyncState,
)
from oms_tui.cache.types import utcnow
from oms_tui.cache.upsert import UpsertResult
from oms_tui.store import bulk
from oms_tui.store.errors import StoreError
from oms_tui.store.payloads import (
    FulfillmentOrderLineNode,
    FulfillmentOrderNode,
    InventoryItemNode,
    LineItemNode,
    LocationNode,
    OrderNode,
)
from oms_tui.store.sync_lock import Lease, sync_lock
from oms_tui.store.sync_writes import write_fulfillment_orders, write_inventory, write_locations, write_orders

STREAMS = ("locations", "orders", "fulfillment_orders", "inventory")
OPEN_FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "INCOMPLETE")
INVENTORY_SKUS_PER_QUERY = 50

BULK_WRITE_BATCH = 500
FEED_KEPT = timedelta(days=1)

Node = TypeVar("Node", bound=BaseModel)


@dataclass(frozen=True)
class ChangedStream:
    """A stream of objects with `updatedAt` and paged line items: orders, fulfillment orders."""

    name: str
    page_document: str
    connection: str
    shape: type[Any]
    line_shape: type[BaseModel]
    write: Callable[..., UpsertResult]


ORDERS = ChangedStream("orders", "orders_page", "orders", OrderNode, LineItemNode, write_orders)
FULFILLMENT_ORDERS = ChangedStream(
    "fulfillment_orders",
    "fulfillment_orders_page",
    "fulfillmentOrders",
    FulfillmentOrderNode,
    FulfillmentOrderLineNode,
    write_fulfillment_orders,
)


class Client(Protocol):
    """What sync needs of `StoreClient`."""

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]: ...

    def paginate(
        self, document: str, variables: dict[str, Any], *, connection_path: Sequence[str]
    ) -> Any: ...

    async def fetch_remaining_line_items(self, owner_id: str, after_cursor: str) -> list[dict[str, Any]]: ...

    def download_lines(self, url: str) -> AsyncIterator[str]: ...


@dataclass
class StreamCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class SyncSummary:
    streams: dict[str, StreamCounts] = field(default_factory=dict)
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.streams.values())

    @property
    def errors(self) -> list[str]:
        return [f"{stream}: {error}" for stream, counts in self.streams.items() for error in counts.errors]


ProgressCallback = Callable[[str, StreamCounts], None]


def search_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class SyncEngine:
    def __init__(
        self,
        client: Client,
        cache: Cache,
        *,
        overlap: timedelta = timedelta(minutes=2),
        bulk_after_pages: int | None = 20,  # a first sync with more pages than this goes bulk
        on_progress: ProgressCallback | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client, self.cache, self.overlap = client, cache, overlap
        self.bulk_after_pages, self.sleep = bulk_after_pages, sleep
        self.on_progress = on_progress or (lambda stream, counts: None)
        self.clock = clock
        self.lease: Lease | None = None
        self.watermark_cap: dict[str, datetime] = {}  # per stream, below this pass's malformed objects

    async def run_once(self) -> SyncSummary:
        """One pass over every stream, holding the cache's sync lock (raises `SyncBusy` if taken)."""
        started = time.monotonic()
        summary = SyncSummary()
        self.watermark_cap = {}
        with sync_lock(self.cache.engine) as self.lease:
            for stream in STREAMS:
                counts = summary.streams[stream] = StreamCounts()
                try:
                    await getattr(self, f"_sync_{stream}")(counts)
                except StoreError as exc:
                    self._record_error(stream, str(exc))
                    raise
            self._prune_change_feed()
        summary.seconds = time.monotonic() - started
        return summary

    async def _sync_locations(self, counts: StreamCounts) -> None:
        async for page in self.client.paginate("locations_page", {}, connection_path=("locations",)):
            nodes = self._parse(page, LocationNode, counts, "locations")
            with self.cache.sessions() as session:
                result = write_locations(session, nodes, self.clock())
                self._commit_page(session, "locations", counts, result, watermark=None)

    async def _sync_orders(self, counts: StreamCounts) -> None:
        await self._sync_changed(ORDERS, counts)

    async def _sync_fulfillment_orders(self, counts: StreamCounts) -> None:
        await self._sync_changed(FULFILLMENT_ORDERS, counts)

    async def _sync_changed(self, stream: ChangedStream, counts: StreamCounts) -> None:
        """Page what changed since the watermark; a first sync that finds a large store goes bulk."""
        with self.cache.sessions() as session:
            state = session.get(SyncState, stream.name) or SyncState(stream=stream.name)
        if state.cursor:  # a bulk operation was running when the last process stopped
            await self._sync_bulk(stream, counts, state.cursor)
            return
        variables = {}
        if state.watermark:
            variables["query"] = f"updated_at:>='{search_time(state.watermark - self.overlap)}'"
        pages = self.client.paginate(stream.page_document, variables, connection_path=(stream.connection,))
        read = 0
        async for page in pages:
            await self._write_page(stream, page, counts, advance=True)
            read += 1
            if state.watermark is None and self.bulk_after_pages and read > self.bulk_after_pages:
                await pages.aclose()  # a large store: the rest comes faster in one bulk operation
                await self._sync_bulk(stream, counts, None)
                return

    async def _sync_bulk(self, stream: ChangedStream, counts: StreamCounts, cursor: str | None) -> None:
        if cursor is None:
            operation_id, created = await bulk.start(self.client, stream.name)
            cursor = f"{operation_id} {created.isoformat()}"
            self._save_cursor(stream.name, cursor)
        operation_id, created_text = cursor.split(" ", 1)
        operation = await bulk.wait(self.client, operation_id, sleep=self._pause)
        roots = await bulk.read_tree(self.client, operation["url"])
        for start in range(0, len(roots), BULK_WRITE_BATCH):
            await self._write_page(stream, roots[start : start + BULK_WRITE_BATCH], counts, advance=False)
        with self.cache.sessions() as session:
            # Anything changed after the operation started is read by the next incremental pass.
            self._mark_success(
                session, stream.name, self._capped(stream.name, datetime.fromisoformat(created_text))
            )
            state = session.get_one(SyncState, stream.name)
            state.cursor = None
            session.commit()

    async def _write_page(
        self, stream: ChangedStream, page: list[dict[str, Any]], counts: StreamCounts, *, advance: bool
    ) -> None:
        nodes = self._parse(page, stream.shape, counts, stream.name)
        extra_lines = {
            node.id: self._parse(
                await self._remaining_lines(node.id, node.line_items.page_info.end_cursor),
                stream.line_shape,
                counts,
                stream.name,
            )
            for node in nodes
            if node.line_items.page_info.has_next_page
        }
        with self.cache.sessions() as session:
            result = stream.write(session, nodes, extra_lines, self.clock())
            watermark = max((node.updated_at for node in nodes), default=None) if advance else None
            self._commit_page(
                session, stream.name, counts, result, watermark and self._capped(stream.name, watermark)
            )

    def _save_cursor(self, stream: str, cursor: str) -> None:
        with self.cache.sessions() as session:
            state = session.get(SyncState, stream) or SyncState(stream=stream)
            state.cursor = cursor
            session.add(state)
            session.commit()

    async def _sync_inventory(self, counts: StreamCounts) -> None:
        """Inventory of the SKUs on open work only: that is what pickers and exceptions look at."""
        with self.cache.sessions() as session:
            skus = sorted(
                {
                    sku
                    for sku in session.exec(
                        select(FulfillmentOrderLineItem.sku)
                        .join(
                            FulfillmentOrder,
                            col(FulfillmentOrder.id) == FulfillmentOrderLineItem.fulfillment_order_id,
                        )
                        .where(col(FulfillmentOrder.status).in_(OPEN_FO_STATUSES))
                        .where(FulfillmentOrderLineItem.remaining_quantity > 0)
                    )
                    if sku
                }
            )
        for start in range(0, len(skus), INVENTORY_SKUS_PER_QUERY):
            chunk = skus[start : start + INVENTORY_SKUS_PER_QUERY]
            query = " OR ".join(f"sku:{_quote(sku)}" for sku in chunk)
            async for page in self.client.paginate(
                "inventory_items", {"query": query}, connection_path=("inventoryItems",)
            ):
                nodes = self._parse(page, InventoryItemNode, counts, "inventory")
                with self.cache.sessions() as session:
                    result = write_inventory(session, nodes, self.clock())
                    self._commit_page(session, "inventory", counts, result, watermark=None)

    async def _remaining_lines(self, owner_id: str, after: str | None) -> list[dict[str, Any]]:
        return await self.client.fetch_remaining_line_items(owner_id, after or "")

    def _parse(
        self, raw: list[dict[str, Any]], shape: type[Node], counts: StreamCounts, stream: str
    ) -> list[Node]:
        """Validate each object; a malformed one becomes an exception for a person, the rest go on."""
        nodes = []
        for item in raw:
            try:
                nodes.append(shape.model_validate(item))
            except ValidationError as exc:
                ident = item.get("id") if isinstance(item, dict) else None
                problem = f"malformed {shape.__name__} {ident or '(no id)'}: {_first_error(exc)}"
                counts.errors.append(problem)
                self._hold_watermark(stream, item)
                self._report_malformed(ident, problem)
        return nodes

    def _hold_watermark(self, stream: str, item: Any) -> None:
        """Keep this pass's watermark below a malformed object, so later passes read it again."""
        try:
            updated = datetime.fromisoformat(str(item["updatedAt"]).replace("Z", "+00:00"))
        except (TypeError, KeyError, ValueError):
            return  # no usable time: the object is reported, and read again when it changes
        held = self.watermark_cap.get(stream)
        self.watermark_cap[stream] = min(held, updated) if held else updated

    def _capped(self, stream: str, watermark: datetime) -> datetime:
        cap = self.watermark_cap.get(stream)
        return min(watermark, cap - timedelta(seconds=1)) if cap else watermark

    def _report_malformed(self, ident: str | None, problem: str) -> None:
        with self.cache.sessions() as session:
            already = session.exec(
                select(FloorException).where(
                    FloorException.kind == "sync_malformed",
                    FloorException.subject == ident,
                    FloorException.state == "open",
                )
            ).first()
            if already is None:
                session.add(
                    FloorException(kind="sync_malformed", severity="warning", subject=ident, message=problem)
                )
                session.commit()

    def _commit_page(
        self, session: Session, stream: str, counts: StreamCounts, result: Any, watermark: datetime | None
    ) -> None:
        counts.created += len(result.created)
        counts.updated += len(result.updated)
        counts.unchanged += len(result.unchanged)
        self._mark_success(session, stream, watermark)
        session.commit()
        self._renew_lease()
        self.on_progress(stream, counts)

    def _prune_change_feed(self) -> None:
        """Screens follow the feed by id within seconds; a day of it is plenty."""
        with self.cache.sessions() as session:
            session.connection().execute(
                delete(ChangeFeedEntry).where(col(ChangeFeedEntry.at) < self.clock() - FEED_KEPT)
            )
            session.commit()

    def _renew_lease(self) -> None:
        """Stop syncing (`LeaseLost`) once the sync lock is gone: another station may be syncing now."""
        if self.lease is not None:
            self.lease.check()

    async def _pause(self, seconds: float) -> None:
        """Wait for the store (a bulk operation) while keeping the sync lock."""
        self._renew_lease()
        await self.sleep(seconds)

    def _record_error(self, stream: str, message: str) -> None:
        with self.cache.sessions() as session:
            state = session.get(SyncState, stream) or SyncState(stream=stream)
            state.last_error, state.last_error_at = message, self.clock()
            session.add(state)
            session.commit()

    def _mark_success(self, session: Session, stream: str, watermark: datetime | None) -> None:
        state = session.get(SyncState, stream) or SyncState(stream=stream)
        if watermark and (state.watermark is None or watermark > state.watermark):
            state.watermark = watermark
        state.last_success = self.clock()
        state.last_error = None
        session.add(state)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(map(str, error['loc']))}: {error['msg']}"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
