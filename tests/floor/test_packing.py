"""Packing rules: verify by scan, refuse wrong, extra and unknown codes, ship all or part, stop on cancel;
not while the order is still being picked; the packer claims what they pack until it ships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    AuditEvent,
    BinLocation,
    Claim,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    OutboxAction,
    PackSession,
    Role,
    Staff,
    Station,
)
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.pack_reading import read_pack
from oms_tui.floor.packing.pack_state import PackProblem
from oms_tui.floor.picking.pick_batches import finish
from oms_tui.floor.picking.pick_lists import start_pick_list
from oms_tui.floor.picking.pick_scans import scan_item, ship_rest, short_pick
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues import claims
from oms_tui.floor.queues.stages import Stage, stage_condition

T0 = datetime(2026, 11, 20, tzinfo=UTC)
PACKER = Actor(station="pack-1", staff_code="P01")
HERE, THERE = "gid://shopify/Location/1", "gid://shopify/Location/2"
UPS_NUMBER = "1Z999AA10123456784"
LEASE = timedelta(minutes=10)


def add_order(
    session: Session, number: int, lines: list[tuple[str, int]], location: str = HERE, gift_cards: int = 0
) -> None:
    """An order of `lines` (SKU, units), and `gift_cards` units of a gift card (no SKU, no shipping)."""
    order_id, fo_id = f"gid://shopify/Order/{number}", f"gid://shopify/FulfillmentOrder/{number}"
    session.add(
        Order(
            id=order_id,
            name=f"#{number}",
            customer_name="Ada Lovelace",
            fulfillment_status="UNFULFILLED",
            created_at=T0,
            updated_at=T0,
            synced_at=T0,
        )
    )
    session.add(
        FulfillmentOrder(
            id=fo_id,
            order_id=order_id,
            status="OPEN",
            location_id=location,
            created_at=T0,
            updated_at=T0,
            synced_at=T0,
        )
    )
    session.flush()
    gift: list[tuple[str | None, int]] = [(None, gift_cards)] if gift_cards else []
    for n, (sku, quantity) in enumerate([*lines, *gift], start=1):
        line_id = f"gid://shopify/LineItem/{number}{n}"
        session.add(
            LineItem(
                id=line_id,
                order_id=order_id,
                position=n,
                sku=sku,
                barcode=f"40000{number}{n}" if sku else None,
                title=f"Item {sku}" if sku else "Gift Card - $50",
                quantity=quantity,
                current_quantity=quantity,
                unfulfilled_quantity=quantity,
                requires_shipping=sku is not None,
            )
        )
        session.add(
            FulfillmentOrderLineItem(
                id=f"gid://shopify/FulfillmentOrderLineItem/{number}{n}",
                fulfillment_order_id=fo_id,
                line_item_id=line_id,
                sku=sku,
                total_quantity=quantity,
                remaining_quantity=quantity,
            )
        )


@pytest.fixture
def shop(session: Session) -> Session:
    return packing_floor(session)


def packing_floor(session: Session) -> Session:
    """A packer at pack-1 (location 1), #1001 and #1002 there, #1003 at location 2, SKU-RED's bins."""
    session.add(Staff(code="P01", name="Pat", role=Role.PACKER))
    session.add(Station(name="pack-1", location_id=HERE))
    add_order(session, 1001, [("SKU-RED", 2), ("SKU-BLUE", 1)])
    add_order(session, 1002, [("SKU-GREEN", 1)])
    add_order(session, 1003, [("SKU-RED", 1)], location=THERE)
    session.add(BinLocation(location_id=HERE, sku="SKU-RED", code="A-12-1"))
    session.add(BinLocation(location_id=HERE, sku="SKU-RED", code="A-3-2"))
    session.commit()
    return session


def audit(session: Session) -> list[tuple[str, dict[str, object]]]:
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
    return [(row.action, row.details) for row in rows if row.action.startswith(("pack.", "store."))]


