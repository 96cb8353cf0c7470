"""A new batch claims the next orders (or a wave of them) and starts their pick list in one location;
completing the list hands the orders on to packing (their claims are given back), and an order that
leaves the list mid-pick (cancelled, held) gives its claim back at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from oms_tui.cache.models import AuditEvent, Claim, Order
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.picking.pick_batches import finish, start_batch, wave_shipping_methods
from oms_tui.floor.picking.pick_lists import PickRefused
from oms_tui.floor.picking.pick_scans import hold_short, scan_item, short_pick
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.picking.put_back import withdraw_departed
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues.claims import Wave
from tests.floor.pick_floor import NOW, add_bins, add_order, add_picker

ANA = Actor("pick-1", "P01")
EAST = "gid://shopify/Location/2"
LEASE = timedelta(minutes=10)


@pytest.fixture
def queue(session: Session) -> dict[str, str]:
    """Most urgent first: #1003 (main, 2 units), #1002 (east, 1 unit), #1001 (main, 1 unit)."""
    add_picker(session)
    add_bins(session)
    return {
        "#1001": add_order(session, 1001, {"MUG-1": 1}),
        "#1002": add_order(session, 1002, {"TEE-M": 1}, location=EAST),
        "#1003": add_order(session, 1003, {"SOCK-2": 1, "CAP-9": 1}),
    }


def held(session: Session) -> set[str]:
    return {claim.fulfillment_order_id for claim in session.exec(select(Claim))}


def test_a_batch_keeps_the_first_orders_location_and_gives_the_others_back(
    session: Session, queue: dict[str, str]
) -> None:
    pick_list = start_batch(session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule())
    session.commit()

    assert pick_list.id is not None
    totes = {t.order_name: t.tote for line in read_sheet(session, pick_list.id).lines for t in line.totes}
    assert totes == {"#1003": "T1", "#1001": "T2"}
    assert held(session) == {queue["#1003"], queue["#1001"]}  # #1002 is back in the queue
    with pytest.raises(PickRefused, match=f"finish pick list {pick_list.id} first"):
        start_batch(session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule())


def test_a_wave_of_single_item_orders_and_completing_it_releases_the_claims(
    session: Session, queue: dict[str, str]
) -> None:
    pick_list = start_batch(
        session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule(), wave=Wave(single_item=True)
    )
    session.commit()
    assert pick_list.id is not None
    assert {t.order_name for line in read_sheet(session, pick_list.id).lines for t in line.totes} == {"#1002"}
    assert held(session) == {queue["#1002"]}  # #1001 (single-item, but in another location) went back

    assert scan_item(session, pick_list.id, "TEE-M", ANA).ok
    finish(session, pick_list.id, ANA, NOW)
    session.commit()

    assert held(session) == set()
    actions = [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]
    assert actions[-2:] == ["pick.complete", "claim.release"]


def test_a_rush_wave_takes_only_rush_orders_and_an_empty_wave_is_said_plainly(
    session: Session, queue: dict[str, str]
) -> None:
    rush = Wave(rush=True)
    with pytest.raises(PickRefused, match="nothing ready to pick in this wave"):
        start_batch(session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule(), wave=rush)
    add_order(session, 1009, {"CAP-9": 1}, tags=("Rush",))  # the newest order, but rush

    pick_list = start_batch(session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule(), wave=rush)

    assert pick_list.id is not None
    assert [t.order_name for line in read_sheet(session, pick_list.id).lines for t in line.totes] == ["#1009"]


def test_orders_that_leave_the_list_mid_pick_give_their_claims_back(
    session: Session, queue: dict[str, str]
) -> None:
    pick_list = start_batch(session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule())
    assert pick_list.id is not None and held(session) == {queue["#1003"], queue["#1001"]}
    cancelled = session.get(Order, "gid://shopify/Order/1001")
    assert cancelled is not None
    cancelled.cancelled_at = NOW  # as sync brings it
    withdraw_departed(session, pick_list.id, ANA)
    assert held(session) == {queue["#1003"]}

    socks = next(line for line in read_sheet(session, pick_list.id).lines if line.sku == "SOCK-2")
    short_pick(session, pick_list.id, socks.stop, ANA)
    hold_short(session, pick_list.id, queue["#1003"], ANA)
    session.commit()
    assert held(session) == set()
    releases = session.exec(select(AuditEvent).where(AuditEvent.action == "claim.release")).all()
    assert [(e.subject, e.staff_code, e.station) for e in releases] == [
        (queue["#1002"], "P01", "pick-1"),  # at the start: another location
        (queue["#1001"], "P01", "pick-1"),
        (queue["#1003"], "P01", "pick-1"),
    ]


def test_a_carrier_wave_takes_only_the_orders_shipping_that_way(
    session: Session, queue: dict[str, str]
) -> None:
    ups = [
        add_order(session, 1004, {"MUG-1": 1}, shipping_method="UPS Ground"),
        add_order(session, 1005, {"TEE-M": 2}, shipping_method="ups ground"),  # the same, as typed
    ]
    add_order(session, 1006, {"CAP-9": 1}, shipping_method="DHL Express")
    add_order(session, 1007, {"CAP-9": 1}, shipping_method="USPS Priority Mail", status="ON_HOLD")
    # the waves there are: the methods of the work ready to pick, most first (not the held order's)
    assert wave_shipping_methods(session, NOW) == [("UPS Ground", 2), ("DHL Express", 1)]

    pick_list = start_batch(
        session, ANA, now=NOW, lease=LEASE, count=3, walk=WalkRule(), wave=Wave(shipping_method="UPS Ground")
    )
    session.commit()
    assert pick_list.id is not None
    assert {t.order_name for line in read_sheet(session, pick_list.id).lines for t in line.totes} == {
        "#1004",
        "#1005",
    }
    assert held(session) == set(ups)
