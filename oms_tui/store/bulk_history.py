"""A first sync's history through bulk operations: started ahead while the store is free, polled,
its file read whole and written in batches; a failed operation's partial file kept, the rest paged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import FloorException, SyncState
from oms_tui.store import bulk
from oms_tui.store.changed_streams import FULFILLMENT_ORDERS, ORDERS, ChangedStream, StreamCounts, search_time
from oms_tui.store.errors import StoreError

if TYPE_CHECKING:
    from oms_tui.store.sync import SyncEngine

log = logging.getLogger(__name__)

BULK_WRITE_BATCH = 500


async def bulk_ahead(engine: SyncEngine, stream: ChangedStream) -> None:
    """Start a later stream's bulk operation now, if its history goes bulk, so the store prepares
    its file while this pass reads or writes something else (the store runs one at a time: called
    when none runs). Its step then finds the operation under way, or done."""
    with engine.cache.sessions() as session:
        history = session.get(SyncState, stream.name)
    if history_unread(history) and await engine._history_in_bulk():
        await start_bulk(engine, stream, otherwise="asking again at its turn")


async def start_bulk(engine: SyncEngine, stream: ChangedStream, otherwise: str) -> str | None:
    """Start the stream's bulk operation and keep its id; None when the store will not run it
    (logged with what the sync does `otherwise`)."""
    try:
        operation_id, created = await bulk.start(engine.client, stream.name)
    except bulk.BulkFailed as exc:  # e.g. an operation of a process that died before keeping its id
        log.warning("%s: no bulk operation (%s); %s", stream.name, exc, otherwise)
        return None
    cursor = f"{operation_id} {created.isoformat()}"
    engine._save_cursor(stream.name, cursor)
    return cursor


async def sync_bulk(engine: SyncEngine, stream: ChangedStream, counts: StreamCounts, cursor: str) -> None:
    """Wait for the stream's operation (`cursor`: its id and start), then write its whole file."""
    operation_id, created_text = cursor.split(" ", 1)
    try:
        operation = await bulk.wait(engine.client, operation_id, sleep=engine._pause)
    except bulk.BulkFailed as failure:
        await bulk_failed(engine, stream, counts, failure)
        return
    if stream is ORDERS:  # the store is free: it prepares the next file while this one is written
        await bulk_ahead(engine, FULFILLMENT_ORDERS)
    roots = await bulk.read_tree(engine.client, operation["url"])
    await write_roots(engine, stream, roots, counts)
    with engine.cache.sessions() as session:
        # Anything changed after the operation started is read by the next incremental pass.
        engine._mark_success(
            session, stream.name, engine.malformed.capped(stream.name, datetime.fromisoformat(created_text))
        )
        state = session.get_one(SyncState, stream.name)
        state.cursor = None
        session.commit()


async def bulk_failed(
    engine: SyncEngine, stream: ChangedStream, counts: StreamCounts, failure: bulk.BulkFailed
) -> None:
    """Forget the operation (no later pass polls it again), say why, keep what it left, page the rest."""
    message = f"{failure}; reading {stream.name.replace('_', ' ')} page by page instead"
    log.warning("%s", message)
    with engine.cache.sessions() as session:
        state = session.get_one(SyncState, stream.name)
        state.cursor = None
        state.last_error, state.last_error_at = message, engine.clock()
        session.add(
            FloorException(
                kind=ExceptionKind.SYNC_FAILED,
                severity="warning",
                subject=failure.operation.get("id"),
                message=message,
            )
        )
        session.commit()
        watermark = state.watermark
    if failure.operation.get("partialDataUrl"):
        await write_partial(engine, stream, counts, failure.operation["partialDataUrl"])
    await engine._page(stream, counts, watermark)


async def write_partial(engine: SyncEngine, stream: ChangedStream, counts: StreamCounts, url: str) -> None:
    """What a failed operation left, for the floor to see now. Its file may stop anywhere, so an
    object's children may be cut short: each is written a second older than the store's copy,
    which the paged read that follows then counts as newer and writes whole."""
    try:
        roots = await bulk.read_tree(engine.client, url)
    except StoreError as exc:
        log.warning("%s: partial data of the failed operation unreadable: %s", stream.name, exc)
        return
    for root in roots:
        try:
            updated = datetime.fromisoformat(str(root["updatedAt"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue  # reported as malformed when parsed
        root["updatedAt"] = search_time(updated - timedelta(seconds=1))
    await write_roots(engine, stream, roots, counts)


async def write_roots(
    engine: SyncEngine, stream: ChangedStream, roots: list[Any], counts: StreamCounts
) -> None:
    """A bulk file's objects, in batches of `BULK_WRITE_BATCH`."""
    for start in range(0, len(roots), BULK_WRITE_BATCH):
        await engine._write_page(stream, roots[start : start + BULK_WRITE_BATCH], counts, advance=False)


def history_unread(state: SyncState | None) -> bool:
    """A stream whose history has not been read, nor is being read by a bulk operation."""
    return state is None or (state.watermark is None and not state.cursor)
