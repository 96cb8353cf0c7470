"""orderCancel is asynchronous, as at Shopify, and the simulator keeps the refund and restock decisions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from oms_tui.sim.jobs import DEFAULT_DELAY
from oms_tui.sim.model import Order
from oms_tui.sim.store import SimStore
from tests.sim.conftest import Clock, gql

CANCEL = """mutation($id: ID!, $restock: Boolean!, $refund: OrderCancelRefundMethodInput) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: $restock, refundMethod: $refund) {
    job { id done } orderCancelUserErrors { field message code } } }"""
JOB = "query($id: ID!) { job(id: $id) { id done } }"


def paid_open_order(store: SimStore) -> Order:
    return next(
        order
        for order in store.orders.values()
        if order.display_financial_status == "PAID"
        and order.cancelled_at is None
        and not order.fulfillments
        and any(fo.status == "OPEN" for fo in order.fulfillment_orders)
    )


def committed(store: SimStore, order: Order) -> int:
    """Units committed at the order's fulfillment locations for its SKUs (what a restock gives back)."""
    total = 0
    for fo in order.fulfillment_orders:
        for line in fo.line_items:
            item = store.inventory[line.line_item.variant.inventory_item_id]
            total += sum(level.committed for level in item.levels if level.location.id == fo.location.id)
    return total


@pytest.mark.parametrize(
    ("refund", "financial_status"),
    [
        ({"originalPaymentMethodsRefund": True}, "REFUNDED"),
        ({"storeCreditRefund": {"expiresAt": None}}, "REFUNDED"),
        ({"originalPaymentMethodsRefund": False}, "PAID"),
    ],
    ids=["original", "store-credit", "none"],
)
@pytest.mark.parametrize("restock", [True, False])
async def test_the_order_is_cancelled_when_its_job_runs_as_it_was_asked(
    store: SimStore, client: httpx.AsyncClient, refund: dict[str, Any], financial_status: str, restock: bool
) -> None:
    order = paid_open_order(store)
    stock_before = committed(store, order)
    body = await gql(client, CANCEL, id=order.id, restock=restock, refund=refund)
    result = body["data"]["orderCancel"]
    assert result["orderCancelUserErrors"] == []
    assert result["job"]["done"] is False
    assert order.cancelled_at is None and not order.closed  # not yet: the job has not run

    request = order.cancel_request
    assert request is not None
    assert (request.reason, request.restock, request.refund_method) == ("CUSTOMER", restock, refund)

    polled = await gql(client, JOB, id=result["job"]["id"])
    assert polled["data"]["job"] == {"id": result["job"]["id"], "done": True}
    assert order.cancelled_at is not None and order.closed
    assert order.display_financial_status == financial_status
    assert (committed(store, order) < stock_before) == restock


async def test_a_job_nobody_polls_still_finishes_after_its_delay(
    store: SimStore, client: httpx.AsyncClient, clock: Clock
) -> None:
    order = paid_open_order(store)
    await gql(client, CANCEL, id=order.id, restock=True, refund={"originalPaymentMethodsRefund": True})
    clock.advance(DEFAULT_DELAY.total_seconds() - 1)
    await gql(client, "{ shop: location { id } }")
    assert order.cancelled_at is None
    clock.advance(1)
    await gql(client, "{ shop: location { id } }")
    assert order.cancelled_at == clock.now.replace(microsecond=0)


async def test_a_second_cancel_while_the_first_runs_is_refused(
    store: SimStore, client: httpx.AsyncClient
) -> None:
    order = paid_open_order(store)
    first = await gql(client, CANCEL, id=order.id, restock=True)
    second = await gql(client, CANCEL, id=order.id, restock=False)
    assert first["data"]["orderCancel"]["orderCancelUserErrors"] == []
    (error,) = second["data"]["orderCancel"]["orderCancelUserErrors"]
    assert error["code"] == "INVALID"
    assert order.cancel_request is not None and order.cancel_request.restock is True


async def test_an_unknown_job_is_null(client: httpx.AsyncClient) -> None:
    body = await gql(client, JOB, id="gid://shopify/Job/00000000-0000-0000-0000-000000000000")
    assert body["data"]["job"] is None
