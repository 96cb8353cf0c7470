"""Resolvers of the query root and of the fields that need more than an attribute read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from oms_tui.sim.model import (
    Fulfillment,
    FulfillmentOrder,
    InventoryItem,
    Location,
    Order,
    legacy_id_of,
)
from oms_tui.sim.orders_factory import LINE_ITEM_BASE, LINES_PER_ORDER, ORDER_BASE, to_ts
from oms_tui.sim.pagination import Scan, connection, list_scan
from oms_tui.sim.return_resolvers import RETURN_KINDS, find_return_object
from oms_tui.sim.search import Search, parse_search
from oms_tui.sim.store import SimStore
from oms_tui.sim.updated_index import Key

ORDER_SEARCH_FIELDS = {
    "updated_at",
    "created_at",
    "status",
    "fulfillment_status",
    "tag",
    "sku",
    "name",
    "email",
    "return_status",
}
# `fulfillment_status:X` -> the `displayFulfillmentStatus` values it matches (Shopify's search names)
FULFILLMENT_STATUS_TERMS = {
    "fulfilled": {"FULFILLED"},
    "shipped": {"FULFILLED"},
    "partial": {"PARTIALLY_FULFILLED"},
    "unfulfilled": {"UNFULFILLED"},
    "unshipped": {"UNFULFILLED", "PARTIALLY_FULFILLED"},
    "on_hold": {"ON_HOLD"},
    "scheduled": {"SCHEDULED"},
    "in_progress": {"IN_PROGRESS"},
    "request_declined": {"REQUEST_DECLINED"},
}
FO_SEARCH_FIELDS = {"updated_at", "created_at", "status", "assigned_location_id"}
ORDER_SORTS_BY_ID = {"ID", "CREATED_AT", "PROCESSED_AT", "ORDER_NUMBER"}


def store_of(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def in_bulk(info: GraphQLResolveInfo) -> bool:
    """Bulk operations read connections whole, without first/last."""
    return bool(info.context.get("bulk_query"))


def _search(info: GraphQLResolveInfo, query: str | None, fields: set[str]) -> Search:
    search = parse_search(query, fields)
    info.context.setdefault("search_warnings", []).extend(search.warnings)
    return search


def _in_bounds(ts: int, bounds: tuple[int | None, int | None]) -> bool:
    low, high = bounds
    return (low is None or ts >= low) and (high is None or ts <= high)


def _bounded(scan: Scan[Any], bounds: tuple[int | None, int | None]) -> Scan[Any]:
    """Start an updatedAt-sorted scan at the search's lower bound and stop at its upper bound."""
    low, high = bounds

    def bounded(start: Key | None, descending: bool) -> Iterator[tuple[Key, Any]]:
        if not descending and low is not None and (start is None or start < (low,)):
            start = (low, -1)
        if descending and high is not None and (start is None or start > (high + 1,)):
            start = (high + 1,)
        for key, item in scan(start, descending):
            if (descending and low is not None and key[0] < low) or (
                not descending and high is not None and key[0] > high
            ):
                return
            yield key, item

    return bounded


def _created_scan(store: SimStore, search: Search) -> Scan[Order]:
    """Orders by id (= creation order), only those within the search's creation bounds."""
    within = store.created_range(*search.time_bounds("created_at"))

    def scan(start: Key | None, descending: bool) -> Iterator[tuple[Key, Order]]:
        first, stop = within.start, within.stop
        if start is not None:  # the cursor: the order after (or before) it comes next
            after = start[0] - ORDER_BASE
            first, stop = (first, min(stop, after)) if descending else (max(first, after + 1), stop)
        for index in range(stop - 1, first - 1, -1) if descending else range(first, stop):
            yield (ORDER_BASE + index,), store.order_at(index)

    return scan


