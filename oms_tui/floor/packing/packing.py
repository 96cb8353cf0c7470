"""Pack and ship by scan: open an order, verify each unit by its SKU or barcode, take the tracking
number, confirm. The shipment goes through `store_actions.ship` (the cache at once, the store through
the outbox).

A pack is one `PackSession` row per fulfillment order of the order at this station's location; the
rows hold what was verified, so a station that restarts picks the pack up where it was. An order still
being picked (on an open pick list with units to fetch) is not opened; one that picking sent on
short ("ship the rest") needs only the units handed over, and ships as a partial shipment with the
short as its reason. The packer claims what they pack (the station renews the lease while they
work) and gives the claim back when it ships or the pack is abandoned.

Every step is in the audit log. A step that cannot be done raises `PackProblem`, which the packer must
see and acknowledge; what the session then holds is meant to be committed: the audit event of the
refused scan or, when the order was cancelled or held meanwhile, the abandoned pack and its put-back
task.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from oms_tui.cache.models import (
    BinLocation,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Order,
    PackSession,
    PickList,
    PickListLine,
    Station,
)
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.staff import StaffError
from oms_tui.floor.actions.store_actions import ActionRefused, Actor, Tracking, ship
from oms_tui.floor.orders.lookup import NotFound, find_order
from oms_tui.floor.packing import carriers
from oms_tui.floor.queues import claims

SHIPPABLE = ("OPEN", "IN_PROGRESS")
PACK_LEASE = timedelta(minutes=10)  # a packer's claim when the caller gives no lease (stations do)


class PackProblem(ValueError):
    """A scan or step that must stop the packer (see the module's note on committing)."""

    def __init__(self, title: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.title, self.message, self.hint = title, message, hint


@dataclass(frozen=True)
class PackLine:
    fulfillment_order_id: str
    line_id: str  # the fulfillment order line item
    sku: str | None
    barcode: str | None
    title: str
    needed: int
    verified: int

    def answers(self, code: str) -> bool:
        wanted = code.strip().casefold()
        return wanted in {(self.sku or "").casefold(), (self.barcode or "").casefold()} - {""}

    @property
    def name(self) -> str:
        return self.sku or self.barcode or self.title


@dataclass(frozen=True)
class PutBack:
    """Units that were at the bench for an order that will not ship: where they go back."""

    name: str
    quantity: int
    bins: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name} to {', '.join(self.bins) or 'no bin on record'}"


@dataclass(frozen=True)
class Pack:
    order_id: str
    order_name: str
    customer: str
    session_ids: tuple[int, ...]
    lines: tuple[PackLine, ...]
    state: str  # open, confirmed, abandoned
    tracking_number: str | None = None
    carrier: str | None = None
    tracking_url: str | None = None
    notify_customer: bool = True
    partial_reason: str | None = None
    blocked: str | None = None  # why it can no longer ship: cancelled or held meanwhile
    put_back: tuple[PutBack, ...] = ()

    @property
    def verified_units(self) -> int:
        return sum(line.verified for line in self.lines)

    @property
    def needed_units(self) -> int:
        return sum(line.needed for line in self.lines)

    @property
    def complete(self) -> bool:
        return all(line.verified >= line.needed for line in self.lines)

    @property
    def ready_for_tracking(self) -> bool:
        """Every unit verified, or some of them and a reason to ship only those."""
        return self.complete or (self.partial_reason is not None and self.verified_units > 0)

    @property
    def next_step(self) -> str:
        if self.state != "open":
            done = "shipped" if self.state == "confirmed" else f"not shipped ({self.blocked or 'abandoned'})"
            return f"{self.order_name} {done}: scan the next order"
        if not self.ready_for_tracking:
            return f"Scan the items: {self.verified_units} of {self.needed_units} verified"
        if not self.tracking_number:
            return "Scan the label's tracking number"
        if not self.carrier:
            return "Carrier not recognised: choose it"
        return "Confirm to ship"


def station_location(session: Session, station: str) -> str | None:
    """The location this station packs for (None: every location)."""
    row = session.get(Station, station)
    return row.location_id if row else None


def open_pack(
    session: Session,
    actor: Actor,
    code: str,
    *,
    now: datetime | None = None,
    lease: timedelta = PACK_LEASE,
) -> Pack:
    """The order `code` names (`#1004`, `1004`, the slip's barcode), opened for packing at this station
    and claimed by the packer (`now` and `lease`: the claim's)."""
    if actor.staff_code is None:
        raise PackProblem("Sign in first", "Nobody is signed in at this station: scan your badge first")
    try:
        order = find_order(session, code)
    except NotFound as exc:
        raise PackProblem("Unknown order", str(exc)) from None
    if order.cancelled_at is not None:
        raise PackProblem("Order cancelled", f"{order.name} is cancelled: do not pack it")
    location = station_location(session, actor.station)
    fos = list(session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id)))
    here = [fo for fo in fos if location is None or fo.location_id == location]
    ready = [fo for fo in here if fo.status in SHIPPABLE and _units_left(session, fo.id)]
    if not ready:
        raise PackProblem("Nothing to pack", _why_nothing(order, fos, here))
    others = session.exec(
        select(PackSession).where(
            PackSession.state == "open",
            col(PackSession.fulfillment_order_id).in_([fo.id for fo in ready]),
        )
    ).all()
    elsewhere = [row for row in others if row.station != actor.station]
    if elsewhere:
        row = elsewhere[0]
        raise PackProblem(
            "Packed elsewhere",
            f"{order.name} is being packed by {row.staff_code} at {row.station}",
            "Finish or abandon it there first",
        )
    _not_being_picked(session, order, [fo.id for fo in ready])
    _claim(session, actor, [fo.id for fo in ready], now or utcnow(), lease)
    resumed = {row.fulfillment_order_id: row for row in others}
    short = _sent_short(session, [fo.id for fo in ready])
    reason = _short_reason(session, short)
    rows = [
        resumed.get(fo.id)
        or PackSession(
            fulfillment_order_id=fo.id,
            staff_code=actor.staff_code,
            station=actor.station,
            partial_reason=reason,
        )
        for fo in ready
    ]
    try:
        with session.begin_nested():  # one open pack per fulfillment order (a unique index)
            session.add_all(rows)
    except IntegrityError:
        raise PackProblem(
            "Packed elsewhere", f"{order.name} was opened at another station just now"
        ) from None
    ids = tuple(row.id for row in rows if row.id is not None)
    opened = "pack.resume" if resumed else "pack.open"
    record_by(session, actor, action=opened, subject=order.id, sessions=list(ids))
    return read_pack(session, ids)