def fulfils(session: Session) -> list[dict[str, object]]:
    return [a.payload for a in session.exec(select(OutboxAction).where(OutboxAction.kind == "fulfill"))]


def test_a_whole_pack_ships_what_was_scanned_with_the_recognised_carrier(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1001")
    assert [(line.sku, line.needed, line.verified) for line in pack.lines] == [
        ("SKU-RED", 2, 0),
        ("SKU-BLUE", 1, 0),
    ]
    for code in ("sku-red", "4000010011", "SKU-BLUE"):  # any case; the barcode counts as the SKU
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
    assert pack.complete and pack.next_step == "Buy the label (l), or scan a label's tracking number"
    pack = packing.scan(shop, PACKER, pack.session_ids, UPS_NUMBER)
    assert (pack.tracking_number, pack.carrier) == (UPS_NUMBER, "UPS")
    pack = packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()

    assert pack.state == "confirmed"
    assert shop.get(FulfillmentOrder, "gid://shopify/FulfillmentOrder/1001").status == "CLOSED"  # at once
    (payload,) = fulfils(shop)
    assert payload["tracking"] == {"number": UPS_NUMBER, "company": "UPS", "url": None}
    assert payload["notifyCustomer"] is True
    assert sorted((line["id"][-5:], line["quantity"]) for line in payload["lines"]) == [
        ("10011", 2),
        ("10012", 1),
    ]
    actions = [action for action, _ in audit(shop)]
    assert actions == ["pack.open", *["pack.verify"] * 3, "pack.tracking", "store.fulfill", "pack.confirm"]
    assert {row.staff_code for row in shop.exec(select(AuditEvent))} == {"P01"}


@pytest.mark.parametrize("tracking", [UPS_NUMBER, "RR123456785AT"])  # the second's carrier has a URL
def test_what_each_scan_shows_is_the_pack_as_the_cache_has_it(shop: Session, tracking: str) -> None:
    pack = packing.open_pack(shop, PACKER, "1001")
    for code in ("SKU-RED", "SKU-BLUE", "SKU-RED", tracking):
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
        shop.commit()
        assert pack == read_pack(shop, pack.session_ids)


@pytest.mark.parametrize(
    ("code", "title"),
    [("SKU-GREEN", "Wrong item"), ("NO-SUCH-THING", "Unknown code"), (UPS_NUMBER, "Items not verified")],
)
def test_a_wrong_unknown_or_early_scan_blocks_and_counts_nothing(
    shop: Session, code: str, title: str
) -> None:
    pack = packing.open_pack(shop, PACKER, "#1001")
    with pytest.raises(PackProblem) as refused:
        packing.scan(shop, PACKER, pack.session_ids, code)
    assert refused.value.title == title
    shop.commit()  # the refusal's audit event is kept
    after = read_pack(shop, pack.session_ids)
    assert after.verified_units == 0 and after.tracking_number is None
    assert audit(shop)[-1] == ("pack.refused", {"code": code, "problem": title})


def test_one_more_than_ordered_is_an_extra_item(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1001")
    packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    with pytest.raises(PackProblem, match="needs 2, all verified") as refused:
        packing.scan(shop, PACKER, pack.session_ids, "sku-red")
    assert refused.value.title == "Extra item"
    assert read_pack(shop, pack.session_ids).lines[0].verified == 2


def test_confirm_waits_for_the_items_the_tracking_number_and_a_carrier(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1002")
    with pytest.raises(PackProblem, match="Scan the items"):
        packing.confirm(shop, PACKER, pack.session_ids)
    packing.scan(shop, PACKER, pack.session_ids, "SKU-GREEN")
    with pytest.raises(PackProblem, match="tracking number"):
        packing.confirm(shop, PACKER, pack.session_ids)
    pack = packing.scan(shop, PACKER, pack.session_ids, "TRACK123456")  # typed, no known format
    assert pack.tracking_number == "TRACK123456" and pack.carrier is None
    with pytest.raises(PackProblem, match="choose it"):
        packing.confirm(shop, PACKER, pack.session_ids)
    packing.choose_carrier(shop, PACKER, pack.session_ids, "DHL Express")
    packing.set_notify(shop, PACKER, pack.session_ids, False)
    assert not fulfils(shop)
    packing.confirm(shop, PACKER, pack.session_ids)
    (payload,) = fulfils(shop)
    assert payload["tracking"]["company"] == "DHL Express" and payload["notifyCustomer"] is False


def test_a_partial_shipment_ships_what_was_verified_and_says_why(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1001")
    packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    with pytest.raises(PackProblem, match="Say why"):
        packing.ship_part(shop, PACKER, pack.session_ids, "  ")
    pack = packing.ship_part(shop, PACKER, pack.session_ids, "blue one damaged")
    pack = packing.scan(shop, PACKER, pack.session_ids, "EA123456785US")
    packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()

    (payload,) = fulfils(shop)
    assert [(line["id"][-5:], line["quantity"]) for line in payload["lines"]] == [("10011", 1)]
    assert payload["tracking"]["company"] == "USPS"
    remaining = shop.exec(
        select(FulfillmentOrderLineItem.sku, FulfillmentOrderLineItem.remaining_quantity).where(
            FulfillmentOrderLineItem.fulfillment_order_id == "gid://shopify/FulfillmentOrder/1001"
        )
    ).all()
    assert sorted(remaining) == [("SKU-BLUE", 1), ("SKU-RED", 1)]  # the rest stays open
    assert shop.get(FulfillmentOrder, "gid://shopify/FulfillmentOrder/1001").status == "IN_PROGRESS"
    why = dict(audit(shop))
    assert why["pack.partial"] == {"reason": "blue one damaged", "missing": {"SKU-RED": 1, "SKU-BLUE": 1}}
    assert why["pack.confirm"]["partial"] == "blue one damaged"


def test_cancelled_mid_pack_stops_and_puts_the_units_back_in_their_bins(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1001")
    packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    packing.scan(shop, PACKER, pack.session_ids, "SKU-BLUE")
    shop.commit()
    order = shop.get(Order, "gid://shopify/Order/1001")
    order.cancelled_at = T0  # as sync writes it
    shop.commit()

    pack = packing.check(shop, PACKER, pack.session_ids)
    shop.commit()
    assert pack.state == "abandoned" and pack.blocked == "was cancelled"
    assert [str(item) for item in pack.put_back] == [
        "1 x SKU-RED to A-3-2, A-12-1",
        "1 x SKU-BLUE to no bin on record",
    ]
    (task,) = shop.exec(select(FloorException).where(FloorException.kind == "put_back")).all()
    assert "A-3-2, A-12-1" in task.message and task.order_id == "gid://shopify/Order/1001"
    with pytest.raises(PackProblem, match="abandoned"):
        packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    assert not fulfils(shop)


def test_held_mid_pack_blocks_the_next_scan(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1001")
    packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    shop.get(FulfillmentOrder, "gid://shopify/FulfillmentOrder/1001").status = "ON_HOLD"
    shop.commit()
    with pytest.raises(PackProblem, match="1 x SKU-RED to A-3-2, A-12-1") as stopped:
        packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    assert stopped.value.title == "Stop: #1001 was put on hold"
    shop.commit()
    assert shop.exec(select(PackSession.state)).all() == ["abandoned"]


def test_what_cannot_be_opened_says_why(shop: Session) -> None:
    with pytest.raises(PackProblem, match="not from this station's location"):
        packing.open_pack(shop, PACKER, "1003")
    with pytest.raises(PackProblem, match="no order 9999"):
        packing.open_pack(shop, PACKER, "9999")
    with pytest.raises(PackProblem, match="Nobody is signed in"):
        packing.open_pack(shop, Actor(station="pack-1"), "1001")
    packing.open_pack(shop, PACKER, "1001")
    shop.add(Staff(code="P02", name="Bo", role=Role.PACKER))  # another packer (Pat would take it over)
    with pytest.raises(PackProblem, match="being packed by P01 at pack-1"):
        packing.open_pack(shop, Actor(station="pack-2", staff_code="P02"), "1001")


def test_a_station_that_restarts_resumes_its_pack(shop: Session) -> None:
    first = packing.open_pack(shop, PACKER, "1001")
    packing.scan(shop, PACKER, first.session_ids, "SKU-RED")
    shop.commit()
    again = packing.open_pack(shop, PACKER, "1001")
    assert again.session_ids == first.session_ids and again.verified_units == 1


def test_another_orders_slip_opens_it_unless_this_one_is_half_packed(shop: Session) -> None:
    first = packing.open_pack(shop, PACKER, "1001")
    assert packing.scan(shop, PACKER, first.session_ids, "#1001").session_ids == first.session_ids
    second = packing.scan(shop, PACKER, first.session_ids, "#1002")
    assert second.order_name == "#1002" and read_pack(shop, first.session_ids).state == "abandoned"
    packing.scan(shop, PACKER, second.session_ids, "SKU-GREEN")
    with pytest.raises(PackProblem, match="half packed"):
        packing.scan(shop, PACKER, second.session_ids, "1001")


def test_the_cache_holds_one_open_pack_per_fulfillment_order(shop: Session) -> None:
    fo_id = "gid://shopify/FulfillmentOrder/1001"
    shop.add(PackSession(fulfillment_order_id=fo_id, staff_code="P01", station="pack-1", state="abandoned"))
    shop.add(PackSession(fulfillment_order_id=fo_id, staff_code="P01", station="pack-1"))
    shop.commit()  # one open, any number given up
    shop.add(PackSession(fulfillment_order_id=fo_id, staff_code="P01", station="pack-2"))
    with pytest.raises(IntegrityError):
        shop.commit()


def claimed_by(session: Session, number: int) -> tuple[str, str] | None:
    claim = session.get(Claim, f"gid://shopify/FulfillmentOrder/{number}", populate_existing=True)
    return (claim.staff_code, claim.station) if claim else None


def test_an_order_still_being_picked_is_refused_until_its_pick_list_is_complete(shop: Session) -> None:
    fo_id, picker = "gid://shopify/FulfillmentOrder/1001", Actor(station="pick-1", staff_code="ANA")
    shop.add(Staff(code="ANA", name="Ana", role=Role.PICKER))
    claims.claim(shop, fo_id, staff_code="ANA", station="pick-1", now=T0, lease=LEASE)
    pick_list = start_pick_list(shop, [fo_id], picker, walk=WalkRule())
    assert pick_list.id is not None
    for code in ("SKU-RED", "SKU-RED"):  # the blue one is still on the shelf
        scan_item(shop, pick_list.id, code, picker)
    shop.commit()

    with pytest.raises(PackProblem, match="#1001 is still being picked by ANA at pick-1"):
        packing.open_pack(shop, PACKER, "1001", now=T0, lease=LEASE)
    assert shop.exec(select(PackSession)).all() == [] and claimed_by(shop, 1001) == ("ANA", "pick-1")

    scan_item(shop, pick_list.id, "SKU-BLUE", picker)
    finish(shop, pick_list.id, picker, T0)  # the picker's claim is given back
    pack = packing.open_pack(shop, PACKER, "1001", now=T0, lease=LEASE)
    assert pack.state == "open" and claimed_by(shop, 1001) == ("P01", "pack-1")


def test_the_packer_holds_a_claim_on_the_open_order_until_it_ships(shop: Session) -> None:
    pack = packing.open_pack(shop, PACKER, "1001", now=T0, lease=LEASE)
    assert claimed_by(shop, 1001) == ("P01", "pack-1")
    for code in ("SKU-RED", "SKU-RED", "SKU-BLUE", UPS_NUMBER):
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
    packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()
    assert claimed_by(shop, 1001) is None
    actions = [e.action for e in shop.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
    assert actions[0] == "claim.take" and actions[-2:] == ["pack.confirm", "claim.release"]


def test_an_abandoned_pack_gives_its_claim_back_and_a_claim_held_elsewhere_refuses_the_pack(
    shop: Session,
) -> None:
    pack = packing.open_pack(shop, PACKER, "1002", now=T0, lease=LEASE)
    packing.abandon(shop, PACKER, pack.session_ids, "abandoned")
    assert claimed_by(shop, 1002) is None

    shop.add(Staff(code="P02", name="Bo", role=Role.PACKER))
    claims.claim(
        shop, "gid://shopify/FulfillmentOrder/1002", staff_code="P02", station="pack-2", now=T0, lease=LEASE
    )
    shop.commit()
    with pytest.raises(PackProblem, match="#1002 is held by P02 at pack-2"):
        packing.open_pack(shop, PACKER, "1002", now=T0, lease=LEASE)
    assert claimed_by(shop, 1002) == ("P02", "pack-2")
    assert shop.exec(select(PackSession).where(PackSession.state == "open")).all() == []
    # once their lease has lapsed the work is free again
    again = packing.open_pack(shop, PACKER, "1002", now=T0 + 2 * LEASE, lease=LEASE)
    assert again.state == "open" and claimed_by(shop, 1002) == ("P01", "pack-1")


def test_an_order_picking_sent_on_short_packs_what_was_handed_over_as_a_partial_shipment(
    shop: Session,
) -> None:
    fo_id, picker = "gid://shopify/FulfillmentOrder/1001", Actor(station="pick-1", staff_code="ANA")
    shop.add(Staff(code="ANA", name="Ana", role=Role.PICKER))
    pick_list = start_pick_list(shop, [fo_id], picker, walk=WalkRule())
    assert pick_list.id is not None
    for code in ("SKU-RED", "SKU-RED"):
        scan_item(shop, pick_list.id, code, picker)
    blue = next(line for line in read_sheet(shop, pick_list.id).lines if line.sku == "SKU-BLUE")
    short_pick(shop, pick_list.id, blue.stop, picker)  # the blue one is not in its bin...
    ship_rest(shop, pick_list.id, fo_id, picker)  # ... and the order goes on without it
    finish(shop, pick_list.id, picker, T0)

    pack = packing.open_pack(shop, PACKER, "1001", now=T0, lease=LEASE)
    assert [(line.sku, line.needed) for line in pack.lines] == [("SKU-RED", 2)]  # what is in the tote
    assert pack.partial_reason == "short at picking: 1 x SKU-BLUE"
    for code in ("SKU-RED", "SKU-RED"):
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
    with pytest.raises(PackProblem, match="SKU-BLUE is not on #1001"):
        packing.scan(shop, PACKER, pack.session_ids, "SKU-BLUE")  # not handed over: not packed
    pack = packing.scan(shop, PACKER, pack.session_ids, UPS_NUMBER)
    packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()

    (payload,) = fulfils(shop)
    assert [(line["id"][-5:], line["quantity"]) for line in payload["lines"]] == [("10011", 2)]
    confirmed = [details for action, details in audit(shop) if action == "pack.confirm"]
    assert confirmed[0]["partial"] == "short at picking: 1 x SKU-BLUE"


def in_stage(session: Session, stage: Stage) -> list[str]:
    return list(session.exec(select(FulfillmentOrder.id).where(stage_condition(stage, T0 + LEASE * 2))))


def test_what_a_partial_shipment_leaves_is_picked_again_not_packed_from_the_emptied_tote(
    shop: Session,
) -> None:
    fo_id, picker = "gid://shopify/FulfillmentOrder/1002", Actor(station="pick-1", staff_code="ANA")
    shop.add(Staff(code="ANA", name="Ana", role=Role.PICKER))
    shop.get(FulfillmentOrderLineItem, "gid://shopify/FulfillmentOrderLineItem/10021").remaining_quantity = 3
    first = start_pick_list(shop, [fo_id], picker, walk=WalkRule())
    assert first.id is not None
    scan_item(shop, first.id, "SKU-GREEN", picker)  # one of three: the bin holds no more
    (green,) = read_sheet(shop, first.id).lines
    short_pick(shop, first.id, green.stop, picker)
    ship_rest(shop, first.id, fo_id, picker)
    finish(shop, first.id, picker, T0)
    pack = packing.open_pack(shop, PACKER, "1002", now=T0, lease=LEASE)
    for code in ("SKU-GREEN", UPS_NUMBER):
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
    packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()

    # the one unit picked has gone: the two left are for picking, not for a packer's bench
    assert fo_id in in_stage(shop, Stage.READY_TO_PICK) and fo_id not in in_stage(shop, Stage.READY_TO_PACK)
    with pytest.raises(
        PackProblem, match=r"#1002's picked units have shipped \(short at picking: 2 x SKU-GREEN"
    ):
        packing.open_pack(shop, PACKER, "1002", now=T0 + LEASE * 2, lease=LEASE)
    assert shop.exec(select(PackSession).where(PackSession.state == "open")).all() == []

    again = start_pick_list(shop, [fo_id], picker, walk=WalkRule())  # stock came in: the rest is picked
    assert again.id is not None
    for _ in range(2):
        scan_item(shop, again.id, "SKU-GREEN", picker)
    finish(shop, again.id, picker, T0 + LEASE * 2)
    pack = packing.open_pack(shop, PACKER, "1002", now=T0 + LEASE * 2, lease=LEASE)
    assert [(line.sku, line.needed) for line in pack.lines] == [("SKU-GREEN", 2)]
    assert pack.partial_reason is None


def test_a_gift_card_line_is_not_packed_and_the_goods_ship_whole_with_their_tracking_number(
    shop: Session,
) -> None:
    add_order(shop, 1004, [("SKU-RED", 1)], gift_cards=1)
    shop.commit()
    pack = packing.open_pack(shop, PACKER, "1004")
    assert [(line.sku, line.needed) for line in pack.lines] == [("SKU-RED", 1)]  # nothing to scan for it
    pack = packing.scan(shop, PACKER, pack.session_ids, "SKU-RED")
    assert pack.complete and pack.partial_reason is None
    pack = packing.scan(shop, PACKER, pack.session_ids, UPS_NUMBER)  # taken, not "items not verified"
    assert pack.tracking_number == UPS_NUMBER and pack.next_step == "Confirm to ship"
    pack = packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()

    (payload,) = fulfils(shop)
    assert [(line["id"][-5:], line["quantity"]) for line in payload["lines"]] == [("10041", 1)]
    confirmed = [details for action, details in audit(shop) if action == "pack.confirm"]
    assert confirmed[0]["partial"] is None  # the whole parcel, not a partial shipment
    with pytest.raises(PackProblem, match="what is left needs no shipping"):
        packing.open_pack(shop, PACKER, "1004")  # the gift card is the store's to deliver


def test_a_scanned_gift_card_is_refused_as_not_packed_and_a_gift_card_alone_opens_no_pack(
    shop: Session,
) -> None:
    add_order(shop, 1005, [("SKU-RED", 1), ("GIFT-25", 1)])
    shop.get(LineItem, "gid://shopify/LineItem/10052").requires_shipping = False  # a gift card with a SKU
    add_order(shop, 1006, [], gift_cards=2)
    shop.commit()
    pack = packing.open_pack(shop, PACKER, "1005")
    assert [line.sku for line in pack.lines] == ["SKU-RED"]
    with pytest.raises(PackProblem, match="GIFT-25 needs no shipping") as refused:
        packing.scan(shop, PACKER, pack.session_ids, "gift-25")
    assert refused.value.title == "Not packed"
    with pytest.raises(PackProblem, match="#1006 has nothing to pack"):
        packing.open_pack(shop, PACKER, "1006")
