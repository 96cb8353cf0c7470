"""Floor actions check the cached state first; when they refuse, nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from oms_tui.cache.models import (
    AuditEvent,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    OutboxAction,
)
from oms_tui.cache.priority import NORMAL
from oms_tui.floor.actions.store_actions import (
    ActionRefused,
    Actor,
    Refund,
    Tracking,
    add_tags,
    cancel,
    hold,
    ship,
)
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from tests.team import hire

T0 = datetime(2026, 11, 20, tzinfo=UTC)
ORDER, FO = "gid://shopify/Order/1", "gid://shopify/FulfillmentOrder/1"
PACKER = Actor(station="pack-1", staff_code="P01")
MANAGER = Actor(station="office", staff_code="M01")


@pytest.fixture
def shop(session: Session) -> Session:
    session.add(
        Order(
            id=ORDER,
            name="#1001",
            fulfillment_status="UNFULFILLED",
            priority=NORMAL,
            created_at=T0,
            updated_at=T0,
            synced_at=T0,
        )
    )
    session.add(
        FulfillmentOrder(id=FO, order_id=ORDER, status="OPEN", created_at=T0, updated_at=T0, synced_at=T0)
    )
    session.flush()
    for n, quantity in ((1, 2), (2, 1)):
        session.add(
            LineItem(
                id=f"gid://shopify/LineItem/{n}",
                order_id=ORDER,
                sku=f"SKU-{n}",
                title=f"Item {n}",
                quantity=quantity,
                current_quantity=quantity,
                unfulfilled_quantity=quantity,
            )
        )
        session.add(
            FulfillmentOrderLineItem(
                id=f"gid://shopify/FulfillmentOrderLineItem/{n}",
                fulfillment_order_id=FO,
                line_item_id=f"gid://shopify/LineItem/{n}",
                sku=f"SKU-{n}",
                total_quantity=quantity,
                remaining_quantity=quantity,
            )
        )
    hire(session)
    session.commit()
    return session


def queued(session: Session) -> list[tuple[str, str]]:
    return [(a.kind, a.order_id) for a in session.exec(select(OutboxAction))]


def test_a_partial_shipment_leaves_the_rest_open(shop: Session) -> None:
    action = ship(shop, PACKER, FO, {"gid://shopify/FulfillmentOrderLineItem/1": 1}, Tracking("JD0146"))
    shop.commit()
    fo = shop.get_one(FulfillmentOrder, FO)
    assert fo.status == "IN_PROGRESS"
    assert shop.get_one(LineItem, "gid://shopify/LineItem/1").unfulfilled_quantity == 1
    assert action.payload["lines"] == [{"id": "gid://shopify/FulfillmentOrderLineItem/1", "quantity": 1}]
    assert action.payload["expectedRemaining"] == {"gid://shopify/FulfillmentOrderLineItem/1": 1}
    (event,) = shop.exec(select(AuditEvent))
    assert (event.action, event.station, event.staff_code, event.subject) == (
        "store.fulfill",
        "pack-1",
        "P01",
        FO,
    )


def test_shipping_everything_closes_the_fulfillment_order(shop: Session) -> None:
    ship(shop, PACKER, FO, tracking=Tracking("JD0147", "DHL Express"))
    shop.commit()
    assert shop.get_one(FulfillmentOrder, FO).status == "CLOSED"
    assert queued(shop) == [("fulfill", ORDER)]


@pytest.mark.parametrize(
    ("quantities", "message"),
    [
        ({"gid://shopify/FulfillmentOrderLineItem/1": 3}, "SKU-1: 3 to ship but only 2 left"),
        ({"gid://shopify/FulfillmentOrderLineItem/9": 1}, "is not on this fulfillment order"),
        ({"gid://shopify/FulfillmentOrderLineItem/1": 0}, "nothing to ship"),
    ],
)
def test_impossible_shipments_are_refused_and_change_nothing(
    shop: Session, quantities: dict[str, int], message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        ship(shop, PACKER, FO, quantities)
    shop.rollback()
    assert shop.get_one(FulfillmentOrder, FO).status == "OPEN"
    assert queued(shop) == []


def test_a_held_order_cannot_ship_until_released(shop: Session) -> None:
    action = hold(shop, PACKER, FO, "INCORRECT_ADDRESS", "no flat number")
    shop.commit()
    (pending,) = shop.exec(select(FulfillmentHold))
    assert pending.handle == action.payload["handle"] and pending.id == f"pending:{pending.handle}"
    with pytest.raises(ActionRefused, match="on hold: it cannot ship"):
        ship(shop, PACKER, FO)


def test_cancel_twice_and_unknown_reasons_are_refused(shop: Session) -> None:
    with pytest.raises(ActionRefused, match="cancel reason must be one of"):
        cancel(shop, MANAGER, ORDER, "BORED", refund=Refund.NONE, restock=True)
    with pytest.raises(ActionRefused, match="refund must be one of original, store-credit, none"):
        cancel(shop, MANAGER, ORDER, "CUSTOMER", refund="cash", restock=True)  # type: ignore[arg-type]
    cancel(shop, MANAGER, ORDER, "CUSTOMER", refund=Refund.NONE, restock=True)
    shop.commit()
    with pytest.raises(ActionRefused, match="#1001 is already cancelled"):
        cancel(shop, MANAGER, ORDER, "CUSTOMER", refund=Refund.NONE, restock=True)


@pytest.mark.parametrize("refund", list(Refund))
@pytest.mark.parametrize("restock", [True, False])
def test_cancel_carries_the_refund_and_restock_decisions(
    shop: Session, refund: Refund, restock: bool
) -> None:
    action = cancel(shop, MANAGER, ORDER, "CUSTOMER", refund=refund, restock=restock)
    shop.commit()
    assert (action.payload["refund"], action.payload["restock"]) == (refund.value, restock)
    (event,) = shop.exec(select(AuditEvent))
    assert (event.details["refund"], event.details["restock"]) == (refund.value, restock)


def test_rush_tag_moves_the_order_up_the_queue(shop: Session) -> None:
    older, older_fo = "gid://shopify/Order/0", "gid://shopify/FulfillmentOrder/0"
    earlier = T0 - timedelta(days=1)
    shop.add(
        Order(
            id=older,
            name="#1000",
            fulfillment_status="UNFULFILLED",
            priority=NORMAL,
            created_at=earlier,
            updated_at=T0,
            synced_at=T0,
        )
    )
    shop.add(
        FulfillmentOrder(
            id=older_fo, order_id=older, status="OPEN", created_at=earlier, updated_at=T0, synced_at=T0
        )
    )
    shop.commit()

    def ready_to_pick() -> list[str]:
        return [row.order_name for row in window(shop, Stage.READY_TO_PICK, QueueFilter(), T0, limit=10)]

    assert ready_to_pick() == ["#1000", "#1001"]
    add_tags(shop, PACKER, ORDER, ["Rush", " "])
    shop.commit()
    assert shop.get_one(Order, ORDER).tags == ["Rush"]
    assert ready_to_pick() == ["#1001", "#1000"]
    assert queued(shop) == [("tags", ORDER)]