def _order_matches(order: Order, search: Search, check_updated: bool) -> bool:
    for status in search.values("status"):
        if status == "open" and order.closed:
            return False
        if status == "closed" and not order.closed:
            return False
        if status == "cancelled" and order.cancelled_at is None:
            return False
    tags = {t.lower() for t in order.tags}
    if any(tag not in tags for tag in search.values("tag")):
        return False
    skus = {li.sku.lower() for li in order.line_items}
    if any(sku not in skus for sku in search.values("sku")):
        return False
    if any(name.lstrip("#") != str(order.number) for name in search.values("name")):
        return False
    if any(email != (order.email or "").lower() for email in search.values("email")):
        return False
    if not _return_status_matches(order, search) or not _fulfillment_status_matches(order, search):
        return False
    if not _in_bounds(to_ts(order.created_at), search.time_bounds("created_at")):
        return False
    if check_updated and not _in_bounds(to_ts(order.updated_at), search.time_bounds("updated_at")):
        return False
    text = f"{order.name} {order.email} {order.customer.display_name if order.customer else ''}".lower()
    return all(word in text for word in search.free_text)


def _return_status_matches(order: Order, search: Search) -> bool:
    """`return_status:X` (several joined by OR: any of them) and `-return_status:X` (none of them)."""
    status = order.return_status.lower()
    wanted = search.values("return_status")
    return (not wanted or status in wanted) and status not in search.excluded("return_status")


def _fulfillment_status_matches(order: Order, search: Search) -> bool:
    """`fulfillment_status:X` (several: any of them) and `-fulfillment_status:X` (none of them)."""
    status = order.display_fulfillment_status

    def named(terms: list[str]) -> set[str]:
        return set().union(*(FULFILLMENT_STATUS_TERMS.get(term, {term.upper()}) for term in terms))

    wanted = search.values("fulfillment_status")
    return (not wanted or status in named(wanted)) and status not in named(
        search.excluded("fulfillment_status")
    )


def resolve_orders(
    _: Any,
    info: GraphQLResolveInfo,
    sortKey: str = "PROCESSED_AT",
    reverse: bool = False,
    query: str | None = None,
    **page: Any,
) -> dict[str, Any]:
    store = store_of(info)
    search = _search(info, query, ORDER_SEARCH_FIELDS)
    by_updated = sortKey == "UPDATED_AT"
    if not by_updated and sortKey not in ORDER_SORTS_BY_ID:
        raise GraphQLError(
            f"The simulator does not sort orders by {sortKey}", extensions={"code": "BAD_REQUEST"}
        )

    def scan(start: Key | None, descending: bool) -> Iterator[tuple[Key, Order]]:
        return store.scan_orders(by_updated, start, descending)

    # by id = by creation: start and stop at the creation bounds
    chosen = _bounded(scan, search.time_bounds("updated_at")) if by_updated else _created_scan(store, search)
    return connection(
        chosen, page, lambda o: _order_matches(o, search, not by_updated), reverse, unbounded=in_bulk(info)
    )


def resolve_orders_count(
    _: Any, info: GraphQLResolveInfo, query: str | None = None, limit: int | None = 10_000
) -> dict[str, Any]:
    """How many orders match, counted up to `limit` (None: no limit), as Shopify's `ordersCount`."""
    store = store_of(info)
    if query:
        search = _search(info, query, ORDER_SEARCH_FIELDS)
        matching = (order for _, order in _created_scan(store, search)(None, False))
        total = sum(1 for order in matching if _order_matches(order, search, True))
    else:
        total = store.order_count
    if limit is not None and total > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": total, "precision": "EXACT"}


def _fo_matches(fo: FulfillmentOrder, search: Search, include_closed: bool, check_updated: bool) -> bool:
    if fo.is_closed and not include_closed:
        return False
    if any(status != fo.status.lower() for status in search.values("status")):
        return False
    location_id = fo.location.id.rsplit("/", 1)[1]
    if any(wanted.rsplit("/", 1)[-1] != location_id for wanted in search.values("assigned_location_id")):
        return False
    if check_updated and not _in_bounds(to_ts(fo.updated_at), search.time_bounds("updated_at")):
        return False
    return _in_bounds(to_ts(fo.created_at), search.time_bounds("created_at"))


