"""The simulator's returns: disposing and closing follow Shopify's rules, with its userErrors."""

from __future__ import annotations

import httpx
import pytest

from oms_tui.sim.store import SimStore
from tests.sim.conftest import Clock, gql
from tests.store.returns_shop import request_return

DISPOSE = """mutation($inputs: [ReverseFulfillmentOrderDisposeInput!]!) {
  reverseFulfillmentOrderDispose(dispositionInputs: $inputs) {
    reverseFulfillmentOrderLineItems { id dispositions { type quantity location { id } } }
    userErrors { field message code } } }"""
CLOSE = """mutation($id: ID!) { returnClose(id: $id) { return { id status closedAt }
  userErrors { field message code } } }"""
READ = """query($id: ID!) { return(id: $id) { status name
  reverseFulfillmentOrders(first: 2) { nodes { status lineItems(first: 10) { nodes { id totalQuantity
  dispositions { type quantity } } } } } } }"""


def _on_hand(store: SimStore, sku: str, location_id: str) -> int:
    item = store.inventory_by_sku(sku)
    assert item is not None
    return next(level.on_hand for level in item.levels if level.location.id == location_id)


async def test_dispose_checks_every_input_before_applying_any(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    returned = request_return(store, min_lines=2)
    first, second = returned.reverse_fulfillment_orders[0].line_items
    location = next(loc for loc in store.locations.values() if loc.is_active)
    inactive = next(loc for loc in store.locations.values() if not loc.is_active)
    body = await gql(
        client,
        DISPOSE,
        inputs=[
            {"reverseFulfillmentOrderLineItemId": first.id, "quantity": first.total_quantity,
             "dispositionType": "RESTOCKED", "locationId": location.id},
            {"reverseFulfillmentOrderLineItemId": second.id, "quantity": second.total_quantity + 1,
             "dispositionType": "MISSING"},
            {"reverseFulfillmentOrderLineItemId": second.id, "quantity": 1,
             "dispositionType": "RESTOCKED", "locationId": inactive.id},
            {"reverseFulfillmentOrderLineItemId": second.id, "quantity": 1,
             "dispositionType": "RESTOCKED", "locationId": "gid://shopify/Location/1"},
            {"reverseFulfillmentOrderLineItemId": second.id, "quantity": 1, "dispositionType": "RESTOCKED"},
        ],
    )  # fmt: skip
    result = body["data"]["reverseFulfillmentOrderDispose"]
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["dispositionInputs", "1", "quantity"], "LESS_THAN_OR_EQUAL_TO"),
        (["dispositionInputs", "2", "locationId"], "INVALID"),
        (["dispositionInputs", "3", "locationId"], "NOT_FOUND"),
        (["dispositionInputs", "4", "locationId"], "BLANK"),
    ]
    assert result["reverseFulfillmentOrderLineItems"] is None
    assert first.dispositions == [] and second.dispositions == [], "a refused call applied something"


async def test_dispose_restocks_closes_the_rfo_and_refuses_more_than_is_left(
    store: SimStore, client: httpx.AsyncClient, clock: Clock
) -> None:
    returned = request_return(store, min_lines=2)
    first, second = returned.reverse_fulfillment_orders[0].line_items
    sku = first.fulfillment_line_item.line_item.sku
    location = store.order(returned.order_id).fulfillment_orders[0].location  # type: ignore[union-attr]
    stock = _on_hand(store, sku, location.id)
    order_updated = store.order(returned.order_id).updated_at  # type: ignore[union-attr]
    clock.advance(60)
    body = await gql(
        client,
        DISPOSE,
        inputs=[
            {"reverseFulfillmentOrderLineItemId": first.id, "quantity": first.total_quantity,
             "dispositionType": "RESTOCKED", "locationId": location.id},
            {"reverseFulfillmentOrderLineItemId": second.id, "quantity": second.total_quantity,
             "dispositionType": "NOT_RESTOCKED"},
        ],
    )  # fmt: skip
    assert body["data"]["reverseFulfillmentOrderDispose"]["userErrors"] == []
    assert _on_hand(store, sku, location.id) == stock + first.total_quantity
    assert returned.reverse_fulfillment_orders[0].status == "CLOSED"
    assert store.order(returned.order_id).updated_at > order_updated  # type: ignore[union-attr]
    again = await gql(
        client,
        DISPOSE,
        inputs=[{"reverseFulfillmentOrderLineItemId": first.id, "quantity": 1, "dispositionType": "MISSING"}],
    )
    (error,) = again["data"]["reverseFulfillmentOrderDispose"]["userErrors"]
    assert error["code"] == "INVALID_STATE"  # its reverse fulfillment order is closed: nothing is left
    read = await gql(client, READ, id=returned.id)
    lines = read["data"]["return"]["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"]
    assert [line["dispositions"] for line in lines] == [
        [{"type": "RESTOCKED", "quantity": first.total_quantity}],
        [{"type": "NOT_RESTOCKED", "quantity": second.total_quantity}],
    ]


