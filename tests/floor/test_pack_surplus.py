"""A tote handed to packing whose order the store changed since: what the order no longer needs goes
back to its bins, the packer is told, and the rest is packed (or picked again)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    AuditEvent,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    OutboxAction,
    PickListLine,
    Role,
    Staff,
    Station,
)
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.pack_state import PackProblem
from oms_tui.floor.picking.pick_batches import finish
from oms_tui.floor.picking.pick_lists import start_pick_list
from oms_tui.floor.picking.pick_scans import scan_item
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues.stages import Stage, stage_condition
from tests.floor.pick_floor import MAIN, NOW, add_bins, add_order, add_picker

PICKER, PACKER = Actor("pick-1", "P01"), Actor("pack-1", "K01")
MUGS = "gid://shopify/FulfillmentOrderLineItem/100200"  # #1002's line of three MUG-1
TRACKING = "1Z999AA10123456784"


@pytest.fixture
def handed(session: Session) -> str:
    """#1002 (three mugs, one tee) picked whole and handed to packing; its fulfillment order id."""
    add_picker(session)
    session.add(Staff(code="K01", name="Kim", role=Role.PACKER))
    session.add(Station(name="pack-1", location_id=MAIN))
    add_bins(session)
    fo_id = add_order(session, 1002, {"MUG-1": 3, "TEE-M": 1})
    pick_list = start_pick_list(session, [fo_id], PICKER, walk=WalkRule())
    assert pick_list.id is not None
    for code in ("MUG-1", "MUG-1", "MUG-1", "TEE-M"):
        scan_item(session, pick_list.id, code, PICKER)
    finish(session, pick_list.id, PICKER, NOW)
    session.commit()
    return fo_id


def shipped_elsewhere(session: Session, line_id: str, units: int) -> None:
    """As a sync writes a fulfillment made elsewhere (Shopify's admin) of `units` of one line."""
    line = session.get_one(FulfillmentOrderLineItem, line_id)
    line.remaining_quantity -= units
    fo = session.get_one(FulfillmentOrder, line.fulfillment_order_id)
    fo.status = "IN_PROGRESS"
    session.commit()


def put_back_tasks(session: Session) -> list[str]:
    return list(session.exec(select(FloorException.message).where(FloorException.kind == "put_back")))


def in_tote(session: Session, fo_id: str) -> int:
    """Units the cache counts as picked for the order and not yet shipped."""
    rows = session.exec(
        select(PickListLine).where(
            PickListLine.fulfillment_order_id == fo_id, col(PickListLine.withdrawn).is_(None)
        )
    )
    return sum(row.picked - row.shipped for row in rows)


def in_stage(session: Session, stage: Stage) -> set[str]:
    return set(session.exec(select(FulfillmentOrder.id).where(stage_condition(stage, NOW))))


def shipped_lines(session: Session) -> list[tuple[str, int]]:
    actions = session.exec(select(OutboxAction).where(OutboxAction.kind == "fulfill"))
    return [(line["id"][-6:], line["quantity"]) for a in actions for line in a.payload["lines"]]


def test_a_tote_whose_order_shipped_in_part_elsewhere_puts_the_extra_back_then_packs_the_rest(
    session: Session, handed: str
) -> None:
    shipped_elsewhere(session, MUGS, 2)

    with pytest.raises(PackProblem) as stopped:
        packing.open_pack(session, PACKER, "1002")
    session.commit()  # as the pack screen commits a refusal
    assert stopped.value.title == "Stop: #1002 was partly shipped or edited elsewhere"
    assert stopped.value.message == "Put back: 2 x MUG-1 to A-12-1"
    assert stopped.value.hint == "Then scan #1002 again to pack the rest"
    assert put_back_tasks(session) == [
        "#1002 was partly shipped or edited elsewhere: put back 2 x MUG-1 to A-12-1"
    ]
    assert in_tote(session, handed) == 2  # one mug and the tee

    pack = packing.open_pack(session, PACKER, "1002")  # told once: now it opens
    assert [(line.sku, line.needed) for line in pack.lines] == [("MUG-1", 1), ("TEE-M", 1)]
    for code in ("MUG-1", "TEE-M", TRACKING):
        pack = packing.scan(session, PACKER, pack.session_ids, code)
    packing.confirm(session, PACKER, pack.session_ids)
    session.commit()
    assert shipped_lines(session) == [("100200", 1), ("100201", 1)]
    assert in_tote(session, handed) == 0  # nothing is left behind in the tote
    assert pack.partial_reason is None


