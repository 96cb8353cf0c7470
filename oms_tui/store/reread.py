"""Reading orders and fulfillment orders again by id, every line item included.

Search-backed queries lag behind writes, so after its own mutations the outbox re-reads what it
changed by id. A by-id document carries the first page of line items only: the rest are paged here,
because the cache replaces an object's children with what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, col, delete, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import HeldBack
from oms_tui.cache.sync_state import OUTBOX_WAITING, OutboxAction
from oms_tui.cache.upsert import upsert_all
from oms_tui.store.client import Client
from oms_tui.store.payloads import FulfillmentOrderLineNode, FulfillmentOrderNode, LineItemNode, OrderNode
from oms_tui.store.return_pages import read_whole
from oms_tui.store.return_payloads import OrderReturnsNode
from oms_tui.store.return_writes import STREAM as RETURNS
from oms_tui.store.return_writes import held_back_row, write_returns
from oms_tui.store.sync_writes import write_fulfillment_orders, write_orders

Line = TypeVar("Line", bound=BaseModel)


async def read_again(
    client: Client,
    cache: Cache,
    order_ids: list[str],
    fo_ids: list[str],
    now: datetime,
    return_order_ids: Sequence[str] = (),
) -> None:
    """Write the store's current copy of these objects (raises StoreError or ValidationError);
    `return_order_ids`: orders whose returns to read.

    Objects held back for these ids are settled by this write (or held back again by it).
    """
    orders = [OrderNode.model_validate(node) for node in await read_nodes(client, "nodes_orders", order_ids)]
    returns = await read_whole(
        client,
        [
            OrderReturnsNode.model_validate(node)
            for node in await read_nodes(client, "nodes_order_returns", list(return_order_ids))
        ],
    )
    fos = [
        FulfillmentOrderNode.model_validate(node)
        for node in await read_nodes(client, "nodes_fulfillment_orders", fo_ids)
    ]
    order_lines = await _rest_of_lines(client, orders, LineItemNode)
    fo_lines = await _rest_of_lines(client, fos, FulfillmentOrderLineNode)
    with cache.sessions() as session:
        noted = [*order_ids, *fo_ids, *(held_back_row(ident)["object_id"] for ident in return_order_ids)]
        session.exec(delete(HeldBack).where(col(HeldBack.object_id).in_(noted)))
        write_orders(session, orders, order_lines, now, cache.ship_by)
        write_fulfillment_orders(session, fos, fo_lines, now, cache.ship_by)
        write_returns(session, returns, now)
        session.commit()


def note_for_reread(session: Session, order_id: str, fo_ids: list[str], returns: bool = False) -> None:
    """Have `read_held_back` read these objects again (in the caller's transaction: crash-safe);
    `returns`: the order's returns too."""
    # An action on something else than an order (a shipment's receipt: its shipment id stands in the
    # order's place) has no order to read again.
    is_order = order_id.startswith("gid://shopify/Order/")
    rows = [{"object_id": order_id, "stream": "orders", "order_id": order_id}] if is_order else []
    rows += [{"object_id": ident, "stream": "fulfillment_orders", "order_id": order_id} for ident in fo_ids]
    rows += [held_back_row(order_id)] if returns else []
    upsert_all(session, HeldBack, rows)


async def read_held_back(client: Client, cache: Cache, now: datetime) -> int:
    """Read again the objects noted in `held_back` (sync left them alone, or the outbox delivered an
    action on them), of orders with nothing on its way to the store any more, many per request."""
    with cache.sessions() as session:
        waiting = select(OutboxAction.order_id).where(col(OutboxAction.state).in_(OUTBOX_WAITING))
        held = session.exec(select(HeldBack).where(col(HeldBack.order_id).not_in(waiting))).all()
    if not held:
        return 0
    orders = [row.object_id for row in held if row.stream == "orders"]
    fos = [row.object_id for row in held if row.stream == "fulfillment_orders"]
    returns = [row.order_id for row in held if row.stream == RETURNS]
    await read_again(client, cache, orders, fos, now, returns)
    return len(held)


async def read_nodes(client: Client, document: str, ids: list[str]) -> list[dict[str, Any]]:
    """The objects with these ids, as the store has them now (missing ones left out)."""
    return await client.read_nodes(document, ids) if ids else []


async def _rest_of_lines(
    client: Client, nodes: list[OrderNode] | list[FulfillmentOrderNode], shape: type[Line]
) -> dict[str, list[Line]]:
    return {
        node.id: [
            shape.model_validate(line)
            for line in await client.fetch_remaining_line_items(
                node.id, node.line_items.page_info.end_cursor or ""
            )
        ]
        for node in nodes
        if node.line_items.page_info.has_next_page
    }
