"""Working a pick list: scans count into totes, wrong scans block without counting, short picks are
decided, put-backs are listed, and the audit log tells who did what where."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    AuditEvent,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    OutboxAction,
)
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing.pack_reading import sent_short
from oms_tui.floor.picking.pick_export import export_text
from oms_tui.floor.picking.pick_lists import PickRefused, open_pick_list, start_pick_list
from oms_tui.floor.picking.pick_scans import (
    ScanProblem,
    StaleSheet,
    awaiting_decision,
    complete,
    count_scan,
    hold_short,
    scan_item,
    ship_rest,
    short_pick,
)
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.picking.put_back import pending_put_backs, put_back_done, withdraw_departed
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues import claims
from oms_tui.floor.queues.stages import Stage, stage_condition
from tests.floor.pick_floor import NOW, add_bins, add_order, add_picker

ANA = Actor("pick-1", "P01")


@pytest.fixture
def batch(session: Session) -> tuple[int, list[str]]:
    """#1001 (2 tees, 1 mug) in T1, #1002 (3 mugs) in T2, #1003 (1 sock) in T3."""
    add_picker(session)
    add_bins(session)
    fos = [
        add_order(session, 1001, {"TEE-M": 2, "MUG-1": 1}),
        add_order(session, 1002, {"MUG-1": 3}),
        add_order(session, 1003, {"SOCK-2": 1}),
    ]
    pick_list = start_pick_list(session, fos, ANA, walk=WalkRule())
    session.commit()
    assert pick_list.id is not None
    return pick_list.id, fos


def counts(session: Session, pick_list_id: int) -> dict[str, str]:
    return {
        f"{line.sku} {tote.tote}": f"{tote.picked}/{tote.needed}"
        for line in read_sheet(session, pick_list_id).lines
        for tote in line.totes
    }


def audit(session: Session) -> list[tuple[str, str, str | None]]:
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    return [(row.action, row.station, row.staff_code) for row in rows if row.action.startswith("pick.")]


