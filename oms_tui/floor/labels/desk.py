"""The label workflow, for the pack station and the command line: quote (the carrier's shipment and
its rates, the rule's choice), buy exactly once, fetch the label file, void, hand the tracking number
to the pack.

Every step that talks to the carrier runs in a thread (the carrier interface blocks); the purchase and
the void are outbox actions, delivered at once by `deliver` (the outbox's `deliver_now`) and otherwise by
the outbox's round: whoever delivers it checks the carrier's record by id before any resend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import LabelState
from oms_tui.cache.models import FulfillmentOrder, Location, Order, ShippingLabel, Station
from oms_tui.carriers.base import AddressCheck, Carrier, CarrierError, LabelFormat, Parcel, Rate
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.labels import records, rules
from oms_tui.floor.labels.rules import LabelProblem
from oms_tui.floor.orders.lookup import NotFound, find_order
from oms_tui.floor.packing import carriers as tracking_carriers
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.pack_state import Pack

Deliver = Callable[[int], Awaitable[str]]
T = TypeVar("T")
SETTLE_WAIT_S = 30.0  # how long a purchase another pusher took is waited for before saying so


@dataclass(frozen=True)
class Quote:
    """A rated shipment for an order: its rates and the one the rule picks."""

    label_id: int
    order_id: str
    order_name: str
    shipment_id: str
    rates: tuple[Rate, ...]
    chosen: Rate
    max_days: int
    box: str
    weight_g: float


@dataclass(frozen=True)
class LabelView:
    """A label as the cache has it (read in one session, used after it)."""

    id: int
    order_id: str
    order_name: str
    state: LabelState
    tracking_number: str | None
    carrier: str | None
    service: str | None
    price: Decimal | None
    currency: str | None
    label_url: str | None
    label_format: LabelFormat
    refund_status: str | None

    @property
    def bought(self) -> bool:
        return self.state == LabelState.BOUGHT


class LabelDesk:
    def __init__(self, cache: Cache, carrier: Carrier, settings: Settings, actor: Actor, deliver: Deliver):
        self.cache, self.carrier, self.settings, self.actor, self.deliver = (
            cache,
            carrier,
            settings,
            actor,
            deliver,
        )

    async def verify(self, order_code: str) -> AddressCheck:
        """The order's shipping address as the carrier sees it (errors, a suggested correction)."""
        with self.cache.reads() as session:
            order = _order(session, order_code)
            address = rules.ship_to(order.name, order.shipping_address)
        return await self._carrier(self.carrier.verify_address, address)

    async def quote(
        self,
        order_code: str,
        *,
        box: str | None = None,
        weight_g: float | None = None,
        label_format: LabelFormat | None = None,
    ) -> Quote:
        """Claim the order's label and create its shipment at the carrier (kept before anything is
        bought); nothing is paid. `label_format`: the label's, unless the settings' (`label_format`)."""
        weight = weight_g if weight_g is not None else self.settings.label_default_weight_g
        if not 0 < weight <= 70_000:
            raise LabelProblem(f"weight {weight:g} g: weigh the parcel (1 g to 70 kg)")
        box_name, (length, width, height) = rules.box_size(self.settings, box)
        fmt = label_format or LabelFormat(self.settings.label_format)
        with self.cache.sessions() as session:
            order = _order(session, order_code)
            _shippable(session, order)
            to = rules.ship_to(order.name, order.shipping_address)
            sender = rules.ship_from(self.settings, _location_name(session, self.actor.station))
            days = rules.max_days(self.settings, order.shipping_method)
            rated = records.rated_label(session, order.id, box_name, weight, fmt.value)
            if rated is not None:  # rated already for this very parcel: its rates (and their ids) hold
                assert rated.id is not None and rated.shipment_id is not None
                rates = tuple(records.stored_rates(rated))
                chosen = rules.choose_rate(rates, days)
                return Quote(
                    rated.id, order.id, order.name, rated.shipment_id, rates, chosen, days, box_name, weight
                )
            label = records.claim_label(
                session, self.actor, order, box=box_name, weight_g=weight, label_format=fmt.value
            )
            session.commit()
            label_id, order_id, order_name = label.id, order.id, order.name
        assert label_id is not None
        shipment = await self._carrier(
            lambda: self.carrier.create_shipment(
                to, sender, Parcel(length, width, height, weight), reference=order_name, label_format=fmt
            )
        )
        with self.cache.sessions() as session:
            label = session.get_one(ShippingLabel, label_id)
            if label.state not in (LabelState.CLAIMED, LabelState.RATED):
                raise LabelProblem(f"{order_name}'s label changed meanwhile ({label.state}): look again")
            records.keep_shipment(session, label, shipment)
            session.commit()
        chosen = rules.choose_rate(shipment.rates, days)
        return Quote(
            label_id, order_id, order_name, shipment.id, shipment.rates, chosen, days, box_name, weight
        )

    async def purchase(self, quote: Quote, rate_id: str | None = None) -> LabelView:
        """Buy the quote's label at `rate_id` (None: the rule's choice), exactly once."""
        rate = quote.chosen if rate_id is None else next((r for r in quote.rates if r.id == rate_id), None)
        if rate is None:  # nothing was bought: the rated label is dropped, the order free again
            with self.cache.sessions() as session:
                label = session.get_one(ShippingLabel, quote.label_id)
                records.void_label(session, self.actor, label, "no such rate")
                session.commit()
            raise LabelProblem(f"{rate_id!r} is not one of {quote.order_name}'s rates")
        why = "the rule's choice" if rate.id == quote.chosen.id else f"chosen over {quote.chosen.describe()}"
        with self.cache.sessions() as session:
            label = session.get_one(ShippingLabel, quote.label_id)
            action = records.queue_buy(session, self.actor, label, rate, why)
            session.commit()
            action_id = action.id
        assert action_id is not None
        said = await self.deliver(action_id)
        return await self._settled(quote.label_id, said)

    async def buy(
        self,
        order_code: str,
        *,
        rate_id: str | None = None,
        box: str | None = None,
        weight_g: float | None = None,
        label_format: LabelFormat | None = None,
    ) -> LabelView:
        quote = await self.quote(order_code, box=box, weight_g=weight_g, label_format=label_format)
        return await self.purchase(quote, rate_id)

    async def void(self, order_code: str, why: str = "voided by hand") -> LabelView:
        with self.cache.sessions() as session:
            order = _order(session, order_code)
            label = records.live_label(session, order.id)
            if label is None:
                raise LabelProblem(f"{order.name} has no live label to void")
            action = records.void_label(session, self.actor, label, why)
            session.commit()
            label_id, action_id = label.id, action.id if action else None
        assert label_id is not None
        if action_id is not None:
            await self.deliver(action_id)
        return self.view(label_id)

    async def confirm_refunds(self) -> list[str]:
        """Ask the carrier how the submitted refunds stand; a confirmed one closes its exception."""
        from oms_tui.actions.label_void import refund_seen

        with self.cache.sessions() as session:
            waiting = [
                (label.id, label.shipment_id)
                for label in session.exec(
                    select(ShippingLabel).where(col(ShippingLabel.state) == LabelState.VOIDING)
                )
                if label.refund_status
            ]
        lines = []
        for label_id, shipment_id in waiting:
            assert shipment_id is not None
            shipment = await self._carrier(self.carrier.retrieve, shipment_id)
            with self.cache.sessions() as session:
                label = session.get_one(ShippingLabel, label_id)
                refund_seen(session, label, shipment.refund_status)
                session.commit()
                lines.append(f"{label.tracking_number}: refund {label.refund_status}")
        return lines

    async def label_file(self, label: LabelView) -> bytes:
        if not label.bought or not label.label_url:
            raise LabelProblem(f"{label.order_name} has no bought label")
        return await self._carrier(self.carrier.download, label.label_url)

    def label_of(self, order_code: str) -> LabelView:
        """The order's live label, or its newest one."""
        with self.cache.reads() as session:
            order = _order(session, order_code)
            label = records.live_label(session, order.id) or records.last_label(session, order.id)
            if label is None or label.id is None:
                raise LabelProblem(f"{order.name} has no label")
            return _view(session, label)

    def view(self, label_id: int) -> LabelView:
        with self.cache.reads() as session:
            return _view(session, session.get_one(ShippingLabel, label_id))

    async def _settled(self, label_id: int, said: str) -> LabelView:
        """The label once its purchase is known; another pusher may hold it a moment."""
        deadline = asyncio.get_running_loop().time() + SETTLE_WAIT_S
        while True:
            label = self.view(label_id)
            if label.state != LabelState.BUYING:
                break
            if said not in ("", "done", "failed") or asyncio.get_running_loop().time() > deadline:
                why = said or "another station is sending it"
                raise LabelProblem(
                    f"{label.order_name}'s purchase is not confirmed yet ({why}): it is checked at the "
                    "carrier before anything is sent again"
                )
            await asyncio.sleep(0.05)
        if label.state == LabelState.DROPPED:
            with self.cache.sessions() as session:
                reason = session.get_one(ShippingLabel, label_id).void_reason
            raise LabelProblem(f"{label.order_name}: {reason}")
        return label

    async def _carrier(self, call: Callable[..., T], *args: object) -> T:
        try:
            return await asyncio.to_thread(call, *args)
        except CarrierError as exc:
            raise LabelProblem(str(exc)) from None