def resolve_fulfillment_orders(
    _: Any,
    info: GraphQLResolveInfo,
    includeClosed: bool = False,
    sortKey: str = "ID",
    reverse: bool = False,
    query: str | None = None,
    **page: Any,
) -> dict[str, Any]:
    store = store_of(info)
    search = _search(info, query, FO_SEARCH_FIELDS)
    by_updated = sortKey == "UPDATED_AT"

    def scan(start: Key | None, descending: bool) -> Iterator[tuple[Key, FulfillmentOrder]]:
        return store.scan_fulfillment_orders(by_updated, start, descending)

    chosen = _bounded(scan, search.time_bounds("updated_at")) if by_updated else scan
    return connection(
        chosen,
        page,
        lambda fo: _fo_matches(fo, search, includeClosed, not by_updated),
        reverse,
        unbounded=in_bulk(info),
    )


def resolve_locations(
    _: Any, info: GraphQLResolveInfo, includeInactive: bool = False, reverse: bool = False, **page: Any
) -> dict[str, Any]:
    locations = sorted(store_of(info).locations.values(), key=lambda loc: loc.name)
    shown = [loc for loc in locations if loc.is_active or includeInactive]
    return connection(list_scan(shown), page, reverse=reverse, unbounded=in_bulk(info))


def resolve_inventory_items(
    _: Any, info: GraphQLResolveInfo, reverse: bool = False, query: str | None = None, **page: Any
) -> dict[str, Any]:
    search = _search(info, query, {"sku", "updated_at"})
    items = list(store_of(info).inventory.values())
    wanted = search.values("sku")
    match = any if search.any_of else all
    changed = search.time_bounds("updated_at")
    shown = [
        item
        for item in items
        if (not wanted or match(item.sku.lower() == sku for sku in wanted))
        and _in_bounds(to_ts(item.updated_at), changed)
    ]
    return connection(list_scan(shown), page, reverse=reverse, unbounded=in_bulk(info))


def find_node(info: GraphQLResolveInfo, global_id: str) -> Any:
    """The object behind a global id, or None: orders, fulfillment orders, catalogue, line items."""
    store = store_of(info)
    parsed = legacy_id_of(global_id)
    if parsed is None:
        return None
    kind, legacy = parsed
    finders: dict[str, Callable[[], Any]] = {
        "Order": lambda: store.order(global_id),
        "FulfillmentOrder": lambda: store.fulfillment_order(global_id),
        "Fulfillment": lambda: store.fulfillment(global_id),
        "Location": lambda: store.locations.get(global_id),
        "InventoryItem": lambda: store.inventory.get(global_id),
        "ProductVariant": lambda: next((v for v in store.variants if v.id == global_id), None),
        "LineItem": lambda: _line_item(store, legacy),
        "BulkOperation": lambda: info.context["bulk"].get(global_id),
        **{kind: lambda: find_return_object(store, global_id) for kind in RETURN_KINDS},
    }
    finder = finders.get(kind)
    return finder() if finder else None


def _line_item(store: SimStore, legacy: int) -> Any:
    order = store.order(f"gid://shopify/Order/{ORDER_BASE + (legacy - LINE_ITEM_BASE) // LINES_PER_ORDER}")
    if order is None:
        return None
    return next((li for li in order.line_items if li.id.endswith(f"/{legacy}")), None)


def resolve_node_type(obj: Any, *_: Any) -> str:
    names = {"Variant": "ProductVariant", "BulkJob": "BulkOperation"}
    return names.get(type(obj).__name__, type(obj).__name__)


def _nested(attr: str) -> Callable[..., dict[str, Any]]:
    def resolve(parent: Any, info: GraphQLResolveInfo, reverse: bool = False, **page: Any) -> dict[str, Any]:
        return connection(list_scan(getattr(parent, attr)), page, reverse=reverse, unbounded=in_bulk(info))

    return resolve