@pytest.mark.parametrize(
    ("change", "why"),
    [("cancelled", "was cancelled"), ("ON_HOLD", "was put on hold"), ("CLOSED", "was shipped elsewhere")],
)
def test_a_tote_whose_order_will_not_ship_goes_back_whole_and_the_order_leaves_the_pack_stage(
    session: Session, handed: str, change: str, why: str
) -> None:
    if change == "cancelled":
        session.get_one(Order, "gid://shopify/Order/1002").cancelled_at = NOW
    else:
        session.get_one(FulfillmentOrder, handed).status = change
    session.commit()

    with pytest.raises(PackProblem) as stopped:
        packing.open_pack(session, PACKER, "1002")
    session.commit()
    assert (stopped.value.title, stopped.value.hint) == (f"Stop: #1002 {why}", "")
    assert stopped.value.message == "Put back: 1 x TEE-M to A-3-2; 3 x MUG-1 to A-12-1"  # walking order
    assert in_tote(session, handed) == 0
    assert handed not in in_stage(session, Stage.READY_TO_PACK)
    with pytest.raises(PackProblem) as again:  # the task is given once; the order says why it is not packed
        packing.open_pack(session, PACKER, "1002")
    assert not again.value.title.startswith("Stop")
    assert len(put_back_tasks(session)) == 1
    if change == "ON_HOLD":  # released: its units are back in their bins, so it is picked again
        session.get_one(FulfillmentOrder, handed).status = "OPEN"
        assert handed in in_stage(session, Stage.READY_TO_PICK)
        pack = packing.open_pack(session, PACKER, "1002")  # or packed from the shelves, whole
        assert [(line.sku, line.needed) for line in pack.lines] == [("MUG-1", 3), ("TEE-M", 1)]


def test_an_order_lowered_while_it_is_packed_stops_the_packer_and_unverifies_what_is_no_longer_wanted(
    session: Session, handed: str
) -> None:
    pack = packing.open_pack(session, PACKER, "1002")
    for code in ("MUG-1", "MUG-1", "MUG-1"):
        pack = packing.scan(session, PACKER, pack.session_ids, code)
    session.commit()
    shipped_elsewhere(session, MUGS, 2)

    with pytest.raises(PackProblem, match="Put back: 2 x MUG-1 to A-12-1") as stopped:
        packing.scan(session, PACKER, pack.session_ids, "TEE-M")
    session.commit()
    assert stopped.value.hint == "Then go on packing what is left"
    pack = packing.check(session, PACKER, pack.session_ids)  # told once
    assert [(line.sku, line.needed, line.verified) for line in pack.lines] == [
        ("MUG-1", 1, 1),
        ("TEE-M", 1, 0),
    ]
    for code in ("TEE-M", TRACKING):
        pack = packing.scan(session, PACKER, pack.session_ids, code)
    assert packing.confirm(session, PACKER, pack.session_ids).state == "confirmed"
    assert shipped_lines(session) == [("100200", 1), ("100201", 1)]


def test_units_verified_from_a_shelf_beyond_what_is_left_go_back_to_their_bins(session: Session) -> None:
    session.add(Staff(code="K01", name="Kim", role=Role.PACKER))
    session.add(Station(name="pack-1", location_id=MAIN))
    add_bins(session)
    add_order(session, 1003, {"MUG-1": 2})  # packed without a pick list
    session.commit()
    pack = packing.open_pack(session, PACKER, "1003")
    for code in ("MUG-1", "MUG-1"):
        pack = packing.scan(session, PACKER, pack.session_ids, code)
    shipped_elsewhere(session, "gid://shopify/FulfillmentOrderLineItem/100300", 1)

    with pytest.raises(PackProblem, match="Put back: 1 x MUG-1 to A-12-1"):
        packing.check(session, PACKER, pack.session_ids)
    assert packing.check(session, PACKER, pack.session_ids).lines[0].verified == 1


def test_setting_a_picked_order_aside_keeps_its_tote_for_packing(session: Session, handed: str) -> None:
    add_order(session, 1004, {"CAP-9": 1})
    session.commit()
    pack = packing.open_pack(session, PACKER, "1002")
    other = packing.scan(session, PACKER, pack.session_ids, "#1004")  # nothing of #1002 verified yet
    session.commit()
    assert other.order_name == "#1004"
    assert put_back_tasks(session) == [] and in_tote(session, handed) == 4
    assert handed in in_stage(session, Stage.READY_TO_PACK)


def test_an_abandoned_pack_sends_its_tote_back_and_the_order_back_to_picking(
    session: Session, handed: str
) -> None:
    pack = packing.open_pack(session, PACKER, "1002")
    packing.abandon(session, PACKER, pack.session_ids, "abandoned")
    session.commit()
    assert put_back_tasks(session) == ["#1002 abandoned: put back 3 x MUG-1 to A-12-1; 1 x TEE-M to A-3-2"]
    assert in_tote(session, handed) == 0
    assert handed in in_stage(session, Stage.READY_TO_PICK)
    actions = [a for a in session.exec(select(AuditEvent.action))]
    assert "pack.abandon" in actions
