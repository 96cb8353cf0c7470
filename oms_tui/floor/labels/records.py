"""The cache's side of labels: the order's one live label, claimed before anything goes to the
carrier; the shipment id kept before it is bought; purchase and void recorded as outbox actions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from oms_tui.actions.label_buy import LabelBuyPayload
from oms_tui.actions.label_void import LabelVoidPayload, unused_label_exception
from oms_tui.cache.enums import LIVE_LABEL, ActionKind, ExceptionState, LabelState, OutboxState, PackState
from oms_tui.cache.label_spend import counting_spend
from oms_tui.cache.models import (
    FloorException,
    FulfillmentOrder,
    Order,
    OutboxAction,
    PackSession,
    ShippingLabel,
)
from oms_tui.cache.types import utcnow
from oms_tui.carriers.base import Rate, Shipment
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor, record_action
from oms_tui.floor.labels.rules import LabelProblem


def live_label(session: Session, order_id: str) -> ShippingLabel | None:
    return session.exec(
        select(ShippingLabel).where(
            ShippingLabel.order_id == order_id, col(ShippingLabel.state).in_(LIVE_LABEL)
        )
    ).first()


def last_label(session: Session, order_id: str) -> ShippingLabel | None:
    """The order's newest label, whatever became of it."""
    return session.exec(
        select(ShippingLabel).where(ShippingLabel.order_id == order_id).order_by(col(ShippingLabel.id).desc())
    ).first()


def claim_label(
    session: Session, actor: Actor, order: Order, *, box: str, weight_g: float, label_format: str
) -> ShippingLabel:
    """The order's label slot for this station, or its unpaid live label again (a new parcel, a
    station that died before buying); refused when the order's label is being bought or is bought."""
    if actor.staff_code is None:
        raise LabelProblem("sign in first: labels are bought by a person")
    label = live_label(session, order.id)
    if label is not None and label.state in (LabelState.BUYING, LabelState.BOUGHT):
        what = "is being bought" if label.state == LabelState.BUYING else f"is {label.tracking_number}"
        raise LabelProblem(f"{order.name} already has a live label: it {what} (void it first)")
    if label is None:
        label = ShippingLabel(order_id=order.id, station=actor.station, staff_code=actor.staff_code)
        try:
            with session.begin_nested():  # one live label per order: a unique index
                session.add(label)
        except IntegrityError:
            raise LabelProblem(f"{order.name}'s label was started at another station just now") from None
    label.station, label.staff_code = actor.station, actor.staff_code
    label.box, label.weight_g, label.label_format = box, weight_g, label_format
    record_by(
        session, actor, action="label.claim", subject=order.id, label=label.id, box=box, weight=weight_g
    )
    return label


def keep_shipment(session: Session, label: ShippingLabel, shipment: Shipment) -> None:
    """The carrier's shipment and its rates, kept before anything is bought."""
    label.state, label.shipment_id = LabelState.RATED, shipment.id
    label.rates = [
        {
            "id": rate.id,
            "carrier": rate.carrier,
            "service": rate.service,
            "price": str(rate.price),
            "currency": rate.currency,
            "deliveryDays": rate.delivery_days,
        }
        for rate in shipment.rates
    ]


def rated_label(
    session: Session, order_id: str, box: str, weight_g: float, label_format: str
) -> ShippingLabel | None:
    """The order's live label when it is rated for this very parcel (nothing to ask the carrier again)."""
    label = live_label(session, order_id)
    if label is None or label.state != LabelState.RATED or not label.shipment_id:
        return None
    same = (label.box, label.weight_g, label.label_format) == (box, weight_g, label_format)
    return label if same else None


def stored_rates(label: ShippingLabel) -> list[Rate]:
    return [
        Rate(
            id=rate["id"],
            carrier=rate["carrier"],
            service=rate["service"],
            price=Decimal(rate["price"]),
            currency=rate["currency"],
            delivery_days=rate["deliveryDays"],
        )
        for rate in label.rates
    ]


def queue_buy(session: Session, actor: Actor, label: ShippingLabel, rate: Rate, why: str) -> OutboxAction:
    """Record the purchase at `rate` for the outbox; only a rated label moves to buying, once (a
    conditional update: two stations cannot both queue it)."""
    assert label.id is not None and label.shipment_id is not None
    moved = session.connection().execute(
        update(ShippingLabel)
        .where(col(ShippingLabel.id) == label.id, col(ShippingLabel.state) == LabelState.RATED)
        .values(state=LabelState.BUYING, rate_id=rate.id)
    )
    if moved.rowcount != 1:
        raise LabelProblem("this label is no longer waiting to be bought: look at the order again")
    session.refresh(label)
    _discard_refused_buys(session, label.order_id)
    action = record_action(
        session,
        actor,
        label.order_id,
        label.order_id,
        LabelBuyPayload,
        label_id=label.id,
        shipment_id=label.shipment_id,
        rate_id=rate.id,
        rate=rate.describe(),
    )
    label.carrier, label.service, label.price = rate.carrier, rate.service, str(rate.price)
    label.currency, label.delivery_days = rate.currency, rate.delivery_days
    record_by(session, actor, action="label.rate", subject=label.order_id, rate=rate.describe(), why=why)
    return action


