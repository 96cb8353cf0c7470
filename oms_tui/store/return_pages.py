"""Whole returns: what one read of an order's returns leaves out is paged here.

`returns_page` and the by-id documents read a few returns per order, a few reverse fulfillment orders
per return and a few lines of each (nested lists multiply the query's cost). A long return, one that
was split into several reverse fulfillment orders, or an order with many returns, gets the rest read
by id, page after page, because the cache replaces a return's children with what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from oms_tui.store.return_payloads import (
    OrderReturnsNode,
    ReturnLineNode,
    ReturnLinePage,
    ReturnNode,
    ReturnPage,
    RfoLineNode,
    RfoLinePage,
    RfoNode,
    RfoPage,
)

if TYPE_CHECKING:  # sync reads whole returns through this module
    from oms_tui.store.client import Client

Node = TypeVar("Node", bound=BaseModel)
# What is paged: (document, the connection's path from the query root).
RETURN_LINES = ("return_line_items", ("return", "returnLineItems"))
RETURN_RFOS = ("return_reverse_fulfillment_orders", ("return", "reverseFulfillmentOrders"))
RFO_LINES = ("reverse_fulfillment_order_line_items", ("reverseFulfillmentOrder", "lineItems"))
ORDER_RETURNS = ("order_returns", ("order", "returns"))

async def read_whole(client: Client, orders: Sequence[OrderReturnsNode]) -> list[OrderReturnsNode]:
    """These orders with every return, and every return with all its lines and reverse fulfillment
    orders (raises StoreError or ValidationError)."""
    return [await _whole_order(client, order) for order in orders]


async def whole_return(client: Client, node: ReturnNode) -> ReturnNode:
    """This return with all its lines and reverse fulfillment orders, each with all its lines."""
    if not node.cut_short:
        return node
    lines, page = list(node.return_line_items.nodes), node.return_line_items.page_info
    if page.has_next_page:
        lines += await _rest(client, RETURN_LINES, node.id, page.end_cursor, ReturnLineNode)
    rfos, page = list(node.reverse_fulfillment_orders.nodes), node.reverse_fulfillment_orders.page_info
    if page.has_next_page:
        rfos += await _rest(client, RETURN_RFOS, node.id, page.end_cursor, RfoNode)
    return node.model_copy(
        update={
            "return_line_items": ReturnLinePage(nodes=lines),
            "reverse_fulfillment_orders": RfoPage(nodes=[await _whole_rfo(client, rfo) for rfo in rfos]),
        }
    )


async def _whole_order(client: Client, order: OrderReturnsNode) -> OrderReturnsNode:
    returns, page = list(order.returns.nodes), order.returns.page_info
    if page.has_next_page:
        returns += await _rest(client, ORDER_RETURNS, order.id, page.end_cursor, ReturnNode)
    if not page.has_next_page and not any(node.cut_short for node in returns):
        return order
    whole = [await whole_return(client, node) for node in returns]
    return order.model_copy(update={"returns": ReturnPage(nodes=whole)})


async def _whole_rfo(client: Client, rfo: RfoNode) -> RfoNode:
    page = rfo.line_items.page_info
    if not page.has_next_page:
        return rfo
    rest = await _rest(client, RFO_LINES, rfo.id, page.end_cursor, RfoLineNode)
    return rfo.model_copy(update={"line_items": RfoLinePage(nodes=[*rfo.line_items.nodes, *rest])})


async def _rest(
    client: Client, reader: tuple[str, tuple[str, str]], owner_id: str, after: str | None, shape: type[Node]
) -> list[Node]:
    """The nodes after `after` of the owner's connection that `reader` pages, every page of them."""
    document, path = reader
    found: list[Any] = []
    async for page in client.paginate(document, {"id": owner_id, "after": after}, connection_path=path):
        found += page
    return [shape.model_validate(node) for node in found]