def onto_pack(session: Session, actor: Actor, ids: Sequence[int], label: LabelView) -> Pack:
    """The bought label's tracking number and carrier on the pack: confirming it ships with them."""
    if not label.bought or not label.tracking_number:
        raise LabelProblem(f"{label.order_name} has no bought label")
    pack = packing.set_tracking(session, actor, ids, label.tracking_number)
    named = tracking_carriers.by_name(label.carrier or "")
    if named is not None and pack.carrier != named.name:
        pack = packing.choose_carrier(session, actor, ids, named.name)
    return pack


def _order(session: Session, code: str) -> Order:
    try:
        return find_order(session, code)
    except NotFound as exc:
        raise LabelProblem(str(exc)) from None


def _shippable(session: Session, order: Order) -> None:
    if order.cancelled_at is not None:
        raise LabelProblem(f"{order.name} is cancelled: no label")
    from sqlmodel import select

    statuses = {
        fo.status
        for fo in session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id))
    }
    if not statuses & {"OPEN", "IN_PROGRESS"}:
        what = "on hold" if "ON_HOLD" in statuses else "not open for shipping"
        raise LabelProblem(f"{order.name} is {what}: no label")


def _location_name(session: Session, station: str) -> str | None:
    row = session.get(Station, station)
    location = session.get(Location, row.location_id) if row and row.location_id else None
    return location.name if location else None


def _view(session: Session, label: ShippingLabel) -> LabelView:
    assert label.id is not None
    order = session.get(Order, label.order_id)
    return LabelView(
        id=label.id,
        order_id=label.order_id,
        order_name=order.name if order else label.order_id,
        state=label.state,
        tracking_number=label.tracking_number,
        carrier=label.carrier,
        service=label.service,
        price=Decimal(label.price) if label.price else None,
        currency=label.currency,
        label_url=label.label_url,
        label_format=LabelFormat(label.label_format),
        refund_status=label.refund_status,
    )
