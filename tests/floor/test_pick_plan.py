"""A batch's plan: one line per SKU in walking order, each unit's tote named per order."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from oms_tui.cache.models import LineItem
from oms_tui.floor.picking.pick_lists import PickRefused, ToteShare, plan_pick
from oms_tui.floor.picking.walking import WalkRule
from tests.floor.pick_floor import add_bins, add_order

EAST = "gid://shopify/Location/2"


def test_lines_are_added_up_by_sku_in_walking_order_with_a_tote_per_order(session: Session) -> None:
    add_bins(session)
    first = add_order(session, 1001, {"MUG-1": 1, "TEE-M": 2})
    second = add_order(session, 1002, {"NOTE-0": 1, "MUG-1": 3})
    third = add_order(session, 1003, {"SOCK-2": 1})

    plan = plan_pick(session, [second, first, third], walk=WalkRule())

    assert [(line.sequence, line.sku, line.bin_code, line.quantity) for line in plan] == [
        (1, "SOCK-2", "A-3-1", 1),
        (2, "TEE-M", "A-3-2", 2),
        (3, "MUG-1", "A-12-1", 4),
        (4, "NOTE-0", None, 1),  # no bin: last
    ]
    mugs = plan[2]
    assert mugs.title == "Item MUG-1" and mugs.barcode == "0001112223334"
    assert mugs.totes == (  # totes follow the order the batch was given in: #1002 is T1
        ToteShare("T1", "#1002", second, "gid://shopify/FulfillmentOrderLineItem/100201", 3),
        ToteShare("T2", "#1001", first, "gid://shopify/FulfillmentOrderLineItem/100100", 1),
    )
    assert [share.tote for share in plan[0].totes] == ["T3"]


def test_a_sku_in_several_bins_is_fetched_from_the_first_on_the_walk(session: Session) -> None:
    add_bins(session, {"MUG-1": "C-1-1"})
    add_bins(session, {"MUG-1": "B-7-1"})
    fo = add_order(session, 1001, {"MUG-1": 1})
    assert plan_pick(session, [fo], walk=WalkRule())[0].bin_code == "B-7-1"
    assert plan_pick(session, [fo], walk=WalkRule.of("natural", ["C"]))[0].bin_code == "C-1-1"


def test_orders_from_two_locations_or_unknown_orders_are_refused(session: Session) -> None:
    here = add_order(session, 1001, {"MUG-1": 1})
    there = add_order(session, 1002, {"MUG-1": 1}, location=EAST)
    with pytest.raises(PickRefused, match="several"):
        plan_pick(session, [here, there], walk=WalkRule())
    with pytest.raises(PickRefused, match="unknown fulfillment order"):
        plan_pick(session, [here, "gid://shopify/FulfillmentOrder/9"], walk=WalkRule())


def test_a_line_that_needs_no_shipping_is_not_picked(session: Session) -> None:
    add_bins(session)
    fo = add_order(session, 1001, {"MUG-1": 1, "GIFT-50": 1})
    session.get_one(LineItem, "gid://shopify/LineItem/100101").requires_shipping = False  # a gift card
    assert [(line.sku, line.quantity) for line in plan_pick(session, [fo], walk=WalkRule())] == [("MUG-1", 1)]
