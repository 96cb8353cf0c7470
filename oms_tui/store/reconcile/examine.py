"""The orders a comparison points at, compared field by field with the store's copy and mended.

Mending is reading the store's copy again (the same write sync makes, which keeps a copy with the
same `updatedAt` but other values: a change the store made without moving it) and, for an order
the store no longer has, taking it and everything hanging from it out of the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FulfillmentOrder, Order, Return
from oms_tui.store import mapping
from oms_tui.store.client import Client
from oms_tui.store.payloads import OrderNode
from oms_tui.store.reconcile.differences import CHANGED, DELETED, MISSING, Difference
from oms_tui.store.reconcile.facets import parse_time
from oms_tui.store.reread import read_again, read_nodes

# Columns the floor derives or sync stamps: not the store's to compare.
NOT_COMPARED = frozenset({"synced_at", "priority"})


async def examine(
    client: Client, cache: Cache, order_ids: Sequence[str], now: datetime, *, repair: bool
) -> list[Difference]:
    """Compare these orders (and their fulfillment orders) with the store's copies; mend them unless
    `repair` is False. Returns one difference per order that differs."""
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        return []
    nodes = {
        node["id"]: OrderNode.model_validate(node) for node in await read_nodes(client, "nodes_orders", ids)
    }
    listed = await read_nodes(client, "reconcile_order_fulfillment_orders", ids)
    store_fos = {node["id"]: node["fulfillmentOrders"]["nodes"] for node in listed}
    # an order with more fulfillment orders than listed: none of its cached ones is taken as gone
    whole = {node["id"] for node in listed if not node["fulfillmentOrders"]["pageInfo"]["hasNextPage"]}
    differences = []
    with cache.sessions() as session:
        for ident in ids:
            found = _compare(session, ident, nodes.get(ident), store_fos.get(ident, []), now)
            if found is not None:
                differences.append(found)
    if repair and differences:
        await _mend(client, cache, differences, store_fos, whole, now)
    return differences


def _compare(
    session: Session, ident: str, node: OrderNode | None, store_fos: list[dict[str, Any]], now: datetime
) -> Difference | None:
    cached = session.get(Order, ident)
    if node is None:
        if cached is None:
            return None
        return Difference(DELETED, ident, f"{cached.name}: in the cache, not at the store", ident)
    if cached is None:
        return Difference(MISSING, ident, f"{node.name}: at the store, never in the cache", ident)
    row = mapping.order_row(node, now)
    fields = [
        name for name, value in row.items() if name not in NOT_COMPARED and getattr(cached, name) != value
    ]
    details = [f"{name}: {getattr(cached, name)!r} here, {row[name]!r} there" for name in fields]
    details += _fulfillment_order_differences(session, ident, store_fos)
    if not details:
        return None
    return Difference(CHANGED, ident, f"{node.name}: " + "; ".join(details), ident)


def _fulfillment_order_differences(
    session: Session, order_id: str, store_fos: list[dict[str, Any]]
) -> list[str]:
    here = {
        fo.id: (fo.status, fo.updated_at)
        for fo in session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order_id))
    }
    there = {fo["id"]: (fo["status"], parse_time(fo["updatedAt"])) for fo in store_fos}
    found = []
    for ident in sorted(set(here) | set(there)):
        mine, theirs = here.get(ident), there.get(ident)
        if mine == theirs:
            continue
        short = ident.rsplit("/", 1)[-1]
        if mine is None:
            found.append(f"fulfillment order {short}: not here, {theirs and theirs[0]} there")
        elif theirs is None:
            found.append(f"fulfillment order {short}: {mine[0]} here, not there")
        elif mine[0] != theirs[0]:
            found.append(f"fulfillment order {short}: {mine[0]} here, {theirs[0]} there")
        else:
            found.append(
                f"fulfillment order {short}: updated {mine[1]:%H:%M:%S} here, {theirs[1]:%H:%M:%S} there"
            )
    return found


async def _mend(
    client: Client,
    cache: Cache,
    differences: list[Difference],
    store_fos: dict[str, list[dict[str, Any]]],
    whole: set[str],
    now: datetime,
) -> None:
    gone = [d.subject for d in differences if d.kind == DELETED]
    present = [d.subject for d in differences if d.kind in (MISSING, CHANGED)]
    fo_ids = [fo["id"] for ident in present for fo in store_fos.get(ident, [])]
    await read_again(client, cache, present, fo_ids, now, present)
    with cache.sessions() as session:
        forget_orders(session, gone)
        _forget_stale_fulfillment_orders(session, [ident for ident in present if ident in whole], set(fo_ids))
        session.commit()
    for difference in differences:
        difference.repaired = True


def forget_orders(session: Session, order_ids: list[str]) -> None:
    """Orders the store no longer has, with their fulfillment orders and returns (children cascade)."""
    if not order_ids:
        return
    session.exec(delete(FulfillmentOrder).where(col(FulfillmentOrder.order_id).in_(order_ids)))
    session.exec(delete(Return).where(col(Return.order_id).in_(order_ids)))
    session.exec(delete(Order).where(col(Order.id).in_(order_ids)))


def _forget_stale_fulfillment_orders(session: Session, order_ids: list[str], at_store: set[str]) -> None:
    """Fulfillment orders the cache holds for these orders that the store no longer lists."""
    if order_ids:
        session.exec(
            delete(FulfillmentOrder).where(
                col(FulfillmentOrder.order_id).in_(order_ids), col(FulfillmentOrder.id).not_in(at_store)
            )
        )