def scan(
    session: Session,
    actor: Actor,
    ids: Sequence[int],
    code: str,
    *,
    now: datetime | None = None,
    lease: timedelta = PACK_LEASE,
) -> Pack:
    """An item (SKU or barcode, any case) to verify or, once the items are done, the tracking number.

    Another order's number opens that order instead (`now` and `lease`: its claim's) while nothing
    of this one is verified yet.
    """
    pack = _open(session, actor, ids)
    line = next((line for line in pack.lines if line.answers(code) and line.verified < line.needed), None)
    if line is not None:
        row = next(
            row for row in _rows(session, ids) if row.fulfillment_order_id == line.fulfillment_order_id
        )
        # a new dict: changes inside a JSON value are not tracked
        row.verified = {**row.verified, line.line_id: line.verified + 1}
        record_by(
            session,
            actor,
            action="pack.verify",
            subject=pack.order_id,
            code=code,
            line=line.line_id,
            count=line.verified + 1,
        )
        return read_pack(session, ids)
    if any(line.answers(code) for line in pack.lines):
        name = next(line.name for line in pack.lines if line.answers(code))
        needed = sum(line.needed for line in pack.lines if line.answers(code))
        raise _refused(
            session,
            actor,
            pack,
            code,
            "Extra item",
            f"{name}: {pack.order_name} needs {needed}, all verified",
        )
    other = _order_named(session, code)
    if other is not None and other.id == pack.order_id:
        return pack  # the slip scanned again
    if other is not None:
        if pack.verified_units:
            raise _refused(
                session,
                actor,
                pack,
                code,
                "Another order",
                f"{pack.order_name} is half packed: ship it, or abandon it, before {other.name}",
            )
        abandon(session, actor, ids, f"set aside for {other.name}")  # nothing was at the bench
        return open_pack(session, actor, code, now=now, lease=lease)
    if _known_item(session, code):
        raise _refused(session, actor, pack, code, "Wrong item", f"{code} is not on {pack.order_name}")
    if pack.ready_for_tracking:
        return set_tracking(session, actor, ids, code)
    if carriers.recognise(code):
        raise _refused(
            session,
            actor,
            pack,
            code,
            "Items not verified",
            f"{pack.needed_units - pack.verified_units} units of {pack.order_name} are still to verify",
            "Scan them first, or ship part of the order with a reason",
        )
    raise _refused(
        session, actor, pack, code, "Unknown code", f"{code!r} is no SKU or barcode this shop knows"
    )


