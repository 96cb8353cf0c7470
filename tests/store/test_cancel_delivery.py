"""A cancellation reaches the store with the refund and restock decisions the person made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema
from graphql.execution.values import get_variable_values
from sqlmodel import select

from oms_tui.actions.cancel import CANCEL
from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import Order, OutboxAction
from oms_tui.floor.actions.store_actions import Actor, Refund, cancel
from oms_tui.sim.store import SimStore
from oms_tui.store.documents import load
from oms_tui.store.outbox import OutboxPusher
from tests.sim.conftest import Clock
from tests.store.simulated import no_sleep, simulated_client
from tests.team import hire

MANAGER = Actor(station="desk-1", staff_code="M01")
SENT_AS = {
    Refund.ORIGINAL: {"originalPaymentMethodsRefund": True},
    Refund.STORE_CREDIT: {"originalPaymentMethodsRefund": False, "storeCreditRefund": {"expiresAt": None}},
    Refund.NONE: {"originalPaymentMethodsRefund": False},
}


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    opened = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    hire(opened)
    return opened


def cancellable(store: SimStore) -> str:
    return next(
        order.id
        for order in store.orders.values()
        if order.cancelled_at is None and not order.fulfillments and order.display_financial_status == "PAID"
    )


def cached_order(cache: Cache, order_id: str) -> None:
    """The order as a sync would have left it (cancelling needs nothing else)."""
    now = Clock().now
    with cache.sessions() as session:
        session.add(Order(id=order_id, name="#1001", fulfillment_status="UNFULFILLED",
                          created_at=now, updated_at=now, synced_at=now))  # fmt: skip
        session.commit()


@pytest.mark.parametrize(
    ("refund", "restock"), [(Refund.ORIGINAL, True), (Refund.STORE_CREDIT, False), (Refund.NONE, True)]
)
async def test_the_store_gets_the_refund_and_restock_that_were_chosen(
    cache: Cache, refund: Refund, restock: bool
) -> None:
    store = SimStore(orders=30, seed=12, clock=Clock())  # a frozen clock: the job runs only when polled
    client, _, _ = simulated_client(store)
    order_id = cancellable(store)
    cached_order(cache, order_id)
    async with client:
        with cache.sessions() as session:
            cancel(session, MANAGER, order_id, "CUSTOMER", refund=refund, restock=restock)
            session.commit()
        pushed = await OutboxPusher(client, cache, sleep=no_sleep).push_ready()
    assert (pushed.done, pushed.failed) == (1, 0)  # done once the store's job has cancelled the order
    request = store.orders[order_id].cancel_request
    assert request is not None
    assert (request.refund_method, request.restock) == (SENT_AS[refund], restock)
    with cache.sessions() as session:
        result = session.exec(select(OutboxAction)).one().result
    assert result is not None and result["job"].startswith("gid://shopify/Job/")
    assert store.orders[order_id].cancelled_at is not None
    refunded = store.orders[order_id].display_financial_status == "REFUNDED"
    assert refunded == (refund is not Refund.NONE)


@pytest.mark.parametrize("refund", list(Refund))
def test_the_cancel_request_is_valid_for_shopify(
    full_schema: GraphQLSchema, cache: Cache, refund: Refund
) -> None:
    cached_order(cache, "gid://shopify/Order/1")
    with cache.sessions() as session:
        action = cancel(session, MANAGER, "gid://shopify/Order/1", "OTHER", refund=refund, restock=False)
    request = CANCEL.request(CANCEL.read(action.payload))
    definitions = load(request.document).operation.variable_definitions
    coerced: Any = get_variable_values(full_schema, definitions, request.variables)
    assert isinstance(coerced, dict), coerced  # a list of errors when a field name or type is wrong
    assert coerced["refundMethod"] == SENT_AS[refund] and coerced["restock"] is False
