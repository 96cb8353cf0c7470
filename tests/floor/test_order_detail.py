"""One order read for its screen: where its lines are, what is left, and what happened to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from oms_tui.cache.models import (
    AuditEvent,
    BinLocation,
    ChangeFeedEntry,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    Location,
    OutboxAction,
    Return,
    Role,
    Staff,
)
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.orders.lookup import NotFound
from oms_tui.floor.orders.order_detail import load_order_detail
from tests.floor.order_nodes import T0, order_node, write

ORDER, FO = "gid://shopify/Order/1001", "gid://shopify/FulfillmentOrder/1"
MAIN, SHOP = "gid://shopify/Location/1", "gid://shopify/Location/2"


@pytest.fixture
def shop(session: Session) -> Session:
    session.add_all(
        [
            Location(id=MAIN, name="Main Warehouse", synced_at=T0),
            Location(id=SHOP, name="Shop Floor", synced_at=T0),
            Staff(code="K1", name="Kai Packer", role=Role.PACKER),
        ]
    )
    write(session, order_node(1001, "Jane Smith", lines=[("TEE-BLK-M", None), ("MUG-WHT", None)]))
    session.add(
        FulfillmentOrder(
            id=FO,
            order_id=ORDER,
            status="OPEN",
            location_id=MAIN,
            location_name="Main Warehouse",
            created_at=T0,
            updated_at=T0,
            synced_at=T0,
        )
    )
    session.flush()
    for k, sku in enumerate(("TEE-BLK-M", "MUG-WHT")):
        session.add(
            FulfillmentOrderLineItem(
                id=f"gid://shopify/FulfillmentOrderLineItem/{k}",
                fulfillment_order_id=FO,
                line_item_id=f"gid://shopify/LineItem/{100100 + k}",
                sku=sku,
                total_quantity=1,
                remaining_quantity=1,
            )
        )
    session.add_all(
        [
            BinLocation(location_id=MAIN, sku="TEE-BLK-M", code="A-03-2"),
            BinLocation(location_id=MAIN, sku="TEE-BLK-M", code="A-01-1"),
            BinLocation(location_id=SHOP, sku="MUG-WHT", code="Z-9"),  # another location's shelf
            InventoryLevel(
                inventory_item_id="i1", location_id=MAIN, sku="TEE-BLK-M", available=7, synced_at=T0
            ),
            ChangeFeedEntry(at=T0 + timedelta(days=2), stream="orders", object_id=ORDER, change="updated"),
        ]
    )
    session.commit()
    return session


def test_lines_with_bins_and_stock_at_their_location(shop: Session) -> None:
    detail = load_order_detail(shop, ORDER)
    tee, mug = detail.lines
    assert (tee.sku, tee.bins, tee.stock, tee.location) == (
        "TEE-BLK-M",
        ("A-01-1", "A-03-2"),
        7,
        "Main Warehouse",
    )
    assert (mug.bins, mug.stock) == ((), None)  # no shelf here, no stock level known
    assert (tee.quantity, tee.fulfilled, tee.remaining) == (1, 0, 1)


def test_the_timeline_merges_store_sync_floor_and_outbox(shop: Session) -> None:
    desk = OrderDesk("pack-1", shop.get(Staff, "K1"))
    desk.hold(shop, FO, "INCORRECT_ADDRESS", "no flat number")
    shop.commit()
    detail = load_order_detail(shop, ORDER)
    (fo,) = detail.fulfillment_orders
    assert (fo.status, fo.remaining, fo.holds[0].reason, fo.holds[0].pending) == (
        "ON_HOLD",
        2,
        "INCORRECT_ADDRESS",
        True,
    )
    assert detail.waiting == 1
    events = [(e.source, e.what, e.who) for e in detail.timeline]
    assert ("floor", "held: incorrect address (no flat number)", "Kai Packer @ pack-1") in events
    assert [e.at for e in detail.timeline] == sorted((e.at for e in detail.timeline), reverse=True)
    assert ("sync", "order changed at the store", "") in events
    assert events[-1] == ("store", "order placed", "")

    action = shop.get(OutboxAction, 1)
    assert action is not None
    action.state, action.last_error = "failed", "Fulfillment order is closed"
    shop.add(AuditEvent(at=T0, station="pack-1", action="pick.start", subject=FO))
    shop.commit()
    whats = [e.what for e in load_order_detail(shop, ORDER).timeline]
    assert "store rejected the hold: Fulfillment order is closed" in whats
    assert "pick: start" in whats


def test_a_shipped_order_shows_its_tracking(session: Session) -> None:
    write(session, order_node(1002, "Ana Lopez", lines=[("CAP", None)], tracking=["1Z999"]))
    detail = load_order_detail(session, "gid://shopify/Order/1002")
    assert [(s.company, s.number) for s in detail.shipments] == [("UPS", "1Z999")]
    assert detail.lines[0].fulfilled == 1 and detail.lines[0].remaining == 0
    assert "shipped UPS 1Z999" in [e.what for e in detail.timeline]


def test_an_unknown_order_is_one_clear_message(session: Session) -> None:
    with pytest.raises(NotFound, match="no order gid://shopify/Order/9 in the cache"):
        load_order_detail(session, "gid://shopify/Order/9")


def test_an_order_whose_return_went_through_the_outbox_opens(shop: Session) -> None:
    """Every kind has its words on the timeline (a return's close once raised KeyError here)."""
    closing = {"returnId": "gid://shopify/Return/1"}
    shop.add(
        Return(
            id=closing["returnId"],
            order_id=ORDER,
            name="#1001-R1",
            status="CLOSED",
            total_quantity=1,
            created_at=T0,
            version=T0,
            synced_at=T0,
        )
    )
    shop.add(
        AuditEvent(
            at=T0,
            station="returns-1",
            action="store.return_close",
            subject=closing["returnId"],
            details=closing,
        )
    )
    shop.add(
        OutboxAction(order_id=ORDER, kind="return_close", payload=closing, state="done", station="returns-1")
    )
    shop.commit()
    whats = [event.what for event in load_order_detail(shop, ORDER).timeline]
    assert "store confirmed the closing of the return" in whats
    assert "closed the return" in whats
