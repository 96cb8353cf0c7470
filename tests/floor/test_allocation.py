"""Short stock shared out in the queue's order: with 5 orders and 3 units, the 3 first in the queue
(rush first, then the oldest) get them, the other 2 are flagged before picking, a pick batch never
takes a unit that is not there, and the flagged ones are held, moved or shipped partial by choice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.engine import session_factory
from oms_tui.cache.models import (
    ChangeFeedEntry,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    Location,
    Order,
    PickListLine,
)
from oms_tui.floor.actions.store_actions import Actor, ship
from oms_tui.floor.allocation.short_stock import allocate
from oms_tui.floor.exceptions.records import run_pass
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.floor.exceptions.short_choices import choices, choose
from oms_tui.floor.picking.pick_batches import start_batch
from oms_tui.floor.picking.pick_lists import PickRefused
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.picking.walking import WalkRule
from tests.floor.pick_floor import MAIN, NOW, add_bins, add_order
from tests.team import hire

EAST = "gid://shopify/Location/2"
PICKER, LEAD = Actor("pick-1", "P02"), Actor("desk", "M01")
LEASE = timedelta(minutes=10)


@pytest.fixture
def cache(engine: Engine) -> Cache:
    """Five orders of one mug each at the main warehouse, which holds 3; the east coast holds 10.
    The queue's order: #1001 (rush), then the oldest first: #1005, #1004, #1003, #1002."""
    cache = Cache(engine, session_factory(engine))
    with cache.sessions() as session:
        hire(session)
        add_bins(session)
        session.add(Location(id=MAIN, name="Main Warehouse", synced_at=NOW))
        session.add(Location(id=EAST, name="East Coast DC", synced_at=NOW))
        add_order(session, 1001, {"MUG-1": 1}, tags=("rush",))
        for number in (1002, 1003, 1004, 1005):
            add_order(session, number, {"MUG-1": 1})
        session.add(
            InventoryLevel(inventory_item_id="mug", location_id=MAIN, sku="MUG-1", on_hand=3, synced_at=NOW)
        )
        session.add(
            InventoryLevel(inventory_item_id="mug", location_id=EAST, sku="MUG-1", on_hand=10, synced_at=NOW)
        )
        session.commit()
    return cache


def names(session: Session, fo_ids: list[str]) -> list[str]:
    by_fo = {fo.id: fo.order_id for fo in session.exec(select(FulfillmentOrder))}
    return [session.get_one(Order, by_fo[ident]).name for ident in fo_ids]


def short_rows(cache: Cache) -> dict[str, FloorException]:
    run_pass(cache, RuleSettings(sla_hours=48), NOW)
    with cache.sessions() as session:
        rows = session.exec(select(FloorException).where(FloorException.kind == "short_stock"))
        return {names(session, [row.subject])[0]: row for row in rows if row.state == "open"}


def test_the_first_three_in_queue_order_get_the_units_and_the_other_two_are_flagged(cache: Cache) -> None:
    with cache.sessions() as session:
        allocation = allocate(session, "MUG-1", MAIN)
        assert allocation is not None
        assert allocation.claimants == 5
        short = [c.fulfillment_order_id for c in allocation.short]
        assert names(session, short) == ["#1003", "#1002"]  # after #1001, #1005 and #1004, in queue order
        assert [(c.needed, c.allotted) for c in allocation.short] == [(1, 0), (1, 0)]

    flagged = short_rows(cache)
    assert sorted(flagged) == ["#1002", "#1003"]
    assert all("short: 3 of 5 orders can ship" in row.message for row in flagged.values())

    with cache.sessions() as session:  # a batch of five takes the three that have units
        pick_list = start_batch(session, PICKER, now=NOW, lease=LEASE, count=5, walk=WalkRule())
        session.commit()
        assert pick_list.id is not None
        sheet = read_sheet(session, pick_list.id)
        assert sorted(t.order_name for line in sheet.lines for t in line.totes) == ["#1001", "#1004", "#1005"]
        assert sum(line.needed for line in sheet.lines) == 3
    with cache.sessions() as session, pytest.raises(PickRefused, match="short: 3 of 5 orders can ship"):
        start_batch(session, Actor("pick-2", "P01"), now=NOW, lease=LEASE, count=5, walk=WalkRule())


def test_a_new_rush_order_takes_the_units_and_flags_the_one_it_displaced(cache: Cache) -> None:
    assert sorted(short_rows(cache)) == ["#1002", "#1003"]
    with cache.sessions() as session:
        add_order(session, 1009, {"MUG-1": 1}, tags=("rush",))  # the oldest rush order: first
        session.commit()
    with cache.sessions() as session:
        session.add(
            ChangeFeedEntry(at=NOW, stream="orders", object_id="gid://shopify/Order/1009", change="created")
        )
        session.commit()
    assert sorted(short_rows(cache)) == ["#1002", "#1003", "#1004"]


