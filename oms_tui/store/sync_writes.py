"""Writing one page of store objects into the cache, children and change feed included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    ChangeFeedEntry,
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    HeldBack,
    InventoryItem,
    InventoryLevel,
    LineItem,
    Location,
    Order,
    OutboxAction,
)
from oms_tui.cache.order_search import document_row, refresh_order_search, write_documents
from oms_tui.cache.order_tags import insert_order_tags, refresh_order_tags, tag_rows
from oms_tui.cache.ship_by import ShipByPolicy
from oms_tui.cache.ship_by_rows import refresh_ship_by
from oms_tui.cache.stock_state import QUANTITY_NAMES
from oms_tui.cache.sync_state import OUTBOX_WAITING
from oms_tui.cache.upsert import UpsertResult, replace_children, upsert_all, upsert_newer
from oms_tui.store import mapping
from oms_tui.store.payloads import (
    FulfillmentOrderLineNode,
    FulfillmentOrderNode,
    InventoryItemNode,
    LineItemNode,
    LocationNode,
    OrderNode,
)

Node = TypeVar("Node", OrderNode, FulfillmentOrderNode)
DEFAULT_POLICY = ShipByPolicy()


def write_locations(session: Session, nodes: list[LocationNode], now: datetime) -> UpsertResult:
    """Locations have no version of their own: one counts as updated when its name or state changed."""
    rows = [mapping.location_row(node, now) for node in nodes]
    stored = {location.id: (location.name, location.is_active) for location in session.exec(select(Location))}
    result = UpsertResult([], [], [])
    changed = []
    for row in rows:
        if row["id"] not in stored:
            result.created.append(row["id"])
        elif stored[row["id"]] != (row["name"], row["is_active"]):
            result.updated.append(row["id"])
        else:
            result.unchanged.append(row["id"])
            continue
        changed.append(row)
    upsert_all(session, Location, changed)
    return result


# Written by sync, compared by none: the ship-by follows the fulfillment orders' deadlines too (set
# just below), a priority may be a rule's (until the order's next version)
NOT_COMPARED = frozenset({"synced_at", "ship_by", "priority"})


def write_orders(
    session: Session,
    nodes: list[OrderNode],
    extra_lines: dict[str, list[LineItemNode]],
    now: datetime,
    policy: ShipByPolicy = DEFAULT_POLICY,
) -> UpsertResult:
    nodes, held = _hold_back(session, "orders", nodes, lambda node: node.id)
    rows = [mapping.order_row(node, now) for node in nodes]
    for row in rows:
        row["ship_by"] = policy.ship_by(row["created_at"], row["shipping_method"])[0]
    result = upsert_newer(session, Order, rows, ignore=NOT_COMPARED)
    result.unchanged += held
    changed = _newest_by_id(nodes, set(result.created) | set(result.updated))
    refresh_ship_by(session.connection(), changed, policy)
    lines = {
        ident: mapping.line_item_rows(ident, node.line_items.nodes + extra_lines.get(ident, []))
        for ident, node in changed.items()
    }
    parcels = {ident: mapping.fulfillment_rows(node) for ident, node in changed.items()}
    replace_children(
        session, LineItem, "order_id", result.updated, [r for rows in lines.values() for r in rows]
    )
    # Shopify never deletes a fulfillment (it cancels it), and an order's list is read only up to its
    # `first`: the ones not read this time stay as they are.
    upsert_all(session, Fulfillment, [row for rows in parcels.values() for row in rows])
    _index_orders(session, changed, lines, parcels, set(result.created), now)
    _feed(session, "orders", result, now)
    return result


def _index_orders(
    session: Session,
    changed: dict[str, OrderNode],
    lines: dict[str, list[dict[str, Any]]],
    parcels: dict[str, list[dict[str, Any]]],
    created: set[str],
    now: datetime,
) -> None:
    """Search documents and tag rows in step with the orders just written.

    A new order's come from the rows in hand (there is nothing of it to delete or read back); a
    changed order's are rebuilt from the cache, which may hold fulfillments this read did not reach.
    """
    connection = session.connection()
    new = {ident: mapping.order_row(changed[ident], now) for ident in changed if ident in created}
    documents = (document_row(order, lines[ident], parcels[ident]) for ident, order in new.items())
    write_documents(connection, [row for row in documents if row is not None])
    insert_order_tags(
        connection, [tag for order in new.values() for tag in tag_rows(order["id"], order["tags"])]
    )
    updated = [ident for ident in changed if ident not in created]
    refresh_order_search(connection, updated)
    refresh_order_tags(connection, updated)


def write_fulfillment_orders(
    session: Session,
    nodes: list[FulfillmentOrderNode],
    extra_lines: dict[str, list[FulfillmentOrderLineNode]],
    now: datetime,
    policy: ShipByPolicy = DEFAULT_POLICY,
) -> UpsertResult:
    nodes, held = _hold_back(session, "fulfillment_orders", nodes, lambda node: node.order_id)
    result = upsert_newer(
        session, FulfillmentOrder, [mapping.fulfillment_order_row(node, now) for node in nodes]
    )
    result.unchanged += held
    changed = _newest_by_id(nodes, set(result.created) | set(result.updated))
    lines = [
        row
        for node in changed.values()
        for row in mapping.fulfillment_order_line_rows(
            node.id, node.line_items.nodes + extra_lines.get(node.id, [])
        )
    ]
    replace_children(session, FulfillmentOrderLineItem, "fulfillment_order_id", result.updated, lines)
    holds = [row for node in changed.values() for row in mapping.hold_rows(node)]
    replace_children(session, FulfillmentHold, "fulfillment_order_id", result.updated, holds)
    refresh_ship_by(session.connection(), {node.order_id for node in changed.values()}, policy)
    _feed(session, "fulfillment_orders", result, now)
    return result


def write_inventory(session: Session, nodes: list[InventoryItemNode], now: datetime) -> UpsertResult:
    """Items by their `updatedAt`; their levels have no version of their own: a level counts as
    changed when a quantity did (what the result counts: levels)."""
    upsert_newer(session, InventoryItem, [mapping.inventory_item_row(node, now) for node in nodes])
    rows = [row for node in nodes for row in mapping.inventory_rows(node, now)]
    stored = {
        (level.inventory_item_id, level.location_id): tuple(getattr(level, n) for n in QUANTITY_NAMES)
        for level in session.exec(
            select(InventoryLevel).where(
                col(InventoryLevel.inventory_item_id).in_({row["inventory_item_id"] for row in rows})
            )
        )
    }
    result = UpsertResult([], [], [])
    changed = []
    for row in rows:
        key = (row["inventory_item_id"], row["location_id"])
        quantities = tuple(row[name] for name in QUANTITY_NAMES)
        bucket = (
            result.created if key not in stored else result.updated if stored[key] != quantities else None
        )
        if bucket is None:
            result.unchanged.append(key)
            continue
        bucket.append(key)
        changed.append(row)
    upsert_all(session, InventoryLevel, changed)
    return result


def _hold_back(
    session: Session, stream: str, nodes: list[Node], order_of: Callable[[Node], str]
) -> tuple[list[Node], list[str]]:
    """Leave alone the objects of orders with actions still on their way to the store.

    Their cached copies show what the station did (a shipment, a hold) and the store's copy does not
    yet. They are noted in `held_back`: the outbox reads them again by id once nothing of their order
    waits any more (the watermark has moved past them, so no later sync would).
    """
    if (
        session.exec(
            select(OutboxAction.id).where(col(OutboxAction.state).in_(OUTBOX_WAITING)).limit(1)
        ).first()
        is None
    ):
        return nodes, []  # the usual case, answered by the outbox's state index without a list of ids
    order_ids = {order_of(node) for node in nodes}
    waiting = set(
        session.exec(
            select(OutboxAction.order_id).where(
                col(OutboxAction.state).in_(OUTBOX_WAITING), col(OutboxAction.order_id).in_(order_ids)
            )
        )
    )
    if not waiting:
        return nodes, []
    held = [
        {"object_id": n.id, "stream": stream, "order_id": order_of(n)}
        for n in nodes
        if order_of(n) in waiting
    ]
    upsert_all(session, HeldBack, held)
    return [n for n in nodes if order_of(n) not in waiting], [row["object_id"] for row in held]


def _newest_by_id(nodes: list[Any], wanted: set[str]) -> dict[str, Any]:
    newest: dict[str, Any] = {}
    for node in nodes:
        if node.id in wanted and (node.id not in newest or node.updated_at >= newest[node.id].updated_at):
            newest[node.id] = node
    return newest


def _feed(session: Session, stream: str, result: UpsertResult, now: datetime) -> None:
    entries = [
        {"at": now, "stream": stream, "object_id": ident, "change": change}
        for change, idents in (("created", result.created), ("updated", result.updated))
        for ident in idents
    ]
    if entries:
        session.connection().execute(insert(ChangeFeedEntry), entries)