def set_tracking(session: Session, actor: Actor, ids: Sequence[int], text: str) -> Pack:
    """The tracking number, scanned or typed; its carrier is recognised from its format when it can be."""
    pack = _open(session, actor, ids)
    if not pack.ready_for_tracking:
        raise PackProblem(
            "Items not verified", f"Verify {pack.order_name}'s items before its tracking number"
        )
    found = carriers.recognise(text)
    number = found.number if found else carriers.normalise(text)
    if not re.fullmatch(r"[A-Z0-9]{6,40}", number):
        raise PackProblem(
            "Not a tracking number", f"{text!r} is not a tracking number (6-40 letters and digits)"
        )
    for row in _rows(session, ids):
        row.tracking_number = number
        row.tracking_company = found.carrier.name if found else None
        row.tracking_url = found.url if found else None
    record_by(
        session,
        actor,
        action="pack.tracking",
        subject=pack.order_id,
        number=number,
        carrier=found.carrier.name if found else None,
    )
    return read_pack(session, ids)


def choose_carrier(session: Session, actor: Actor, ids: Sequence[int], name: str) -> Pack:
    pack = _open(session, actor, ids)
    carrier = carriers.by_name(name)
    if carrier is None:
        raise PackProblem("Unknown carrier", f"{name!r} is not a carrier this station knows")
    if not pack.tracking_number:
        raise PackProblem("No tracking number", "Scan the tracking number before choosing its carrier")
    for row in _rows(session, ids):
        row.tracking_company = carrier.name
        row.tracking_url = carrier.tracking_url(pack.tracking_number)
    record_by(
        session,
        actor,
        action="pack.carrier",
        subject=pack.order_id,
        carrier=carrier.name,
        recognised=pack.carrier,
    )
    return read_pack(session, ids)


def set_notify(session: Session, actor: Actor, ids: Sequence[int], notify: bool) -> Pack:
    pack = _open(session, actor, ids)
    for row in _rows(session, ids):
        row.notify_customer = notify
    record_by(session, actor, action="pack.notify", subject=pack.order_id, notify=notify)
    return read_pack(session, ids)


def ship_part(session: Session, actor: Actor, ids: Sequence[int], reason: str) -> Pack:
    """Ship what was verified; the rest stays open on the order. The reason goes in the audit log."""
    pack = _open(session, actor, ids)
    reason = reason.strip()
    if not reason:
        raise PackProblem("Reason needed", "Say why only part of the order ships")
    if pack.complete:
        raise PackProblem("Nothing missing", f"Every item of {pack.order_name} is verified: ship it whole")
    if pack.verified_units == 0:
        raise PackProblem(
            "Nothing verified", f"Scan at least one item of {pack.order_name} to ship part of it"
        )
    for row in _rows(session, ids):
        row.partial_reason = reason
    missing = {line.name: line.needed - line.verified for line in pack.lines if line.verified < line.needed}
    record_by(session, actor, action="pack.partial", subject=pack.order_id, reason=reason, missing=missing)
    return read_pack(session, ids)


