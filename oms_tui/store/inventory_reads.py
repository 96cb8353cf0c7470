"""The inventory stream: every inventory item and its quantities by name at each location.

A first pass walks every item (`inventoryItems` without a query); later passes read the items the
store changed since the watermark (`inventoryItems(query: "updated_at:>=...")`), plus, by SKU, the
SKUs on open work whose stock the cache holds at no location (an item the search had not yet
indexed when it changed, or a level lost), so pickers never miss stock that exists.

`inventoryItems` has no sort key, so no page tells how far a walk has come: the watermark moves only
once a pass has read everything, to the moment it started (less the overlap when it is used, which
covers the store's search lag and small differences between its clock and ours). A walk is
resumable: after each committed page its query and cursor are kept in the stream's `cursor`, and a
pass that finds one carries on from there (a first sync of 50,000 items killed half way re-reads one
page, not 25,000 items).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, exists, select

from oms_tui.cache.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    Location,
    SyncState,
)
from oms_tui.store.payloads import InventoryItemNode
from oms_tui.store.sync_writes import write_inventory

if TYPE_CHECKING:  # the engine runs this stream; this module keeps its details
    from oms_tui.cache.database import Cache
    from oms_tui.store.client import Client
    from oms_tui.store.sync import StreamCounts, SyncEngine

STREAM = "inventory"
OPEN_FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "INCOMPLETE")
SKUS_PER_QUERY = 50
MAX_LEVELS = 250
DEFAULT_LEVELS = 10  # as inventory_items.graphql asks when told nothing
SEARCH_TIME = "%Y-%m-%dT%H:%M:%SZ"  # as the store's search takes a time


def open_work_skus(session: Session, *, unread_only: bool) -> list[str]:
    """The SKUs still to ship on open fulfillment orders; `unread_only`: those the cache holds no stock of."""
    query = (
        select(FulfillmentOrderLineItem.sku)
        .join(FulfillmentOrder, col(FulfillmentOrder.id) == FulfillmentOrderLineItem.fulfillment_order_id)
        .where(col(FulfillmentOrder.status).in_(OPEN_FO_STATUSES))
        .where(FulfillmentOrderLineItem.remaining_quantity > 0)
    )
    if unread_only:
        query = query.where(~exists().where(col(InventoryLevel.sku) == FulfillmentOrderLineItem.sku))
    return sorted({sku for sku in session.exec(query) if sku})


def levels_per_item(session: Session) -> int:
    """An item has at most one level per active location: asking for more only shrinks the pages
    (the cost rule charges every level asked for). Locations sync first; before they have, the
    document's default."""
    active = session.exec(select(func.count()).select_from(Location).where(col(Location.is_active))).one()
    return min(int(active), MAX_LEVELS) or DEFAULT_LEVELS


def inventory_queries(skus: list[str], changed_since: str | None) -> list[str | None]:
    """The `inventoryItems` searches of one pass: every item (a first pass) or what changed since a
    search time, then the unread SKUs by the 50."""
    by_sku: list[str | None] = [
        " OR ".join(f"sku:{_quote(sku)}" for sku in skus[start : start + SKUS_PER_QUERY])
        for start in range(0, len(skus), SKUS_PER_QUERY)
    ]
    return [f"updated_at:>='{changed_since}'" if changed_since else None, *by_sku]


async def sync_inventory(engine: SyncEngine, counts: StreamCounts) -> None:
    """One pass of the stream (see the module's text); resumes a walk a stopped pass left."""
    cache, clock = engine.cache, engine.clock
    with cache.sessions() as session:
        state = session.get(SyncState, STREAM)
        watermark = state.watermark if state else None
        walk = json.loads(state.cursor) if state and state.cursor else None
        skus = open_work_skus(session, unread_only=True) if watermark is not None else []
        levels_first = levels_per_item(session)
    started = datetime.fromisoformat(walk["started"]) if walk else clock()
    since = (watermark - engine.overlap).strftime(SEARCH_TIME) if watermark else None
    queries = [walk["query"]] if walk else []
    queries += [query for query in inventory_queries(skus, since) if not walk or query != walk["query"]]
    for index, query in enumerate(queries):
        variables: dict[str, Any] = {"levelsFirst": levels_first, **({"query": query} if query else {})}
        if walk and index == 0 and walk.get("after"):
            variables["after"] = walk["after"]
        async for page, after in _pages(engine, variables):
            nodes = engine.malformed.parse(page, InventoryItemNode, counts.errors, STREAM)
            with cache.sessions() as session:
                result = write_inventory(session, nodes, clock())
                if index == 0:  # the walk a stopped pass resumes; the by-SKU reads are short
                    _keep_walk(session, query, after, started)
                engine._commit_page(session, STREAM, counts, result, watermark=None)
    with cache.sessions() as session:  # every query read through: what changed later is next
        _keep_walk(session, None, None, started)
        engine._mark_success(session, STREAM, engine.malformed.capped(STREAM, started))
        session.commit()


async def refresh_skus(client: Client, cache: Cache, skus: list[str], now: datetime) -> int:
    """Read these SKUs' items from the store now (a count re-based after the store refused its
    result needs the store's number, not the one the station had applied); returns levels read."""
    read = 0
    for query in inventory_queries(sorted(set(skus)), None)[1:]:
        async for page in client.paginate(
            "inventory_items", {"query": query}, connection_path=("inventoryItems",)
        ):
            nodes = [InventoryItemNode.model_validate(node) for node in page]
            with cache.sessions() as session:
                result = write_inventory(session, nodes, now)
                read += len(result.created) + len(result.updated) + len(result.unchanged)
                session.commit()
    return read


async def _pages(engine: SyncEngine, variables: dict[str, Any]) -> Any:
    """Each page's nodes with the cursor after it (None on the last page)."""
    cursor: dict[str, Any] = {}

    def remember(connection: dict[str, Any]) -> None:
        info = connection.get("pageInfo") or {}
        cursor["after"] = info.get("endCursor") if info.get("hasNextPage") else None

    async for page in engine.client.paginate(
        "inventory_items", variables, connection_path=("inventoryItems",), on_connection=remember
    ):
        yield page, cursor.get("after")


def _keep_walk(session: Session, query: str | None, after: str | None, started: datetime) -> None:
    state = session.get(SyncState, STREAM) or SyncState(stream=STREAM)
    state.cursor = (
        json.dumps({"query": query, "after": after, "started": started.isoformat()}) if after else None
    )
    session.add(state)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