def test_units_already_on_a_pick_list_stay_with_it_when_a_rush_order_comes(cache: Cache) -> None:
    with cache.sessions() as session:  # the three covered ones are being picked
        start_batch(session, PICKER, now=NOW, lease=LEASE, count=3, walk=WalkRule())
        add_order(session, 1009, {"MUG-1": 1}, tags=("rush",))  # first in the queue, but late
        session.commit()
    with cache.sessions() as session:
        allocation = allocate(session, "MUG-1", MAIN)
        assert allocation is not None and allocation.claimants == 6
        assert names(session, [c.fulfillment_order_id for c in allocation.short]) == [
            "#1009",
            "#1003",
            "#1002",
        ]


def test_the_flagged_ones_are_held_moved_or_shipped_partial_by_choice(cache: Cache) -> None:
    flagged = short_rows(cache)
    with cache.sessions() as session:
        offered = [choice.value for choice in choices(session, flagged["#1003"].id or 0)]
        assert offered == ["hold", f"move:{EAST}", "partial"]
        choose(session, LEAD, flagged["#1003"].id or 0, "hold")
        choose(session, LEAD, flagged["#1002"].id or 0, f"move:{EAST}")
        session.commit()
    with cache.sessions() as session:
        fos = {
            fo.id: fo
            for fo in session.exec(
                select(FulfillmentOrder).where(
                    col(FulfillmentOrder.id).in_(
                        ["gid://shopify/FulfillmentOrder/1003", "gid://shopify/FulfillmentOrder/1002"]
                    )
                )
            )
        }
        assert fos["gid://shopify/FulfillmentOrder/1003"].status == "ON_HOLD"
        rows = session.exec(select(FloorException).where(FloorException.kind == "short_stock")).all()
        assert {row.resolution for row in rows} == {"held: out of stock", "moved to East Coast DC"}


def test_shipping_partial_picks_what_was_allotted_and_no_more(cache: Cache) -> None:
    with cache.sessions() as session:  # #1003 wants 2 and 4 are there: it is allotted the last one
        line = session.get_one(FulfillmentOrderLineItem, "gid://shopify/FulfillmentOrderLineItem/100300")
        line.total_quantity = line.remaining_quantity = 2
        session.get_one(InventoryLevel, ("mug", MAIN)).on_hand = 4
        session.commit()
    flagged = short_rows(cache)
    assert "MUG-1 1 of 2" in flagged["#1003"].message
    with cache.sessions() as session:
        choose(session, LEAD, flagged["#1003"].id or 0, "partial")
        session.commit()
    with cache.sessions() as session:
        pick_list = start_batch(session, PICKER, now=NOW, lease=LEASE, count=5, walk=WalkRule())
        session.commit()
        sheet = read_sheet(session, pick_list.id or 0)
        units = {t.order_name: t.needed for line in sheet.lines for t in line.totes}
        assert units == {"#1001": 1, "#1005": 1, "#1004": 1, "#1003": 1}  # #1002 waits: none left


def test_what_a_partial_shipment_leaves_waits_its_turn_not_first_as_work_in_hand(cache: Cache) -> None:
    with cache.sessions() as session:  # #1003 wants 2 and gets the last of 4: the batch takes all 4 units
        line = session.get_one(FulfillmentOrderLineItem, "gid://shopify/FulfillmentOrderLineItem/100300")
        line.total_quantity = line.remaining_quantity = 2
        session.get_one(InventoryLevel, ("mug", MAIN)).on_hand = 4
        session.commit()
    with cache.sessions() as session:
        choose(session, LEAD, short_rows(cache)["#1003"].id or 0, "partial")
        session.commit()
    with cache.sessions() as session:
        pick_list = start_batch(session, PICKER, now=NOW, lease=LEASE, count=5, walk=WalkRule())
        pick_list.state = "done"
        for row in session.exec(select(PickListLine).where(PickListLine.pick_list_id == pick_list.id)):
            row.picked = row.needed
            ship(session, LEAD, row.fulfillment_order_id, {row.fulfillment_order_line_item_id: row.needed})
        session.get_one(InventoryLevel, ("mug", MAIN)).on_hand = 1  # one more came in
        add_order(session, 1009, {"MUG-1": 1}, tags=("rush",))
        session.commit()
    with cache.sessions() as session:  # the rush order first; #1003's second mug in the queue's order
        allocation = allocate(session, "MUG-1", MAIN)
        assert allocation is not None
        assert names(session, [c.fulfillment_order_id for c in allocation.short]) == ["#1003", "#1002"]
