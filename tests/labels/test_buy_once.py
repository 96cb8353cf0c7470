"""Buying labels exactly once: the rule's rate, a lost answer checked before anything is sent again,
one live label per order, a refused purchase, voids after cancel and abandon."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from oms_tui.cache.enums import ExceptionKind, ExceptionState, LabelState, OutboxState
from oms_tui.cache.models import FloorException, OutboxAction, ShippingLabel
from oms_tui.cache.types import utcnow
from oms_tui.floor.labels.records import bought_since
from oms_tui.floor.labels.rules import LabelProblem
from oms_tui.floor.packing.carriers import recognise
from oms_tui.floor.queues.board import board_figures
from tests.labels.conftest import PACKER, LabelShop
from tests.writer_busy import done_beside_a_writer


def test_the_cheapest_rate_that_keeps_the_promise_is_bought_once(label_shop: LabelShop) -> None:
    order = label_shop.open_orders(1)[0]
    desk = label_shop.desk(PACKER)
    quote = asyncio.run(desk.quote(order.name, box="small", weight_g=800))
    keeping = [
        rate
        for rate in quote.rates
        if rate.delivery_days is not None and rate.delivery_days <= quote.max_days
    ]
    assert quote.chosen.price == min(rate.price for rate in keeping)
    label = asyncio.run(desk.purchase(quote))
    assert label.bought and label.price == quote.chosen.price and label.carrier == quote.chosen.carrier
    found = recognise(label.tracking_number or "")
    assert found is not None and found.carrier.name == label.carrier
    [charge] = label_shop.charges()
    assert charge["tracking_code"] == label.tracking_number and Decimal(charge["amount"]) == label.price
    with label_shop.cache.reads() as session:
        assert bought_since(session, utcnow() - timedelta(hours=1)) == (1, {"USD": label.price})
        board = board_figures(session, utcnow(), timedelta(hours=24))
        assert board.labels_today == (1, {"USD": label.price})  # the board's "labels today"
    with pytest.raises(LabelProblem, match="already has a live label"):
        asyncio.run(desk.buy(order.name))
    assert len(label_shop.charges()) == 1


def test_a_lost_answer_is_read_back_by_shipment_id_and_never_bought_again(label_shop: LabelShop) -> None:
    order = label_shop.open_orders(1)[0]
    desk = label_shop.desk(PACKER)
    label_shop.imitation.faults.queue("shipment.buy", "lost")
    with pytest.raises(LabelProblem, match="not confirmed yet"):
        asyncio.run(desk.buy(order.name, weight_g=400))
    assert len(label_shop.charges()) == 1, "the carrier charged: only its answer was lost"
    with label_shop.cache.reads() as session:
        [action] = session.exec(select(OutboxAction)).all()
        assert action.state == OutboxState.SENDING
    buys_before = label_shop.imitation.requests["shipment.buy"]
    summary = label_shop.push()
    assert summary.done == 1
    assert label_shop.imitation.requests["shipment.buy"] == buys_before, "checked, not sent again"
    label = desk.label_of(order.name)
    [charge] = label_shop.charges()
    assert label.bought and label.tracking_number == charge["tracking_code"]


def test_a_purchase_sent_twice_is_refused_by_the_carrier_and_read_back(label_shop: LabelShop) -> None:
    """An answer that came too late (the station gave up) then a resend: the carrier buys a shipment
    once; its refusal sends the outbox to read the purchase back."""
    order = label_shop.open_orders(1)[0]
    desk = label_shop.desk(PACKER)
    quote = asyncio.run(desk.quote(order.name, weight_g=400))
    with label_shop.cache.sessions() as session:
        from oms_tui.floor.labels.records import queue_buy

        queue_buy(session, PACKER, session.get_one(ShippingLabel, quote.label_id), quote.chosen, "test")
        session.commit()
    label_shop.carrier.buy(quote.shipment_id, quote.chosen.id)  # an earlier attempt that got through
    with label_shop.cache.sessions() as session:  # ... whose outcome the outbox never learnt
        action = session.exec(select(OutboxAction)).one()
        action.state = OutboxState.PENDING
        session.commit()
    assert label_shop.push().done == 1
    assert len(label_shop.charges()) == 1
    assert desk.label_of(order.name).bought


def test_a_second_station_cannot_start_a_label_for_the_same_order(label_shop: LabelShop) -> None:
    from oms_tui.floor.actions.store_actions import Actor

    order = label_shop.open_orders(1)[0]
    asyncio.run(label_shop.desk(PACKER).buy(order.name, weight_g=300))
    other = label_shop.desk(Actor("pack-2", "M01"))
    with pytest.raises(LabelProblem, match="already has a live label"):
        asyncio.run(other.quote(order.name, weight_g=300))
    with label_shop.cache.sessions() as session:  # nor behind the workflow's back: the unique index
        from sqlalchemy.exc import IntegrityError

        session.add(ShippingLabel(order_id=order.id, station="pack-2", staff_code="M01"))
        with pytest.raises(IntegrityError):
            session.commit()
    assert len(label_shop.charges()) == 1


def test_a_refused_purchase_is_an_exception_and_the_order_can_be_bought_again(label_shop: LabelShop) -> None:
    order = label_shop.open_orders(1)[0]
    desk = label_shop.desk(PACKER)
    label_shop.imitation.faults.queue("shipment.buy", "reject:SHIPMENT.POSTAGE.FAILURE")
    with pytest.raises(LabelProblem, match=r"SHIPMENT\.POSTAGE\.FAILURE"):
        asyncio.run(desk.buy(order.name, weight_g=300))
    with label_shop.cache.reads() as session:
        [problem] = session.exec(select(FloorException)).all()
        assert problem.kind == ExceptionKind.STORE_REJECTED and "rejected by the carrier" in problem.message
    assert label_shop.charges() == []
    label = asyncio.run(desk.buy(order.name, weight_g=300))
    assert label.bought and len(label_shop.charges()) == 1
    with label_shop.cache.reads() as session:
        assert session.exec(select(FloorException)).one().state == ExceptionState.RESOLVED


def test_a_label_of_a_cancelled_order_is_voided_and_its_exception_lasts_until_the_refund(
    label_shop: LabelShop,
) -> None:
    from oms_tui.actions.cancel import Refund
    from oms_tui.floor.actions.store_actions import Actor, cancel
    from oms_tui.floor.labels.records import void_unused

    order = label_shop.open_orders(1)[0]
    desk = label_shop.desk(PACKER)
    label = asyncio.run(desk.buy(order.name, weight_g=300))
    manager = Actor("pack-1", "M01")
    with label_shop.cache.sessions() as session:
        cancel(session, manager, order.id, "CUSTOMER", refund=Refund.ORIGINAL, restock=True)
        assert void_unused(session, manager) == [f"{order.name}: label voiding (order cancelled)"]
        session.commit()
    with label_shop.cache.reads() as session:
        problem = session.exec(
            select(FloorException).where(FloorException.kind == ExceptionKind.LABEL_UNUSED)
        ).one()
        assert problem.state == ExceptionState.OPEN and label.tracking_number in problem.message
    label_shop.push()
    voided = desk.view(label.id)
    assert voided.state == LabelState.VOIDING and voided.refund_status == "submitted"
    assert asyncio.run(desk.confirm_refunds()) == [f"{label.tracking_number}: refund refunded"]
    assert desk.view(label.id).state == LabelState.VOIDED
    with label_shop.cache.reads() as session:
        assert session.get_one(FloorException, problem.id).state == ExceptionState.RESOLVED
    ledger = label_shop.ledger()
    assert ledger["charged"] == ledger["refunded"] == str(label.price) and ledger["net"] == "0.00"


def test_a_label_does_not_wait_for_the_orders_store_actions(label_shop: LabelShop) -> None:
    """The store is out of reach (its actions wait in the outbox): the label is bought all the same."""
    from oms_tui.floor.actions.store_actions import set_note

    order = label_shop.open_orders(1)[0]
    with label_shop.cache.sessions() as session:
        set_note(session, PACKER, order.id, "leave at the back door")
        session.commit()
    label = asyncio.run(label_shop.desk(PACKER).buy(order.name, weight_g=300))
    assert label.bought and len(label_shop.charges()) == 1
    with label_shop.cache.reads() as session:
        states = {action.kind: action.state for action in session.exec(select(OutboxAction))}
    assert states == {"note": OutboxState.PENDING, "label_buy": OutboxState.DONE}


def test_a_bought_label_and_an_address_check_are_read_while_another_station_writes(
    label_shop: LabelShop,
) -> None:
    """Looking a label up (to reprint it) and checking an address only read the cache: they do not
    wait for a sync writing a page (SQLite's write lock)."""
    order = label_shop.open_orders(1)[0]
    desk = label_shop.desk(PACKER)
    bought = asyncio.run(desk.buy(order.name, weight_g=400))
    looked_up: list[object] = []

    def look_up() -> None:
        looked_up.append(desk.label_of(order.name))
        looked_up.append(desk.view(bought.id))
        looked_up.append(asyncio.run(desk.verify(order.name)))

    assert done_beside_a_writer(label_shop.cache, look_up), "the lookups waited for the writer's transaction"
    assert looked_up[0] == looked_up[1] == bought