def _active_levels(
    item: InventoryItem, info: GraphQLResolveInfo, reverse: bool = False, **page: Any
) -> dict[str, Any]:
    levels = [level for level in item.levels if level.location.is_active]
    return connection(list_scan(levels), page, reverse=reverse, unbounded=in_bulk(info))


def _first(attr: str) -> Callable[..., list[Any]]:
    def resolve(parent: Any, _info: GraphQLResolveInfo, first: int | None = None) -> list[Any]:
        values: list[Any] = getattr(parent, attr)
        return values if first is None else values[:first]

    return resolve


def _fulfillments_of(fo: FulfillmentOrder, info: GraphQLResolveInfo, **page: Any) -> dict[str, Any]:
    order = store_of(info).order_of(fo)
    shipped = [f for f in order.fulfillments if fo.id in f.fulfillment_order_ids]
    return connection(list_scan(shipped), page, reverse=page.pop("reverse", False), unbounded=in_bulk(info))


def _fulfillment(_: Any, info: GraphQLResolveInfo, id: str) -> Fulfillment | None:
    found = find_node(info, id)
    return found if isinstance(found, Fulfillment) else None


def _fulfillment_line_items(
    fulfillment: Fulfillment, info: GraphQLResolveInfo, reverse: bool = False, **page: Any
) -> dict[str, Any]:
    order = store_of(info).order_of_fulfillment(fulfillment.id)
    lines = fulfillment.line_items_of(order) if order else []
    return connection(list_scan(lines), page, reverse=reverse, unbounded=in_bulk(info))


def _location(_: Any, info: GraphQLResolveInfo, id: str | None = None) -> Location | None:
    store = store_of(info)
    if id is None:
        return next(iter(store.locations.values()))  # the shop's primary location
    return store.locations.get(id)


RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("QueryRoot", "orders"): resolve_orders,
    ("QueryRoot", "order"): lambda _, info, id: store_of(info).order(id),
    ("QueryRoot", "ordersCount"): resolve_orders_count,
    ("QueryRoot", "fulfillmentOrders"): resolve_fulfillment_orders,
    ("QueryRoot", "fulfillmentOrder"): lambda _, info, id: store_of(info).fulfillment_order(id),
    ("QueryRoot", "fulfillment"): _fulfillment,
    ("QueryRoot", "locations"): resolve_locations,
    ("QueryRoot", "location"): _location,
    ("QueryRoot", "inventoryItems"): resolve_inventory_items,
    ("QueryRoot", "inventoryItem"): lambda _, info, id: store_of(info).inventory.get(id),
    ("QueryRoot", "nodes"): lambda _, info, ids: [find_node(info, i) for i in ids],
    ("QueryRoot", "node"): lambda _, info, id: find_node(info, id),
    ("QueryRoot", "job"): lambda _, info, id: store_of(info).jobs.poll(id),
    ("Order", "lineItems"): _nested("line_items"),
    ("Order", "fulfillmentOrders"): _nested("fulfillment_orders"),
    ("Order", "fulfillments"): _first("fulfillments"),
    ("Fulfillment", "trackingInfo"): _first("tracking_info"),
    ("Fulfillment", "fulfillmentLineItems"): _fulfillment_line_items,
    ("FulfillmentOrder", "fulfillments"): _fulfillments_of,
    ("FulfillmentOrder", "lineItems"): _nested("line_items"),
    ("FulfillmentOrder", "order"): lambda fo, info: store_of(info).order_of(fo),
    ("FulfillmentOrder", "assignedLocation"): lambda fo, _: {
        "name": fo.location.name,
        "location": fo.location,
    },
    ("FulfillmentOrder", "fulfillmentHolds"): lambda fo, _: fo.holds,
    ("FulfillmentOrder", "supportedActions"): lambda fo, _: [{"action": a} for a in fo.supported_actions],
    ("InventoryItem", "inventoryLevels"): _active_levels,
    ("InventoryItem", "inventoryLevel"): lambda item, _, locationId: item.level_at(locationId),
    ("InventoryLevel", "quantities"): lambda level, _, names: level.quantities(names),
}
