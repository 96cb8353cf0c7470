"""The sync engine: store -> cache, one stream at a time, resumable at any point.

Each stream pages `updated_at:>=` (watermark minus an overlap) sorted by UPDATED_AT and commits page
by page; the watermark moves only after its page is committed, so a process killed anywhere re-reads
at most one page and an overlap's worth of objects. Upserts keep the newer copy, so re-reading is
harmless. Objects updated during a walk move to its end and are read there, or by the next pass.
Inventory, which the store cannot sort by updatedAt, moves its watermark per pass and keeps its page
cursor to resume (`inventory_reads`).

A first sync reads the open work before anything else (`_sync_open_work`), so the queue fills within
seconds whatever the store's size; then the history, page by page or, for a store with more orders
than `bulk_above_orders` (counted up front), through bulk operations. The open work moves no
watermark: only the history does, so a kill anywhere still resumes into a complete cache.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import Session, col

from oms_tui.cache.database import Cache
from oms_tui.cache.models import ChangeFeedEntry, SyncState
from oms_tui.cache.types import utcnow
from oms_tui.cache.upsert import UpsertResult
from oms_tui.store.bad_objects import write_or_apart
from oms_tui.store.bulk_history import history_unread, start_bulk, sync_bulk
from oms_tui.store.changed_streams import (
    FULFILLMENT_ORDERS,
    ORDERS,
    ChangedStream,
    StreamCounts,
    SyncSummary,
    search_time,
)
from oms_tui.store.client import Client
from oms_tui.store.errors import StoreError
from oms_tui.store.inbound_sync import STREAM as INBOUND
from oms_tui.store.inbound_sync import sync_inbound
from oms_tui.store.inventory_reads import STREAM as INVENTORY
from oms_tui.store.inventory_reads import sync_inventory
from oms_tui.store.malformed_objects import MalformedObjects, first_error
from oms_tui.store.orders_first import orders_first
from oms_tui.store.page_batch import PageBatch, WriteBehind
from oms_tui.store.page_size import NestedSize
from oms_tui.store.payloads import (
    LocationNode,
)
from oms_tui.store.return_pages import read_whole
from oms_tui.store.return_payloads import OrderReturnsNode
from oms_tui.store.return_writes import STREAM as RETURNS
from oms_tui.store.return_writes import write_returns
from oms_tui.store.streams import STREAMS
from oms_tui.store.sync_lock import Lease, sync_lock
from oms_tui.store.sync_writes import write_locations

log = logging.getLogger(__name__)

OPEN_WORK = "open_work"  # a first sync's first step (its progress name): open work and its orders
OPEN_WORK_LIMIT = 2_000  # open fulfillment orders read first; a longer backlog comes with the history
BULK_ABOVE_ORDERS = 250  # a first sync of more orders reads the history in bulk (paging: ~20 a request)
# Returns come through their orders (there is no top-level returns query): a first read takes the
# orders whose returns are still open, later passes every order whose returns changed since.
OPEN_RETURNS = "return_status:return_requested OR return_status:in_progress"
ANY_RETURN = "-return_status:no_return"

# Pages of a changed stream asked for ahead of the one being read: a walk to the end, so the store
# works on later pages while a batch is written (a write that stalls, a checkpoint, costs no round trip).
HISTORY_READ_AHEAD = 8
FEED_KEPT = timedelta(days=1)


ProgressCallback = Callable[[str, StreamCounts], None]


class SyncEngine:
    def __init__(
        self,
        client: Client,
        cache: Cache,
        *,
        overlap: timedelta = timedelta(minutes=2),
        bulk_above_orders: int | None = BULK_ABOVE_ORDERS,  # None: never bulk
        open_work_limit: int = OPEN_WORK_LIMIT,
        on_progress: ProgressCallback | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client, self.cache, self.overlap = client, cache, overlap
        self.bulk_above_orders, self.open_work_limit, self.sleep = bulk_above_orders, open_work_limit, sleep
        self.on_progress = on_progress or (lambda stream, counts: None)
        self.clock = clock
        self.lease: Lease | None = None
        self.malformed = MalformedObjects(cache)
        self.history_in_bulk: bool | None = None  # decided once per pass that needs it
        self.nested_sizes = {stream.name: NestedSize() for stream in (ORDERS, FULFILLMENT_ORDERS)}
        self.streams = {stream: StreamCounts() for stream in STREAMS}  # what this pass counts

    async def run_once(self) -> SyncSummary:
        """One pass over every stream, holding the cache's sync lock (raises `SyncBusy` if taken)."""
        started = time.monotonic()
        summary = SyncSummary()
        self.malformed, self.history_in_bulk = MalformedObjects(self.cache), None
        with sync_lock(self.cache.engine) as self.lease:
            summary.streams = self.streams = {stream: StreamCounts() for stream in STREAMS}
            steps = self.steps(summary.streams)
            order = ("locations", OPEN_WORK, *STREAMS[1:]) if self._open_work_unread() else STREAMS
            for step in order:
                try:
                    await steps[step]()
                except StoreError as exc:
                    self._record_error(step, str(exc))
                    raise
            self._prune_change_feed()
        summary.seconds = time.monotonic() - started
        return summary

    def steps(self, streams: dict[str, StreamCounts]) -> dict[str, Callable[[], Awaitable[None]]]:
        """Every step of a pass by name: the streams, and a first sync's open work."""
        fos = FULFILLMENT_ORDERS.name
        return {
            "locations": lambda: self._sync_locations(streams["locations"]),
            # counted with the streams its objects belong to
            OPEN_WORK: lambda: self._sync_open_work(streams[ORDERS.name], streams[fos]),
            ORDERS.name: lambda: self._sync_changed(ORDERS, streams[ORDERS.name]),
            fos: lambda: self._sync_changed(FULFILLMENT_ORDERS, streams[fos]),
            RETURNS: lambda: self._sync_returns(streams[RETURNS]),
            INVENTORY: lambda: sync_inventory(self, streams[INVENTORY]),
            INBOUND: lambda: sync_inbound(self, streams[INBOUND]),
        }

    def _open_work_unread(self) -> bool:
        """A first sync: no fulfillment order history read or being read, and no open work read yet."""
        with self.cache.sessions() as session:
            history = session.get(SyncState, FULFILLMENT_ORDERS.name)
            done = session.get(SyncState, OPEN_WORK)
        return history_unread(history) and (done is None or done.last_success is None)

    async def _sync_open_work(self, orders: StreamCounts, fulfillment_orders: StreamCounts) -> None:
        """The open fulfillment orders, in the queue's order, each page committed with its orders.

        The queue fills as pages land, whatever the store's size: at most `open_work_limit` are read
        here, the rest with the history. A bulk operation for the history starts after: its work
        would slow these pages on a store that serves both from one machine, as the simulator does.
        """
        if self.open_work_limit > 0:
            await self._read_open_work(orders, fulfillment_orders)
        with self.cache.sessions() as session:
            state = session.get(SyncState, OPEN_WORK) or SyncState(stream=OPEN_WORK)
            state.last_success, state.last_error = self.clock(), None
            session.add(state)
            session.commit()

    async def _read_open_work(self, orders: StreamCounts, fulfillment_orders: StreamCounts) -> None:
        pages = self.client.paginate(
            "open_fulfillment_orders",
            {},
            connection_path=("fulfillmentOrders",),
            nested=self.nested_sizes[FULFILLMENT_ORDERS.name],
        )
        read = 0
        async for page in pages:
            order_ids = dict.fromkeys(
                str(fo["orderId"]) for fo in page if isinstance(fo, dict) and "orderId" in fo
            )
            orders_page = await self.client.read_nodes("nodes_orders", list(order_ids))
            await self._write_page(ORDERS, orders_page, orders, advance=False, progress=OPEN_WORK)
            await self._write_page(
                FULFILLMENT_ORDERS, page, fulfillment_orders, advance=False, progress=OPEN_WORK
            )
            read += len(page)
            if read >= self.open_work_limit:
                await pages.aclose()
                return

    async def _history_in_bulk(self) -> bool:
        """Whether a first sync reads the history in bulk, decided from the store's order count
        (one cheap query) instead of after walking pages of it."""
        if self.history_in_bulk is None:
            limit = self.bulk_above_orders
            self.history_in_bulk = limit is not None and (await self._orders_count() or 0) > limit
        return self.history_in_bulk

    async def _orders_count(self) -> int | None:
        """The store's order count; None when it cannot be read: the history is then paged, which
        takes longer on a large store but needs nothing more of it."""
        try:
            count = (await self.client.execute("orders_count"))["ordersCount"] or {"count": 0}
            return int(count["count"])
        except (StoreError, KeyError, TypeError, ValueError) as exc:
            log.warning(
                "orders count unreadable (%s): reading the history page by page", exc or type(exc).__name__
            )
            return None

    async def _sync_locations(self, counts: StreamCounts) -> None:
        async for page in self.client.paginate("locations_page", {}, connection_path=("locations",)):
            nodes = self.malformed.parse(page, LocationNode, counts.errors, "locations")
            with self.cache.sessions() as session:
                result = write_locations(session, nodes, self.clock())
                self._commit_page(session, "locations", counts, result, watermark=None)

    async def _sync_returns(self, counts: StreamCounts) -> None:
        """Orders with returns, by updatedAt; what one page of them cuts short is read by id."""
        with self.cache.sessions() as session:
            state = session.get(SyncState, RETURNS)
        watermark = state.watermark if state else None
        since = f"updated_at:>='{search_time(watermark - self.overlap)}'" if watermark else None
        query = f"{since} {ANY_RETURN}" if since else OPEN_RETURNS
        async for page in self.client.paginate("returns_page", {"query": query}, connection_path=("orders",)):
            nodes = await self._whole_returns(
                self.malformed.parse(page, OrderReturnsNode, counts.errors, RETURNS), counts
            )
            with self.cache.sessions() as session:
                result = write_returns(session, nodes, self.clock())
                newest = max((node.updated_at for node in nodes), default=None)
                self._commit_page(
                    session, RETURNS, counts, result, newest and self.malformed.capped(RETURNS, newest)
                )

    async def _whole_returns(
        self, orders: list[OrderReturnsNode], counts: StreamCounts
    ) -> list[OrderReturnsNode]:
        """Each order's returns read whole; an order whose further pages are malformed is reported and
        left as the cache has it (a partial copy would drop what it lacks), to be read again."""
        whole = []
        for order in orders:
            try:
                whole += await read_whole(self.client, [order])
            except ValidationError as exc:
                problem = f"malformed returns of order {order.id}: {first_error(exc)}"
                counts.errors.append(problem)
                self.malformed.hold_watermark(RETURNS, {"updatedAt": order.updated_at.isoformat()})
                self.malformed.report(order.id, problem)
        return whole

    async def _sync_changed(self, stream: ChangedStream, counts: StreamCounts) -> None:
        """Page what changed since the watermark; the first read of a large store's history goes bulk."""
        with self.cache.sessions() as session:
            state = session.get(SyncState, stream.name) or SyncState(stream=stream.name)
        if state.cursor:  # a bulk operation was started, by this pass or by one that stopped
            await sync_bulk(self, stream, counts, state.cursor)
            return
        if state.watermark is None and await self._history_in_bulk():
            cursor = await start_bulk(self, stream, otherwise="reading page by page")
            if cursor is not None:
                await sync_bulk(self, stream, counts, cursor)
                return
        await self._page(stream, counts, state.watermark)

    async def _page(self, stream: ChangedStream, counts: StreamCounts, watermark: datetime | None) -> None:
        variables = {}
        if watermark:
            variables["query"] = f"updated_at:>='{search_time(watermark - self.overlap)}'"
        batch, writes = PageBatch(), WriteBehind()

        def write(taken: tuple[list[Any], dict[str, list[Any]]]) -> Callable[[], None]:
            return lambda: self._write_nodes(stream, *taken, counts, advance=True)

        try:
            async for page in self.client.paginate(
                stream.page_document,
                variables,
                connection_path=(stream.connection,),
                nested=self.nested_sizes[stream.name],
                read_ahead=HISTORY_READ_AHEAD,
            ):
                batch.add(*await self._read_page(stream, page, counts))
                if batch.full:
                    await writes.submit(write(batch.take()))
        except StoreError:
            await writes.submit(write(batch.take()))  # keep what was read
            raise
        else:
            await writes.submit(write(batch.take()))
        finally:
            await writes.drain()

    async def _write_page(
        self,
        stream: ChangedStream,
        page: list[dict[str, Any]],
        counts: StreamCounts,
        *,
        advance: bool,
        progress: str | None = None,
    ) -> None:
        self._write_nodes(stream, *await self._read_page(stream, page, counts), counts, advance, progress)

    async def _read_page(
        self, stream: ChangedStream, page: list[dict[str, Any]], counts: StreamCounts
    ) -> tuple[list[Any], dict[str, list[Any]]]:
        """A page's objects as nodes, with the rest of any long line-item list read."""
        nodes = self.malformed.parse(page, stream.shape, counts.errors, stream.name)
        if stream is FULFILLMENT_ORDERS:
            await orders_first(self, nodes, self.streams[ORDERS.name])
        extra_lines = {
            node.id: self.malformed.parse(
                await self._remaining_lines(node.id, node.line_items.page_info.end_cursor),
                stream.line_shape,
                counts.errors,
                stream.name,
            )
            for node in nodes
            if node.line_items.page_info.has_next_page
        }
        self.nested_sizes[stream.name].observe(
            len(node.line_items.nodes) + len(extra_lines.get(node.id, [])) for node in nodes
        )
        return nodes, extra_lines

    def _write_nodes(
        self,
        stream: ChangedStream,
        nodes: list[Any],
        extra_lines: dict[str, list[Any]],
        counts: StreamCounts,
        advance: bool,
        progress: str | None = None,
    ) -> None:
        def write(some: list[Any], newest: list[Any] | None) -> None:
            """`some` in one transaction, the watermark moved up to the newest of `newest` (if any)."""
            with self.cache.sessions() as session:
                result = (
                    stream.write(session, some, extra_lines, self.clock(), self.cache.ship_by)
                    if some
                    else UpsertResult([], [], [])
                )
                watermark = max((node.updated_at for node in newest), default=None) if newest else None
                capped = watermark and self.malformed.capped(stream.name, watermark)
                self._commit_page(session, stream.name, counts, result, capped, progress=progress)

        if nodes:
            write_or_apart(write, nodes, self.malformed, stream.name, counts.errors, advance=advance)

    def _save_cursor(self, stream: str, cursor: str) -> None:
        with self.cache.sessions() as session:
            state = session.get(SyncState, stream) or SyncState(stream=stream)
            state.cursor = cursor
            session.add(state)
            session.commit()

    async def _remaining_lines(self, owner_id: str, after: str | None) -> list[dict[str, Any]]:
        return await self.client.fetch_remaining_line_items(owner_id, after or "")

    def _commit_page(
        self,
        session: Session,
        stream: str,
        counts: StreamCounts,
        result: Any,
        watermark: datetime | None,
        *,
        progress: str | None = None,
    ) -> None:
        counts.created += len(result.created)
        counts.updated += len(result.updated)
        counts.unchanged += len(result.unchanged)
        self._mark_success(session, stream, watermark)
        session.commit()
        self._renew_lease()
        self.on_progress(progress or stream, counts)

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
