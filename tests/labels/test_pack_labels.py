"""Labels at the pack station's workflow (the floor code the screen drives): the bought label's
tracking number and carrier ship with the fulfilment; a label not used is voided until refunded."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from oms_tui.cache.enums import ExceptionKind, ExceptionState, LabelState
from oms_tui.cache.models import FloorException, FulfillmentOrder, OutboxAction
from oms_tui.floor.actions.store_actions import hold
from oms_tui.floor.labels.desk import onto_pack
from oms_tui.floor.labels.records import void_unused
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.pack_state import Pack
from tests.labels.conftest import PACKER, LabelShop


def packed(label_shop: LabelShop, name: str) -> Pack:
    """The order opened and every unit scanned, as the packer does."""
    with label_shop.cache.sessions() as session:
        pack = packing.open_pack(session, PACKER, name)
        for line in pack.lines:
            for _ in range(line.needed):
                pack = packing.scan(session, PACKER, pack.session_ids, line.sku or line.barcode or "")
        session.commit()
    assert pack.ready_for_tracking
    return pack


def test_the_labels_tracking_number_and_carrier_ship_to_the_store(label_shop: LabelShop) -> None:
    order = label_shop.open_orders(1)[0]
    pack = packed(label_shop, order.name)
    label = asyncio.run(label_shop.desk(PACKER).buy(order.name, weight_g=650))
    with label_shop.cache.sessions() as session:
        pack = onto_pack(session, PACKER, pack.session_ids, label)
        assert (pack.tracking_number, pack.carrier) == (label.tracking_number, label.carrier)
        packing.confirm(session, PACKER, pack.session_ids)
        session.commit()
    assert label_shop.push().failed == 0
    shipped = [
        (info.number, info.company)
        for fulfillment in label_shop.store.orders[order.id].fulfillments
        for info in fulfillment.tracking_info
    ]
    assert shipped == [(label.tracking_number, label.carrier)] * len(pack.session_ids), "one per packed FO"
    with label_shop.cache.sessions() as session:
        assert void_unused(session, PACKER) == [], "a label that shipped is used"


def test_an_abandoned_pack_voids_its_label_and_the_exception_waits_for_the_refund(
    label_shop: LabelShop,
) -> None:
    order = label_shop.open_orders(1)[0]
    pack = packed(label_shop, order.name)
    desk = label_shop.desk(PACKER)
    label = asyncio.run(desk.buy(order.name, weight_g=650))
    with label_shop.cache.sessions() as session:
        packing.abandon(session, PACKER, pack.session_ids, "box damaged")
        session.commit()
    assert desk.view(label.id).state == LabelState.VOIDING
    label_shop.push()
    asyncio.run(desk.confirm_refunds())
    assert desk.view(label.id).state == LabelState.VOIDED
    with label_shop.cache.reads() as session:
        problem = session.exec(
            select(FloorException).where(FloorException.kind == ExceptionKind.LABEL_UNUSED)
        ).one()
        assert problem.state == ExceptionState.RESOLVED and "pack abandoned: box damaged" in problem.message
    assert label_shop.ledger()["net"] == "0.00"
    again = asyncio.run(desk.buy(order.name, weight_g=650))
    assert again.bought and again.tracking_number != label.tracking_number, (
        "the order is free for a new label"
    )


def test_a_held_order_s_label_is_voided_by_the_sweep(label_shop: LabelShop) -> None:
    order = label_shop.open_orders(1)[0]
    label = asyncio.run(label_shop.desk(PACKER).buy(order.name, weight_g=650))
    with label_shop.cache.sessions() as session:
        for fo in session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id)):
            hold(session, PACKER, fo.id, "INCORRECT_ADDRESS", "no such street")
        assert void_unused(session, PACKER) == [f"{order.name}: label voiding (order on hold)"]
        session.commit()
    label_shop.push()
    with label_shop.cache.reads() as session:
        kinds = [action.kind for action in session.exec(select(OutboxAction)) if action.state == "done"]
    assert "label_void" in kinds
    assert label_shop.desk(PACKER).view(label.id).refund_status == "submitted"