def test_scans_by_sku_or_barcode_in_any_case_fill_the_first_tote_then_the_next(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    assert open_pick_list(session, "P01") is not None
    results = [scan_item(session, pick_list_id, code, ANA) for code in ("mug-1", "0001112223334", "MUG-1")]
    assert [(r.ok, r.tote, r.order_name) for r in results] == [
        (True, "T1", "#1001"),
        (True, "T2", "#1002"),
        (True, "T2", "#1002"),
    ]
    assert counts(session, pick_list_id) == {
        "SOCK-2 T3": "0/1",
        "TEE-M T1": "0/2",
        "MUG-1 T1": "1/1",
        "MUG-1 T2": "2/3",
    }
    assert read_sheet(session, pick_list_id).current == 0  # the sock, first on the walk, is still to fetch
    assert audit(session) == [("pick.start", "pick-1", "P01")] + [("pick.scan", "pick-1", "P01")] * 3


def test_over_pick_wrong_item_and_unknown_code_count_nothing_and_say_what_is_wrong(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    assert scan_item(session, pick_list_id, "SOCK-2", ANA).ok
    before = counts(session, pick_list_id)

    over = scan_item(session, pick_list_id, "sock-2", ANA)
    wrong = scan_item(session, pick_list_id, "CAP-9", ANA)  # has a bin, on no order of this list
    unknown = scan_item(session, pick_list_id, "zz-not-a-thing", ANA)

    assert (over.problem, wrong.problem, unknown.problem) == (
        ScanProblem.OVER_PICK,
        ScanProblem.WRONG_ITEM,
        ScanProblem.UNKNOWN_CODE,
    )
    assert "all 1 of SOCK-2 are already picked" in over.message
    assert "CAP-9 is not on this pick list" in wrong.message
    assert "'zz-not-a-thing'" in unknown.message
    assert counts(session, pick_list_id) == before
    assert [action for action, _, _ in audit(session)][-3:] == ["pick.scan_rejected"] * 3


def test_a_short_pick_raises_an_exception_and_ship_the_rest_sends_the_order_on_with_fewer(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, fos = batch
    for code in ("SOCK-2", "TEE-M", "TEE-M", "MUG-1", "MUG-1"):
        assert scan_item(session, pick_list_id, code, ANA).ok
    mugs = next(line for line in read_sheet(session, pick_list_id).lines if line.sku == "MUG-1")

    shorted = short_pick(session, pick_list_id, mugs.stop, ANA)

    assert [(o.order_name, o.tote, o.missing) for o in shorted.orders] == [("#1002", "T2", 2)]
    problem = session.get(FloorException, shorted.orders[0].exception_id)
    assert problem is not None and problem.kind == "short pick" and problem.state == "open"
    assert "2 of 3 x MUG-1 not found in bin A-12-1" in problem.message
    assert problem.fix and "Ship the rest" in problem.fix
    with pytest.raises(PickRefused, match="#1002 short: choose ship the rest or hold"):
        complete(session, pick_list_id, ANA)

    assert ship_rest(session, pick_list_id, fos[1], ANA) == 2
    session.commit()

    assert problem.state == "resolved" and problem.resolved_by == "P01"
    assert awaiting_decision(read_sheet(session, pick_list_id)) == []
    complete(session, pick_list_id, ANA)
    session.commit()
    ready = session.exec(select(FulfillmentOrder.id).where(stage_condition(Stage.READY_TO_PACK, NOW))).all()
    assert fos[1] in ready  # with the 1 mug found
    assert [action for action, _, _ in audit(session)][-3:] == [
        "pick.short",
        "pick.ship_rest",
        "pick.complete",
    ]


def test_holding_a_short_order_goes_to_the_store_and_its_picked_units_back_to_their_bins(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, fos = batch
    for code in ("TEE-M", "MUG-1", "MUG-1"):  # #1001: 1 of 2 tees, its mug; #1002: 1 mug
        scan_item(session, pick_list_id, code, ANA)
    tees = next(line for line in read_sheet(session, pick_list_id).lines if line.sku == "TEE-M")
    short_pick(session, pick_list_id, tees.stop, ANA)

    hold_short(session, pick_list_id, fos[0], ANA)
    session.commit()

    fo = session.get(FulfillmentOrder, fos[0])
    assert fo is not None and fo.status == "ON_HOLD"
    sent = session.exec(select(OutboxAction)).all()
    assert [(a.kind, a.payload["reason"]) for a in sent] == [("hold", "INVENTORY_OUT_OF_STOCK")]
    [task] = pending_put_backs(session, pick_list_id)
    assert (
        task.describe() == "#1001 is on hold: from tote T1 put back 1 x TEE-M to A-3-2; 1 x MUG-1 to A-12-1"
    )
    with pytest.raises(PickRefused, match="3 unit"):
        complete(session, pick_list_id, ANA)  # the sock and #1002's 2 mugs still to pick come first
    put_back_done(session, pick_list_id, fos[0], ANA)
    assert pending_put_backs(session, pick_list_id) == []


def test_a_cancelled_order_leaves_the_list_once_and_its_units_become_a_put_back(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    scan_item(session, pick_list_id, "MUG-1", ANA)
    scan_item(session, pick_list_id, "MUG-1", ANA)  # T1's mug, then one for T2
    order = session.get(Order, "gid://shopify/Order/1002")
    assert order is not None
    order.cancelled_at = NOW
    session.commit()

    [task] = withdraw_departed(session, pick_list_id, ANA)
    assert withdraw_departed(session, pick_list_id, ANA) == []  # told once
    assert task.describe() == "#1002 is cancelled: from tote T2 put back 1 x MUG-1 to A-12-1"
    mugs = next(line for line in read_sheet(session, pick_list_id).lines if line.sku == "MUG-1")
    assert (mugs.picked, mugs.needed, mugs.left) == (1, 1, 0)  # only #1001's mug is still wanted
    result = scan_item(session, pick_list_id, "MUG-1", ANA)
    assert result.problem is ScanProblem.OVER_PICK


@pytest.mark.parametrize(
    ("news", "reason"),
    [("cancelled", "cancelled"), ("held", "on hold"), ("shipped", "shipped elsewhere")],
    ids=["cancel", "hold", "shipped-elsewhere"],
)
def test_an_order_the_store_takes_away_mid_pick_is_put_back_and_its_claim_given_back(
    session: Session, batch: tuple[int, list[str]], news: str, reason: str
) -> None:
    """A hold (or a shipment elsewhere) arriving from the store mid-pick puts the order back like a
    cancel does: off the list, its picked units to their bins, the picker's claim on it given back."""
    pick_list_id, fos = batch
    claims.claim(session, fos[1], staff_code="P01", station="pick-1", now=NOW, lease=timedelta(minutes=10))
    scan_item(session, pick_list_id, "MUG-1", ANA)
    scan_item(session, pick_list_id, "MUG-1", ANA)  # T1's mug, then one for T2
    fo, order = session.get_one(FulfillmentOrder, fos[1]), session.get_one(Order, "gid://shopify/Order/1002")
    if news == "cancelled":
        order.cancelled_at = NOW
    else:  # as a sync writes what the store says
        fo.status = "ON_HOLD" if news == "held" else "CLOSED"
    session.commit()

    [task] = withdraw_departed(session, pick_list_id, ANA)
    session.commit()
    assert task.describe() == f"#1002 is {reason}: from tote T2 put back 1 x MUG-1 to A-12-1"
    assert pending_put_backs(session, pick_list_id) == [task]
    assert claims.holder(session, fos[1], NOW) is None
    mugs = next(line for line in read_sheet(session, pick_list_id).lines if line.sku == "MUG-1")
    assert (mugs.picked, mugs.needed, mugs.left) == (1, 1, 0)  # only #1001's mug is still wanted
    assert [action for action, _, _ in audit(session)][-1] == "pick.withdrawn"


def shipped_elsewhere(session: Session, line_id: str, units: int) -> None:
    """As a sync writes a fulfillment made elsewhere (Shopify's admin) of `units` of one line."""
    line = session.get_one(FulfillmentOrderLineItem, line_id)
    line.remaining_quantity -= units
    session.get_one(FulfillmentOrder, line.fulfillment_order_id).status = "IN_PROGRESS"
    session.commit()


def test_an_order_shipped_in_part_elsewhere_mid_pick_asks_for_fewer_and_its_extra_units_go_back(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    for _ in range(3):
        scan_item(session, pick_list_id, "MUG-1", ANA)  # T1's mug, then two of T2's three
    shipped_elsewhere(session, "gid://shopify/FulfillmentOrderLineItem/100200", 2)

    [task] = withdraw_departed(session, pick_list_id, ANA)
    session.commit()
    assert task.describe() == (
        "#1002 is partly shipped or edited elsewhere: from tote T2 put back 1 x MUG-1 to A-12-1"
    )
    assert withdraw_departed(session, pick_list_id, ANA) == []  # told once
    assert pending_put_backs(session, pick_list_id) == [task]
    assert counts(session, pick_list_id)["MUG-1 T2"] == "1/1"  # still on the list, one mug to ship
    assert [action for action, _, _ in audit(session)][-1] == "pick.lowered"
    assert scan_item(session, pick_list_id, "MUG-1", ANA).problem is ScanProblem.OVER_PICK
    put_back_done(session, pick_list_id, task.fulfillment_order_id, ANA)
    assert pending_put_backs(session, pick_list_id) == []


def test_a_line_shipped_in_part_elsewhere_before_its_pick_only_asks_for_the_rest(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    shipped_elsewhere(session, "gid://shopify/FulfillmentOrderLineItem/100100", 1)  # one of #1001's tees

    assert withdraw_departed(session, pick_list_id, ANA) == []  # nothing picked: nothing goes back
    assert counts(session, pick_list_id)["TEE-M T1"] == "0/1"
    scan_item(session, pick_list_id, "TEE-M", ANA)
    assert scan_item(session, pick_list_id, "TEE-M", ANA).problem is ScanProblem.OVER_PICK


def test_units_found_missing_then_shipped_elsewhere_leave_the_order_short_of_nothing(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, fos = batch
    scan_item(session, pick_list_id, "MUG-1", ANA)
    scan_item(session, pick_list_id, "MUG-1", ANA)  # T1's mug, then one of T2's three
    mugs = next(line for line in read_sheet(session, pick_list_id).lines if line.sku == "MUG-1")
    short_pick(session, pick_list_id, mugs.stop, ANA)  # T2's other two are not in the bin
    shipped_elsewhere(session, "gid://shopify/FulfillmentOrderLineItem/100200", 2)  # from another shelf

    assert withdraw_departed(session, pick_list_id, ANA) == []
    assert awaiting_decision(read_sheet(session, pick_list_id)) == []
    for code in ("TEE-M", "TEE-M", "SOCK-2"):
        scan_item(session, pick_list_id, code, ANA)
    complete(session, pick_list_id, ANA)
    assert sent_short(session, [fos[1]]) == {}  # packing ships #1002's one mug, not short


def test_an_order_on_an_open_list_or_cancelled_cannot_start_another(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    _, fos = batch
    add_picker(session, "P02", "Bo Chen")
    with pytest.raises(PickRefused, match="#1002 is already on P01's open pick list"):
        start_pick_list(session, [fos[1]], Actor("pick-2", "P02"), walk=WalkRule())
    with pytest.raises(PickRefused, match="sign in first"):
        start_pick_list(session, [fos[1]], Actor("pick-2"), walk=WalkRule())


def test_the_text_export_lists_every_stop_in_walking_order_with_its_totes(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    scan_item(session, pick_list_id, "MUG-1", ANA)
    text = export_text(read_sheet(session, pick_list_id))
    lines = text.splitlines()
    assert lines[0].startswith(f"Pick list {pick_list_id} · P01 at pick-1")
    assert "3 lines, 1/7 units picked" in lines[1]
    body = [line.split() for line in lines[5:8]]
    assert [row[:3] for row in body] == [
        ["1", "A-3-1", "SOCK-2"],
        ["2", "A-3-2", "TEE-M"],
        ["3", "A-12-1", "MUG-1"],
    ]
    assert lines[7].split()[-3:] == ["1/4", "T1x1,", "T2x3"]
    assert lines[-3:] == ["  T1 = #1001", "  T2 = #1002", "  T3 = #1003"]


def test_missing_units_are_taken_from_the_last_totes_so_the_first_orders_keep_what_was_found(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    mugs = next(line for line in read_sheet(session, pick_list_id).lines if line.sku == "MUG-1")
    with pytest.raises(PickRefused, match="short 1 to 4 units, not 5"):
        short_pick(session, pick_list_id, mugs.stop, ANA, missing=5)

    shorted = short_pick(session, pick_list_id, mugs.stop, ANA, missing=2)  # 2 of the 4 mugs are there

    assert [(o.order_name, o.missing) for o in shorted.orders] == [("#1002", 2)]
    assert [r.tote for r in (scan_item(session, pick_list_id, "MUG-1", ANA) for _ in range(2))] == [
        "T1",
        "T2",
    ]
    assert scan_item(session, pick_list_id, "MUG-1", ANA).problem is ScanProblem.OVER_PICK


def test_a_scan_against_an_out_of_date_sheet_writes_nothing_and_says_so(
    session: Session, batch: tuple[int, list[str]]
) -> None:
    pick_list_id, _ = batch
    before = read_sheet(session, pick_list_id)
    _, after = count_scan(session, before, "sock-2", ANA)
    assert after == read_sheet(session, pick_list_id)  # the sheet it returns is the list as written
    with pytest.raises(StaleSheet):
        count_scan(session, before, "SOCK-2", ANA)  # the sock's one unit is picked already
    assert counts(session, pick_list_id)["SOCK-2 T3"] == "1/1"