def _discard_refused_buys(session: Session, order_id: str) -> None:
    """A purchase the carrier refused is over: a new one replaces it (else it holds the order's outbox)."""
    for action in session.exec(
        select(OutboxAction).where(
            OutboxAction.order_id == order_id,
            OutboxAction.kind == ActionKind.LABEL_BUY,
            OutboxAction.state == OutboxState.FAILED,
        )
    ):
        action.state, action.updated_at = OutboxState.DISCARDED, utcnow()
        for problem in session.exec(
            select(FloorException).where(
                FloorException.subject == f"outbox:{action.id}",
                FloorException.state != ExceptionState.RESOLVED,
            )
        ):
            problem.state, problem.resolution, problem.resolved_at = (
                ExceptionState.RESOLVED,
                "bought again",
                utcnow(),
            )


def void_label(session: Session, actor: Actor, label: ShippingLabel, why: str) -> OutboxAction | None:
    """The label will not be used: a bought one is refunded through the outbox (its exception stays open
    until the carrier confirms), an unpaid one is dropped. Refused while its purchase is in flight."""
    order = session.get(Order, label.order_id)
    name = order.name if order else label.order_id
    if label.state == LabelState.BUYING:
        raise LabelProblem(f"{name}'s label is being bought: void it once the purchase is known")
    if label.state in (LabelState.CLAIMED, LabelState.RATED):
        label.state, label.void_reason = LabelState.DROPPED, why
        record_by(session, actor, action="label.drop", subject=label.order_id, label=label.id, why=why)
        return None
    if label.state != LabelState.BOUGHT:
        raise LabelProblem(f"{name} has no live label to void")
    assert label.shipment_id is not None and label.tracking_number is not None
    with counting_spend(session, label):  # its cost waits for the refund
        moved = session.connection().execute(  # once, whoever else voids it at the same moment
            update(ShippingLabel)
            .where(col(ShippingLabel.id) == label.id, col(ShippingLabel.state) == LabelState.BOUGHT)
            .values(state=LabelState.VOIDING, void_reason=why)
        )
        if moved.rowcount != 1:
            raise LabelProblem(f"{name}'s label is being voided already")
        session.refresh(label)
    action = record_action(
        session,
        actor,
        label.order_id,
        label.order_id,
        LabelVoidPayload,
        label_id=label.id,
        shipment_id=label.shipment_id,
        tracking_number=label.tracking_number,
        reason=why,
    )
    session.add(unused_label_exception(label, name, why))
    return action


def unused_labels(session: Session) -> list[tuple[ShippingLabel, str]]:
    """Live labels that will not ship, with why: the order cancelled or held, or its pack abandoned
    (and none open again) before the label went on a shipment."""
    found: list[tuple[ShippingLabel, str]] = []
    for label in session.exec(select(ShippingLabel).where(col(ShippingLabel.state).in_(LIVE_LABEL))):
        if label.state == LabelState.BUYING:
            continue
        order = session.get(Order, label.order_id)
        why = _not_shipping(session, label, order)
        if why:
            found.append((label, why))
    return found


def _not_shipping(session: Session, label: ShippingLabel, order: Order | None) -> str | None:
    if order is None or order.cancelled_at is not None:
        return "order cancelled"
    fo_ids = [
        fo.id for fo in session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id))
    ]
    packs = list(
        session.exec(
            select(PackSession)
            .where(col(PackSession.fulfillment_order_id).in_(fo_ids))
            .order_by(col(PackSession.id).desc())
        )
    )
    if label.tracking_number and any(
        pack.tracking_number == label.tracking_number and pack.state == PackState.CONFIRMED for pack in packs
    ):
        return None  # used: it shipped
    statuses = {
        fo.status
        for fo in session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id))
    }
    if "ON_HOLD" in statuses and not statuses & {"OPEN", "IN_PROGRESS"}:
        return "order on hold"
    if (
        packs
        and packs[0].state == PackState.ABANDONED
        and packs[0].finished_at
        and packs[0].finished_at > label.created_at
    ):
        return "pack abandoned"
    return None


def void_unused(session: Session, actor: Actor) -> list[str]:
    """Void every live label that will not ship; what was done, a line each. With nobody signed in
    (the live loop's sweep), each void is recorded as its label's buyer's, at this station."""
    done = []
    for label, why in unused_labels(session):
        order = session.get(Order, label.order_id)
        try:
            with session.begin_nested():
                void_label(
                    session, actor if actor.staff_code else Actor(actor.station, label.staff_code), label, why
                )
        except LabelProblem:
            continue  # voided by another station meanwhile
        done.append(f"{order.name if order else label.order_id}: label {label.state} ({why})")
    return done


def bought_since(session: Session, since: datetime) -> tuple[int, dict[str, Decimal]]:
    """Labels bought since `since` (the board's "today") and what they cost, by currency; refunded
    ones are left out."""
    rows = session.exec(
        select(ShippingLabel.price, ShippingLabel.currency).where(
            col(ShippingLabel.bought_at) >= since,
            col(ShippingLabel.state).in_((LabelState.BOUGHT, LabelState.VOIDING)),
        )
    ).all()
    cost: dict[str, Decimal] = {}
    for price, currency in rows:
        cost[currency or ""] = cost.get(currency or "", Decimal(0)) + Decimal(price or 0)
    return len(rows), cost
