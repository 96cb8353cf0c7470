"""Actions on a whole order act on the fulfillment orders they fit; lookups find what people name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from oms_tui.cache.models import (
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Location,
    Order,
    OutboxAction,
    Role,
    Staff,
)
from oms_tui.floor.actions import order_actions
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.floor.actions.store_actions import ActionRefused, Actor
from oms_tui.floor.orders.lookup import NotFound, find_location, find_order

T0 = datetime(2026, 11, 20, tzinfo=UTC)
ORDER = "gid://shopify/Order/1"
MAIN, EAST, OLD = (f"gid://shopify/Location/{n}" for n in (1, 2, 3))
PACKER = Actor(station="pack-1", staff_code="P01")
# Fulfillment order -> (location, status, [(line number, sku, quantity)]); SKU-1 is on two of them.
LAYOUT = {
    "FO/1": (MAIN, "OPEN", [(1, "SKU-1", 2), (2, "SKU-2", 1)]),
    "FO/2": (EAST, "OPEN", [(3, "SKU-3", 1), (4, "SKU-1", 1)]),
    "FO/3": (MAIN, "ON_HOLD", [(5, "SKU-4", 1)]),
}


def fo_id(key: str) -> str:
    return f"gid://shopify/Fulfillment{key.replace('/', 'Order/')}"


def line_id(number: int) -> str:
    return f"gid://shopify/FulfillmentOrderLineItem/{number}"


@pytest.fixture
def shop(session: Session) -> Session:
    for ident, name, active in (
        (MAIN, "Main Warehouse", True),
        (EAST, "East Depot", True),
        (OLD, "Old", False),
    ):
        session.add(Location(id=ident, name=name, is_active=active, synced_at=T0))
    session.add(Order(id=ORDER, name="#1001", fulfillment_status="ON_HOLD", created_at=T0, updated_at=T0,
                      synced_at=T0))  # fmt: skip
    session.add(Staff(code="P01", name="Pat", role=Role.PACKER))
    session.add(Staff(code="X99", name="Gone", role=Role.PACKER, active=False))
    session.flush()
    for key, (location, status, lines) in LAYOUT.items():
        session.add(FulfillmentOrder(id=fo_id(key), order_id=ORDER, status=status, location_id=location,
                                     created_at=T0, updated_at=T0, synced_at=T0))  # fmt: skip
        session.flush()
        for number, sku, quantity in lines:
            item = f"gid://shopify/LineItem/{number}"
            session.add(LineItem(id=item, order_id=ORDER, sku=sku, title=sku, quantity=quantity,
                                 current_quantity=quantity, unfulfilled_quantity=quantity))  # fmt: skip
            session.add(FulfillmentOrderLineItem(id=line_id(number), fulfillment_order_id=fo_id(key),
                                                 line_item_id=item, sku=sku, total_quantity=quantity,
                                                 remaining_quantity=quantity))  # fmt: skip
    session.add(FulfillmentHold(id="gid://shopify/FulfillmentHold/1", fulfillment_order_id=fo_id("FO/3"),
                                reason="OTHER"))  # fmt: skip
    session.commit()
    return session


def order(session: Session) -> Order:
    return session.get_one(Order, ORDER)


def queued(session: Session) -> list[tuple[str, str]]:
    return [(a.kind, a.payload["fulfillmentOrderId"]) for a in session.exec(select(OutboxAction))]


@pytest.mark.parametrize("name", ["#1001", "1001", " #1001 ", ORDER, "1"])
def test_an_order_is_found_by_name_number_or_id(shop: Session, name: str) -> None:
    assert find_order(shop, name).id == ORDER


def test_an_unknown_order_says_what_was_looked_for(shop: Session) -> None:
    with pytest.raises(NotFound, match="no order #1009 in the cache"):
        find_order(shop, "#1009")


def test_a_sku_on_one_open_line_ships_from_its_fulfillment_order(shop: Session) -> None:
    actions = order_actions.ship(shop, PACKER, order(shop), [("SKU-3", 1), ("SKU-2", 1)])
    shop.commit()
    assert [a.payload["lines"] for a in actions] == [
        [{"id": line_id(2), "quantity": 1}],
        [{"id": line_id(3), "quantity": 1}],
    ]
    assert queued(shop) == [("fulfill", fo_id("FO/1")), ("fulfill", fo_id("FO/2"))]


def test_a_sku_on_two_open_lines_is_refused_until_one_is_named(shop: Session) -> None:
    with pytest.raises(
        ActionRefused, match=f"SKU-1 is on 2 open lines of #1001: name one by id .*{line_id(4)}"
    ):
        order_actions.ship(shop, PACKER, order(shop), [("SKU-2", 1), ("SKU-1", 1)])
    shop.rollback()
    assert queued(shop) == []
    (action,) = order_actions.ship(shop, PACKER, order(shop), [(line_id(4), 1)])
    assert action.payload["fulfillmentOrderId"] == fo_id("FO/2")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("SKU-9", 1)], "SKU-9 is not on #1001"),
        ([("SKU-4", 1)], "SKU-4 on #1001 is on hold"),
        ([("SKU-2", 2)], "SKU-2: 2 to ship but only 1 left"),
        ([("SKU-2", 1), ("SKU-2", 1)], "SKU-2 is named twice"),
    ],
)
def test_lines_that_cannot_ship_are_refused(
    shop: Session, lines: list[tuple[str, int]], message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        order_actions.ship(shop, PACKER, order(shop), lines)


def test_shipping_everything_skips_what_is_on_hold(shop: Session) -> None:
    order_actions.ship(shop, PACKER, order(shop))
    assert queued(shop) == [("fulfill", fo_id("FO/1")), ("fulfill", fo_id("FO/2"))]
    with pytest.raises(ActionRefused, match=r"#1001 has nothing to ship \(it is on hold\)"):
        order_actions.ship(shop, PACKER, order(shop))


def test_release_then_hold_act_on_the_fulfillment_orders_they_fit(shop: Session) -> None:
    order_actions.release(shop, PACKER, order(shop))
    assert queued(shop) == [("release_hold", fo_id("FO/3"))]
    order_actions.hold(shop, PACKER, order(shop), "INCORRECT_ADDRESS", "no flat number")
    assert queued(shop)[1:] == [("hold", fo_id(key)) for key in ("FO/1", "FO/2", "FO/3")]


def test_move_takes_only_what_is_open_and_elsewhere(shop: Session) -> None:
    (action,) = order_actions.move(shop, PACKER, order(shop), find_location(shop, "east depot"))
    assert action.payload == {
        "fulfillmentOrderId": fo_id("FO/1"),
        "newLocationId": EAST,
        "previousLocationId": MAIN,
    }
    with pytest.raises(ActionRefused, match="#1001 is already at East Depot"):
        order_actions.move(shop, PACKER, order(shop), find_location(shop, EAST))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Atlantis", "unknown location 'Atlantis'; active locations: East Depot, Main Warehouse"),
        ("old", "inactive location 'old'"),
    ],
)
def test_a_location_must_exist_and_be_active(shop: Session, name: str, message: str) -> None:
    with pytest.raises(NotFound, match=message):
        find_location(shop, name)


def test_staff_must_be_known_and_active(shop: Session) -> None:
    assert active_staff(shop, "p01").code == "P01"
    with pytest.raises(StaffError, match="unknown staff code 'NOBODY'"):
        active_staff(shop, "nobody")
    with pytest.raises(StaffError, match="X99 \\(Gone\\) is no longer active"):
        active_staff(shop, "X99")
