"""Serving returns: lookups by id, nested connections, and the `return_status` of orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from oms_tui.sim.model import legacy_id_of
from oms_tui.sim.pagination import connection, list_scan
from oms_tui.sim.return_model import (
    Return,
    ReverseDelivery,
    ReverseDeliveryShippingDeliverable,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.sim.returns_factory import locate
from oms_tui.sim.store import SimStore

RETURN_KINDS = ("Return", "ReverseFulfillmentOrder", "ReverseFulfillmentOrderLineItem")


def find_return_object(store: SimStore, global_id: str) -> Any:
    """The return, reverse fulfillment order or reverse fulfillment order line item with this id."""
    parsed = legacy_id_of(global_id)
    if parsed is None or parsed[0] not in RETURN_KINDS:
        return None
    located = locate(*parsed)
    if located is None or not 0 <= located[0] < store.order_count:
        return None
    index, position = located
    returns = store.order_at(index).returns
    if position >= len(returns):
        return None
    found = returns[position]
    if parsed[0] == "Return":
        return found if found.id == global_id else None
    rfos = found.reverse_fulfillment_orders
    if parsed[0] == "ReverseFulfillmentOrder":
        return next((rfo for rfo in rfos if rfo.id == global_id), None)
    return next((line for rfo in rfos for line in rfo.line_items if line.id == global_id), None)


def rfo_line_owner(
    store: SimStore, line: ReverseFulfillmentOrderLineItem
) -> tuple[Return, ReverseFulfillmentOrder]:
    parsed = legacy_id_of(line.id)
    assert parsed is not None
    located = locate(*parsed)
    assert located is not None
    found = store.order_at(located[0]).returns[located[1]]
    rfo = next(rfo for rfo in found.reverse_fulfillment_orders if line in rfo.line_items)
    return found, rfo


def _store(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def _by_id(kind: type[Any]) -> Callable[..., Any]:
    def resolve(_: Any, info: GraphQLResolveInfo, id: str) -> Any:
        found = find_return_object(_store(info), id)
        return found if isinstance(found, kind) else None

    return resolve


def _nested(attr: str) -> Callable[..., dict[str, Any]]:
    def resolve(parent: Any, info: GraphQLResolveInfo, reverse: bool = False, **page: Any) -> dict[str, Any]:
        page.pop("query", None)  # Order.returns(query:) filters nothing the floor asks for
        unbounded = bool(info.context.get("bulk_query"))
        return connection(list_scan(getattr(parent, attr)), page, reverse=reverse, unbounded=unbounded)

    return resolve


def _deliverable(delivery: ReverseDelivery, _info: GraphQLResolveInfo) -> ReverseDeliveryShippingDeliverable:
    return ReverseDeliveryShippingDeliverable(delivery.tracking)


RETURN_RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("QueryRoot", "return"): _by_id(Return),
    ("QueryRoot", "reverseFulfillmentOrder"): _by_id(ReverseFulfillmentOrder),
    ("Order", "returns"): _nested("returns"),
    ("Return", "returnLineItems"): _nested("return_line_items"),
    ("Return", "reverseFulfillmentOrders"): _nested("reverse_fulfillment_orders"),
    ("Return", "order"): lambda r, info: _store(info).order(r.order_id),
    ("ReverseFulfillmentOrder", "lineItems"): _nested("line_items"),
    ("ReverseFulfillmentOrder", "reverseDeliveries"): _nested("reverse_deliveries"),
    ("ReverseFulfillmentOrder", "order"): lambda rfo, info: _store(info).order(rfo.order_id),
    ("ReverseDelivery", "deliverable"): _deliverable,
}
