"""Each mutation's rules and state transitions, checked through the API and in the store's state."""

from __future__ import annotations

import httpx

from oms_tui.sim.model import FulfillmentOrder, Order
from oms_tui.sim.store import SimStore
from tests.sim.conftest import Clock, gql

CREATE = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
  fulfillment { id status trackingInfo { company number url } } userErrors { field message } } }"""
HOLD = """mutation($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
  fulfillmentHold { id handle } fulfillmentOrder { id status } remainingFulfillmentOrder { id status }
  userErrors { field message code } } }"""
RELEASE = """mutation($id: ID!, $holds: [ID!]) { fulfillmentOrderReleaseHold(id: $id, holdIds: $holds) {
  fulfillmentOrder { id status } userErrors { field message code } } }"""
MOVE = """mutation($id: ID!, $to: ID!, $lines: [FulfillmentOrderLineItemInput!]) {
  fulfillmentOrderMove(id: $id, newLocationId: $to, fulfillmentOrderLineItems: $lines) {
  movedFulfillmentOrder { id assignedLocation { location { id } } } originalFulfillmentOrder { id status }
  remainingFulfillmentOrder { id } userErrors { field message } } }"""
CANCEL = """mutation($id: ID!) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: true, notifyCustomer: false,
  staffNote: "asked by phone") { job { id done } orderCancelUserErrors { field message code } } }"""


def open_fo(store: SimStore, min_lines: int = 1) -> tuple[Order, FulfillmentOrder]:
    for order in store.orders.values():
        for fo in order.fulfillment_orders:
            if fo.status == "OPEN" and len(fo.line_items) >= min_lines and len(order.fulfillment_orders) == 1:
                return order, fo
    raise AssertionError("the seeded store has no open fulfillment order")


async def test_fulfil_whole_fulfillment_order_closes_it_and_fulfils_the_order(
    store: SimStore, client: httpx.AsyncClient, clock: Clock
) -> None:
    order, fo = open_fo(store)
    clock.advance(60)
    body = await gql(
        client,
        CREATE,
        f={
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo.id}],
            "trackingInfo": {"company": "UPS", "number": "1Z999"},
        },
    )
    result = body["data"]["fulfillmentCreate"]
    assert result["userErrors"] == []
    assert result["fulfillment"]["trackingInfo"] == [{"company": "UPS", "number": "1Z999", "url": None}]
    assert fo.status == "CLOSED" and fo.supported_actions == []
    assert all(li.unfulfilled_quantity == 0 for li in order.line_items)
    assert order.display_fulfillment_status == "FULFILLED"
    assert order.updated_at == fo.updated_at == clock.now.replace(microsecond=0)


async def test_partial_fulfilment_then_too_much_is_refused(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    order, fo = open_fo(store, min_lines=2)
    line = fo.line_items[0]
    body = await gql(
        client,
        CREATE,
        f={
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": fo.id, "fulfillmentOrderLineItems": [{"id": line.id, "quantity": 1}]}
            ]
        },
    )
    assert body["data"]["fulfillmentCreate"]["userErrors"] == []
    assert fo.status == "IN_PROGRESS"
    assert order.display_fulfillment_status == "PARTIALLY_FULFILLED"
    assert line.line_item.unfulfilled_quantity == line.line_item.quantity - 1
    too_many = line.remaining_quantity + 1
    body = await gql(
        client,
        CREATE,
        f={
            "lineItemsByFulfillmentOrder": [
                {
                    "fulfillmentOrderId": fo.id,
                    "fulfillmentOrderLineItems": [{"id": line.id, "quantity": too_many}],
                }
            ]
        },
    )
    (error,) = body["data"]["fulfillmentCreate"]["userErrors"]
    assert error["message"] == "Invalid fulfillment order line item quantity requested."
    assert body["data"]["fulfillmentCreate"]["fulfillment"] is None


async def test_fulfillment_orders_of_two_orders_are_refused(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    fos = [fo for order in store.orders.values() for fo in order.fulfillment_orders if fo.status == "OPEN"]
    first, other = fos[0], next(fo for fo in fos if fo.order_id != fos[0].order_id)
    body = await gql(
        client,
        CREATE,
        f={
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": first.id},
                {"fulfillmentOrderId": other.id},
            ]
        },
    )
    assert "same order" in body["data"]["fulfillmentCreate"]["userErrors"][0]["message"]
    assert first.status == other.status == "OPEN"


async def test_hold_with_handle_is_idempotent_and_release_reopens(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    order, fo = open_fo(store)
    hold = {"reason": "INCORRECT_ADDRESS", "reasonNotes": "No postcode", "handle": "address-check"}
    body = await gql(client, HOLD, id=fo.id, hold=hold)
    result = body["data"]["fulfillmentOrderHold"]
    assert result["userErrors"] == [] and result["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert order.display_fulfillment_status == "ON_HOLD"
    again = await gql(client, HOLD, id=fo.id, hold=hold)
    assert (
        again["data"]["fulfillmentOrderHold"]["userErrors"][0]["code"] == "DUPLICATE_FULFILLMENT_HOLD_HANDLE"
    )
    assert len(fo.holds) == 1
    body = await gql(client, RELEASE, id=fo.id, holds=[result["fulfillmentHold"]["id"]])
    assert body["data"]["fulfillmentOrderReleaseHold"]["fulfillmentOrder"]["status"] == "OPEN"
    assert fo.holds == []
    body = await gql(client, RELEASE, id="gid://shopify/FulfillmentOrder/1")
    assert (
        body["data"]["fulfillmentOrderReleaseHold"]["userErrors"][0]["code"] == "FULFILLMENT_ORDER_NOT_FOUND"
    )


async def test_partial_hold_splits_the_rest_into_a_remaining_fulfillment_order(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    order, fo = open_fo(store, min_lines=2)
    held = fo.line_items[0]
    other_units = sum(fol.remaining_quantity for fol in fo.line_items[1:])
    body = await gql(
        client,
        HOLD,
        id=fo.id,
        hold={
            "reason": "INVENTORY_OUT_OF_STOCK",
            "fulfillmentOrderLineItems": [{"id": held.id, "quantity": 1}],
        },
    )
    result = body["data"]["fulfillmentOrderHold"]
    assert result["userErrors"] == []
    remaining = store.fulfillment_orders[result["remainingFulfillmentOrder"]["id"]]
    assert remaining.status == "OPEN" and fo.status == "ON_HOLD"
    assert [fol.remaining_quantity for fol in fo.line_items] == [1]
    assert (
        sum(fol.remaining_quantity for fol in remaining.line_items)
        == other_units + held.line_item.quantity - 1
    )
    assert remaining in order.fulfillment_orders
    bad = await gql(
        client,
        HOLD,
        id=remaining.id,
        hold={
            "reason": "OTHER",
            "fulfillmentOrderLineItems": [{"id": remaining.line_items[0].id, "quantity": 999}],
        },
    )
    assert bad["data"]["fulfillmentOrderHold"]["userErrors"][0]["code"] == "INVALID_LINE_ITEM_QUANTITY"


async def test_move_to_another_location_and_refusals(store: SimStore, client: httpx.AsyncClient) -> None:
    _, fo = open_fo(store)
    target = next(loc for loc in store.locations.values() if loc.is_active and loc.id != fo.location.id)
    inactive = next(loc for loc in store.locations.values() if not loc.is_active)
    refused = await gql(client, MOVE, id=fo.id, to=inactive.id)
    assert refused["data"]["fulfillmentOrderMove"]["userErrors"][0]["field"] == ["newLocationId"]
    body = await gql(client, MOVE, id=fo.id, to=target.id)
    result = body["data"]["fulfillmentOrderMove"]
    assert result["userErrors"] == []
    assert result["movedFulfillmentOrder"] == {
        "id": fo.id,
        "assignedLocation": {"location": {"id": target.id}},
    }
    closed = next(f for o in store.orders.values() for f in o.fulfillment_orders if f.status == "CLOSED")
    body = await gql(client, MOVE, id=closed.id, to=target.id)
    assert "closed" in body["data"]["fulfillmentOrderMove"]["userErrors"][0]["message"]


async def test_cancel_closes_open_fulfillment_orders_and_is_not_repeatable(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    order, fo = open_fo(store)
    body = await gql(client, CANCEL, id=order.id)
    assert body["data"]["orderCancel"]["orderCancelUserErrors"] == []
    job = body["data"]["orderCancel"]["job"]
    assert job["id"].startswith("gid://shopify/Job/")
    await gql(client, "query($id: ID!) { job(id: $id) { done } }", id=job["id"])  # the job runs
    assert order.cancelled_at is not None and order.cancel_reason == "CUSTOMER" and order.closed
    assert fo.status == "CLOSED" and all(li.current_quantity == 0 for li in order.line_items)
    again = await gql(client, CANCEL, id=order.id)
    assert again["data"]["orderCancel"]["orderCancelUserErrors"][0]["code"] == "INVALID"
    missing = await gql(client, CANCEL, id="gid://shopify/Order/1")
    assert missing["data"]["orderCancel"]["orderCancelUserErrors"][0]["code"] == "NOT_FOUND"


async def test_order_update_and_tags_add_move_updated_at(
    store: SimStore, client: httpx.AsyncClient, clock: Clock
) -> None:
    order = store.order_at(3)
    clock.advance(5)
    body = await gql(
        client,
        """mutation($input: OrderInput!) { orderUpdate(input: $input) {
        order { note tags updatedAt } userErrors { field message } } }""",
        input={"id": order.id, "note": "Ring the bell", "tags": ["vip"]},
    )
    assert body["data"]["orderUpdate"]["order"]["note"] == "Ring the bell"
    assert body["data"]["orderUpdate"]["order"]["updatedAt"] == "2026-11-26T09:48:00Z"
    body = await gql(
        client,
        """mutation($id: ID!) { tagsAdd(id: $id, tags: ["rush", "VIP"]) {
        node { ... on Order { tags } } userErrors { message } } }""",
        id=order.id,
    )
    assert body["data"]["tagsAdd"]["node"]["tags"] == ["vip", "rush"]
    body = await gql(
        client,
        """mutation { orderUpdate(input: {id: "gid://shopify/Order/1", note: "x"}) {
        order { id } userErrors { field message } } }""",
    )
    assert body["data"]["orderUpdate"]["userErrors"][0]["field"] == ["id"]


INVENTORY_CHANGED = (
    """query($q: String) { inventoryItems(first: 250, query: $q) { nodes { id sku updatedAt } } }"""
)


async def test_shipping_moves_its_items_updated_at_which_inventory_items_can_filter_on(
    store: SimStore, client: httpx.AsyncClient, clock: Clock
) -> None:
    _, fo = open_fo(store)
    clock.advance(600)
    since = f"updated_at:>='{clock.now:%Y-%m-%dT%H:%M:%SZ}'"
    assert (await gql(client, INVENTORY_CHANGED, q=since))["data"]["inventoryItems"]["nodes"] == []
    body = await gql(client, CREATE, f={"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo.id}]})
    assert body["data"]["fulfillmentCreate"]["userErrors"] == []
    shipped = {fol.line_item.variant.inventory_item_id for fol in fo.line_items}
    changed = (await gql(client, INVENTORY_CHANGED, q=since))["data"]["inventoryItems"]["nodes"]
    assert {node["id"] for node in changed} == shipped
    assert {node["updatedAt"] for node in changed} == {f"{clock.now:%Y-%m-%dT%H:%M:%SZ}"}
    unfiltered = (await gql(client, INVENTORY_CHANGED, q=None))["data"]["inventoryItems"]["nodes"]
    assert len(unfiltered) == 250 > len(changed)  # a whole page: every item, changed or not