def confirm(session: Session, actor: Actor, ids: Sequence[int]) -> Pack:
    """Ship what was verified with the tracking number: one store action per fulfillment order."""
    pack = _open(session, actor, ids)
    if not pack.ready_for_tracking:
        raise PackProblem("Items not verified", pack.next_step)
    if not pack.tracking_number:
        raise PackProblem("No tracking number", "Scan the tracking number on the label")
    if not pack.carrier:
        raise PackProblem("Carrier unknown", "The tracking number's carrier was not recognised: choose it")
    tracking = Tracking(pack.tracking_number, pack.carrier, pack.tracking_url)
    shipped: dict[str, dict[str, int]] = {}
    try:
        with session.begin_nested():  # all fulfillment orders ship, or none
            for row in _rows(session, ids):
                quantities = {line: n for line, n in row.verified.items() if n > 0}
                if quantities:
                    ship(session, actor, row.fulfillment_order_id, quantities, tracking, row.notify_customer)
                    shipped[row.fulfillment_order_id] = quantities
                row.state = "confirmed" if quantities else "abandoned"
                row.finished_at = utcnow()
    except ActionRefused as exc:
        raise PackProblem("Cannot ship", str(exc)) from None
    record_by(
        session,
        actor,
        action="pack.confirm",
        subject=pack.order_id,
        tracking=pack.tracking_number,
        carrier=pack.carrier,
        notify=pack.notify_customer,
        partial=pack.partial_reason,
        shipped=shipped,
    )
    _release(session, actor, ids)
    return read_pack(session, ids)


def abandon(session: Session, actor: Actor, ids: Sequence[int], why: str) -> Pack:
    """Stop packing: the units at the bench go back to their bins (a put-back task when there are any)."""
    pack = read_pack(session, ids)
    if pack.state != "open":
        return pack
    put_back = _put_back(session, pack)
    for row in _rows(session, ids):
        row.state, row.finished_at = "abandoned", utcnow()
    returns = [str(item) for item in put_back]
    record_by(session, actor, action="pack.abandon", subject=pack.order_id, why=why, put_back=returns)
    _release(session, actor, ids)
    if put_back:
        session.add(
            FloorException(
                kind="put_back",
                severity="warning",
                order_id=pack.order_id,
                subject=f"pack {ids[0]}",
                message=f"{pack.order_name} {why}: put back {'; '.join(str(item) for item in put_back)}",
                fix="Return the units to their bins, then resolve this",
                owner=actor.staff_code,
            )
        )
    return read_pack(session, ids, put_back=put_back)


def check(session: Session, actor: Actor, ids: Sequence[int]) -> Pack:
    """The pack as the cache has it now; one that sync cancelled or held is abandoned (with put-back)."""
    pack = read_pack(session, ids)
    if pack.state == "open" and pack.blocked:
        return abandon(session, actor, ids, pack.blocked)
    return pack


def read_pack(session: Session, ids: Sequence[int], put_back: Sequence[PutBack] = ()) -> Pack:
    rows = _rows(session, ids)
    if not rows:
        raise PackProblem("Pack gone", "This pack is no longer in the cache")
    fos = {
        fo.id: fo for fo in (session.get(FulfillmentOrder, row.fulfillment_order_id) for row in rows) if fo
    }
    order = session.get(Order, next(iter(fos.values())).order_id) if fos else None
    if order is None:
        raise PackProblem("Order gone", "This pack's order is no longer in the cache")
    verified = {line: n for row in rows for line, n in row.verified.items()}
    handed = {line: sent for line, (sent, _) in _sent_short(session, list(fos)).items()}
    found = session.exec(
        select(FulfillmentOrderLineItem, LineItem)
        .join(LineItem, col(LineItem.id) == FulfillmentOrderLineItem.line_item_id, isouter=True)
        .where(col(FulfillmentOrderLineItem.fulfillment_order_id).in_(list(fos)))
        .order_by(col(LineItem.position), col(FulfillmentOrderLineItem.id))
    )
    lines = tuple(
        PackLine(
            fulfillment_order_id=fo_line.fulfillment_order_id,
            line_id=fo_line.id,
            sku=(item.sku if item else None) or fo_line.sku,
            barcode=item.barcode if item else None,
            title=item.title if item else fo_line.sku or fo_line.id,
            needed=_needed(fo_line, handed) if rows[0].state == "open" else verified.get(fo_line.id, 0),
            verified=verified.get(fo_line.id, 0),
        )
        for fo_line, item in found
        if _needed(fo_line, handed) > 0 or verified.get(fo_line.id, 0) > 0
    )
    first = rows[0]
    return Pack(
        order_id=order.id,
        order_name=order.name,
        customer=order.customer_name or "",
        session_ids=tuple(ids),
        lines=lines,
        state=first.state,
        tracking_number=first.tracking_number,
        carrier=first.tracking_company,
        tracking_url=first.tracking_url,
        notify_customer=first.notify_customer,
        partial_reason=first.partial_reason,
        blocked=_blocked(order, fos.values()),
        put_back=tuple(put_back),
    )