async def test_a_closed_return_cannot_be_disposed_or_closed_again(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    returned = request_return(store)
    line = returned.reverse_fulfillment_orders[0].line_items[0]
    closed = await gql(client, CLOSE, id=returned.id)
    assert closed["data"]["returnClose"]["return"]["status"] == "CLOSED"
    assert closed["data"]["returnClose"]["return"]["closedAt"]
    twice = await gql(client, CLOSE, id=returned.id)
    assert [e["code"] for e in twice["data"]["returnClose"]["userErrors"]] == ["INVALID_STATE"]
    late = await gql(
        client,
        DISPOSE,
        inputs=[{"reverseFulfillmentOrderLineItemId": line.id, "quantity": 1, "dispositionType": "MISSING"}],
    )
    assert [e["code"] for e in late["data"]["reverseFulfillmentOrderDispose"]["userErrors"]] == [
        "INVALID_STATE"
    ]
    unknown = await gql(client, CLOSE, id="gid://shopify/Return/1")
    assert [e["code"] for e in unknown["data"]["returnClose"]["userErrors"]] == ["NOT_FOUND"]


async def test_orders_filter_by_return_status(store: SimStore, client: httpx.AsyncClient) -> None:
    returned = request_return(store)
    query = """query($q: String) { orders(first: 250, query: $q) { nodes { id returnStatus } } }"""
    with_returns = await gql(client, query, q="-return_status:no_return")
    in_progress = await gql(client, query, q="return_status:return_requested OR return_status:in_progress")
    ids = {node["id"] for node in with_returns["data"]["orders"]["nodes"]}
    assert returned.order_id in ids
    assert {n["returnStatus"] for n in with_returns["data"]["orders"]["nodes"]} <= {"IN_PROGRESS", "RETURNED"}
    assert {n["returnStatus"] for n in in_progress["data"]["orders"]["nodes"]} == {"IN_PROGRESS"}
    assert len(ids) < len(store.orders)


def test_live_activity_requests_returns_of_shipped_orders(clock: Clock) -> None:
    store = SimStore(orders=60, seed=7, clock=clock)
    clock.advance(3600)
    events = store.live_step(200)
    requested = [e.split(": ")[1] for e in events if e.startswith("return_requested")]
    assert requested, "200 live events should request a few returns"
    for name in requested:
        order = next(o for o in store.orders.values() if o.name == name)
        fresh = [r for r in order.returns if r.created_at == store.now()]
        assert fresh and all(r.status == "OPEN" and r.return_line_items for r in fresh)
        assert order.updated_at == store.now() and order.return_status == "IN_PROGRESS"
        shipped = {fli.id: fli.quantity for f in order.fulfillments for fli in f.line_items_of(order)}
        for line in fresh[0].return_line_items:
            assert line.quantity <= shipped[line.fulfillment_line_item.id], "only shipped units come back"


async def test_a_return_split_across_reverse_fulfillment_orders_is_served_by_id(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    returned = request_return(store, min_lines=5, split=(1, 1, 3))
    rfos = returned.reverse_fulfillment_orders
    assert [len(rfo.line_items) for rfo in rfos] == [1, 1, 3] and len({rfo.id for rfo in rfos}) == 3
    query = """query($id: ID!) { reverseFulfillmentOrder(id: $id) { id status
      lineItems(first: 2) { pageInfo { hasNextPage } nodes { id } } } }"""
    third = (await gql(client, query, id=rfos[2].id))["data"]["reverseFulfillmentOrder"]
    assert [n["id"] for n in third["lineItems"]["nodes"]] == [line.id for line in rfos[2].line_items[:2]]
    assert third["lineItems"]["pageInfo"]["hasNextPage"]
    line = rfos[2].line_items[0]
    body = await gql(
        client,
        DISPOSE,
        inputs=[{"reverseFulfillmentOrderLineItemId": line.id, "quantity": line.total_quantity,
                 "dispositionType": "MISSING"}],
    )  # fmt: skip
    assert body["data"]["reverseFulfillmentOrderDispose"]["userErrors"] == []
    assert [(d.type, d.quantity) for d in line.dispositions] == [("MISSING", line.total_quantity)]
    with pytest.raises(ValueError, match="do not split"):
        request_return(store, min_lines=3, split=(1, 1))