# --- helpers -----------------------------------------------------------------------------------------


def _rows(session: Session, ids: Sequence[int]) -> list[PackSession]:
    return list(
        session.exec(
            select(PackSession).where(col(PackSession.id).in_(list(ids))).order_by(col(PackSession.id))
        )
    )


def _open(session: Session, actor: Actor, ids: Sequence[int]) -> Pack:
    """The pack, which must still be open and shippable; an interrupted one is abandoned here."""
    pack = check(session, actor, ids)
    if pack.state == "open":
        return pack
    if pack.put_back:  # abandoned just now: the packer learns it here
        raise interrupted(pack)
    why = f" (it {pack.blocked})" if pack.blocked else ""
    raise PackProblem(f"Pack {pack.state}", f"{pack.order_name} is {pack.state}{why}: scan the next order")


def interrupted(pack: Pack) -> PackProblem:
    """The blocking message for a pack that sync cancelled or held (with its put-back list)."""
    items = "; ".join(str(item) for item in pack.put_back) or "nothing was at the bench"
    return PackProblem(f"Stop: {pack.order_name} {pack.blocked or 'stopped'}", f"Put back: {items}")


def _blocked(order: Order, fos: Iterable[FulfillmentOrder]) -> str | None:
    if order.cancelled_at is not None:
        return "was cancelled"
    statuses = {fo.status for fo in fos}
    if "ON_HOLD" in statuses:
        return "was put on hold"
    if statuses and not statuses & set(SHIPPABLE):
        return f"is {' and '.join(sorted(s.lower().replace('_', ' ') for s in statuses))}"
    return None


def _sent_short(session: Session, fo_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Lines that picking sent on without some units ("ship the rest"), from each fulfillment order's
    last completed pick list: fulfillment order line -> (units handed to packing, units missing)."""
    last = (
        select(PickListLine.fulfillment_order_id, func.max(PickListLine.pick_list_id).label("list_id"))
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(
            PickList.state == "done",
            col(PickListLine.fulfillment_order_id).in_(fo_ids),
            col(PickListLine.withdrawn).is_(None),
        )
        .group_by(col(PickListLine.fulfillment_order_id))
        .subquery()
    )
    rows = session.exec(
        select(
            PickListLine.fulfillment_order_line_item_id,
            func.sum(PickListLine.needed),
            func.sum(PickListLine.short),
        )
        .join(
            last,
            (last.c.fulfillment_order_id == PickListLine.fulfillment_order_id)
            & (last.c.list_id == PickListLine.pick_list_id),
        )
        .group_by(col(PickListLine.fulfillment_order_line_item_id))
    ).all()
    return {line: (int(sent), int(short)) for line, sent, short in rows if short}


def _short_reason(session: Session, short: dict[str, tuple[int, int]]) -> str | None:
    """The partial shipment's reason when picking sent the order on short: "short at picking: 1 x CAP-9"."""
    if not short:
        return None
    lines = session.exec(
        select(FulfillmentOrderLineItem).where(col(FulfillmentOrderLineItem.id).in_(list(short)))
    ).all()
    missing = ", ".join(f"{short[line.id][1]} x {line.sku or line.id}" for line in lines)
    return f"short at picking: {missing}"


def _needed(fo_line: FulfillmentOrderLineItem, handed: dict[str, int]) -> int:
    """Units to pack: what is left to ship, no more than picking handed over when it sent it short."""
    return min(fo_line.remaining_quantity, handed.get(fo_line.id, fo_line.remaining_quantity))


def _not_being_picked(session: Session, order: Order, fo_ids: list[str]) -> None:
    """Refuses an order with units still to fetch on an open pick list: its tote is not at the bench."""
    picking = session.exec(
        select(PickList.staff_code, PickList.station)
        .join(PickListLine, col(PickListLine.pick_list_id) == PickList.id)
        .where(
            PickList.state == "open",
            col(PickListLine.fulfillment_order_id).in_(fo_ids),
            col(PickListLine.withdrawn).is_(None),
            PickListLine.picked + PickListLine.short < PickListLine.needed,
        )
        .limit(1)
    ).first()
    if picking is not None:
        staff_code, station = picking
        raise PackProblem(
            "Still being picked",
            f"{order.name} is still being picked by {staff_code} at {station}",
            "Pack it once its pick list is complete",
        )


def _claim(session: Session, actor: Actor, fo_ids: list[str], now: datetime, lease: timedelta) -> None:
    """The packer claims every fulfillment order of the pack, or none (a refusal changes nothing)."""
    assert actor.staff_code is not None
    try:
        with session.begin_nested():
            for fo_id in fo_ids:
                claims.claim(
                    session, fo_id, staff_code=actor.staff_code, station=actor.station, now=now, lease=lease
                )
    except (claims.ClaimRefused, StaffError) as exc:
        raise PackProblem(
            "Claimed by someone else", str(exc), "Ask them, or a manager, to hand it over"
        ) from None


def _release(session: Session, actor: Actor, ids: Sequence[int]) -> None:
    """The packer's claims on the pack's fulfillment orders go back (shipped, or given up)."""
    if actor.staff_code is not None:
        fo_ids = [row.fulfillment_order_id for row in _rows(session, ids)]
        claims.release_mine(session, fo_ids, staff_code=actor.staff_code, station=actor.station)


def _refused(
    session: Session, actor: Actor, pack: Pack, code: str, title: str, message: str, hint: str = ""
) -> PackProblem:
    record_by(session, actor, action="pack.refused", subject=pack.order_id, code=code, problem=title)
    return PackProblem(title, message, hint)




def _units_left(session: Session, fo_id: str) -> int:
    total = session.exec(
        select(func.sum(FulfillmentOrderLineItem.remaining_quantity)).where(
            FulfillmentOrderLineItem.fulfillment_order_id == fo_id
        )
    ).one()
    return int(total or 0)


def _why_nothing(order: Order, fos: list[FulfillmentOrder], here: list[FulfillmentOrder]) -> str:
    if not here and fos:
        where = ", ".join(sorted({fo.location_name or fo.location_id or "?" for fo in fos}))
        return f"{order.name} ships from {where}, not from this station's location"
    statuses = sorted({fo.status.lower().replace("_", " ") for fo in here})
    if "on hold" in statuses:
        return f"{order.name} is on hold: release the hold first"
    return f"{order.name} has nothing left to ship ({', '.join(statuses) or 'no fulfillment orders'})"


def _order_named(session: Session, code: str) -> Order | None:
    try:
        return find_order(session, code)
    except NotFound:
        return None


def _known_item(session: Session, code: str) -> bool:
    """A SKU or barcode the cache knows (from orders or stock), in any case."""
    code = code.strip()
    variants = list({code, code.upper(), code.lower()})
    return any(
        session.exec(select(column).where(col(column).in_(variants)).limit(1)).first() is not None
        for column in (LineItem.sku, LineItem.barcode, InventoryLevel.sku)
    )


def _natural(code: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def _put_back(session: Session, pack: Pack) -> list[PutBack]:
    """Per line, the units at the bench: verified here or picked onto a live pick list, whichever is more."""
    picked = dict(
        session.exec(
            select(PickListLine.fulfillment_order_line_item_id, func.sum(PickListLine.picked))
            .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
            .where(
                col(PickListLine.fulfillment_order_line_item_id).in_([line.line_id for line in pack.lines]),
                col(PickList.state).in_(("open", "done")),
            )
            .group_by(col(PickListLine.fulfillment_order_line_item_id))
        ).all()
    )
    items = []
    for line in pack.lines:
        quantity = max(line.verified, int(picked.get(line.line_id) or 0))
        if quantity == 0:
            continue
        fo = session.get(FulfillmentOrder, line.fulfillment_order_id)
        bins = session.exec(
            select(BinLocation.code).where(
                BinLocation.location_id == (fo.location_id if fo else None),
                BinLocation.sku == (line.sku or ""),
            )
        ).all()
        items.append(PutBack(line.name, quantity, tuple(sorted(bins, key=_natural))))
    return items
