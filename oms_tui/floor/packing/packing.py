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

This module holds the packer's steps; what a pack is lives in `pack_state`, how it is read from the
cache in `pack_reading`, what must hold to open one in `pack_guards`, the put-back in `pack_put_back`,
and what the store no longer wants of a picked order in `tote_surplus`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from oms_tui.cache.enums import LabelState, PackState
from oms_tui.cache.models import (
    FulfillmentOrder,
    InventoryLevel,
    LineItem,
    Order,
    PackSession,
)
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import ActionRefused, Actor, Tracking, ship
from oms_tui.floor.labels.records import live_label, void_label
from oms_tui.floor.labels.rules import LabelProblem
from oms_tui.floor.orders.lookup import NotFound, find_order
from oms_tui.floor.packing import carriers
from oms_tui.floor.packing.pack_guards import (
    claim_pack,
    moved_away,
    not_being_picked,
    packed_elsewhere,
    release_pack,
    station_location,
    take_over,
    taken_over,
    units_left,
    why_nothing,
)
from oms_tui.floor.packing.pack_put_back import put_back_task, units_to_put_back
from oms_tui.floor.packing.pack_reading import (
    PackRecords,
    nothing_handed,
    pack_of,
    pack_rows,
    read_pack,
    read_records,
    sent_short,
    short_reason,
)
from oms_tui.floor.packing.pack_state import SHIPPABLE, Pack, PackProblem, interrupted
from oms_tui.floor.packing.tote_surplus import return_surplus, withdraw_handed

PACK_LEASE = timedelta(minutes=10)  # a packer's claim when the caller gives no lease (stations do)


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
    location = station_location(session, actor.station)
    fos = list(session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id)))
    here = [fo for fo in fos if location is None or fo.location_id == location]
    surplus = return_surplus(session, actor, order, here, {})
    if surplus is not None and surplus.items:
        rest = order.cancelled_at is None and any(
            fo.status in SHIPPABLE and units_left(session, fo.id) for fo in here
        )
        raise surplus.problem(order.name, f"Then scan {order.name} again to pack the rest" if rest else "")
    if order.cancelled_at is not None:
        raise PackProblem("Order cancelled", f"{order.name} is cancelled: do not pack it")
    ready = [fo for fo in here if fo.status in SHIPPABLE and units_left(session, fo.id)]
    if not ready:
        raise PackProblem("Nothing to pack", why_nothing(session, order, fos, here))
    short = sent_short(session, [fo.id for fo in ready])
    emptied = nothing_handed(session, [fo.id for fo in ready], short)
    ready = [fo for fo in ready if fo.id not in emptied]
    if not ready:
        raise PackProblem(
            "Nothing picked to pack",
            f"{order.name}'s picked units have shipped ({short_reason(session, short)})",
            "Pick the rest first",
        )
    others = session.exec(
        select(PackSession).where(
            PackSession.state == "open",
            col(PackSession.fulfillment_order_id).in_([fo.id for fo in ready]),
        )
    ).all()
    elsewhere = [row for row in others if row.station != actor.station]
    busy = packed_elsewhere(session, actor, elsewhere, now or utcnow())
    if busy is not None:
        raise PackProblem(
            "Packed elsewhere",
            f"{order.name} is being packed by {busy.staff_code} at {busy.station}",
            "Finish or abandon it there first, or ask a manager to hand it to you",
        )
    not_being_picked(session, order, [fo.id for fo in ready])
    claim_pack(session, actor, [fo.id for fo in ready], now or utcnow(), lease)
    take_over(session, actor, elsewhere)
    resumed = {row.fulfillment_order_id: row for row in others}
    reason = short_reason(session, short)
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
    of this one is verified yet, or once another station took this one over.
    """
    if moved_away(session, actor, ids) is not None and _order_named(session, code) is not None:
        return open_pack(session, actor, code, now=now, lease=lease)
    pack = _open(session, actor, ids)
    line = next((line for line in pack.lines if line.answers(code) and line.verified < line.needed), None)
    if line is not None:
        row = next(
            row for row in pack_rows(session, ids) if row.fulfillment_order_id == line.fulfillment_order_id
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
        return pack.verified_once(line.line_id)  # all else as just read: not read again
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
        abandon(session, actor, ids, f"set aside for {other.name}", tote_back=False)  # nothing verified
        return open_pack(session, actor, code, now=now, lease=lease)
    unshipped = _needs_no_shipping(session, pack, code)
    if unshipped is not None:
        message = f"{unshipped} needs no shipping (a gift card or a download): leave it out of the parcel"
        raise _refused(session, actor, pack, code, "Not packed", message)
    if _known_item(session, code):
        raise _refused(session, actor, pack, code, "Wrong item", f"{code} is not on {pack.order_name}")
    if pack.ready_for_tracking:
        return _set_tracking(session, actor, pack, code)
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
    return _set_tracking(session, actor, _open(session, actor, ids), text)


def _set_tracking(session: Session, actor: Actor, pack: Pack, text: str) -> Pack:
    """`set_tracking` on the open pack just read."""
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
    carrier, url = (found.carrier.name, found.url) if found else (None, None)
    for row in pack_rows(session, pack.session_ids):
        row.tracking_number, row.tracking_company, row.tracking_url = number, carrier, url
    record_by(session, actor, action="pack.tracking", subject=pack.order_id, number=number, carrier=carrier)
    return replace(pack, tracking_number=number, carrier=carrier, tracking_url=url)  # not read again


def choose_carrier(session: Session, actor: Actor, ids: Sequence[int], name: str) -> Pack:
    pack = _open(session, actor, ids)
    carrier = carriers.by_name(name)
    if carrier is None:
        raise PackProblem("Unknown carrier", f"{name!r} is not a carrier this station knows")
    if not pack.tracking_number:
        raise PackProblem("No tracking number", "Scan the tracking number before choosing its carrier")
    for row in pack_rows(session, ids):
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
    for row in pack_rows(session, ids):
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
    for row in pack_rows(session, ids):
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
            for row in pack_rows(session, ids):
                quantities = {line: n for line, n in row.verified.items() if n > 0}
                if quantities:
                    ship(session, actor, row.fulfillment_order_id, quantities, tracking, row.notify_customer)
                    shipped[row.fulfillment_order_id] = quantities
                row.state = PackState.CONFIRMED if quantities else PackState.ABANDONED
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
    release_pack(session, actor, ids)
    return read_pack(session, ids)


def abandon(session: Session, actor: Actor, ids: Sequence[int], why: str, *, tote_back: bool = True) -> Pack:
    """Stop packing: the units at the bench go back to their bins (a put-back task when there are any),
    and the order to picking. Without `tote_back` its tote is only set aside, to be packed later."""
    pack = read_pack(session, ids)
    if pack.state != "open":
        return pack
    if (moved := moved_away(session, actor, ids)) is not None:
        raise moved
    put_back = units_to_put_back(session, pack) if tote_back else []
    for row in pack_rows(session, ids):
        row.state, row.finished_at = PackState.ABANDONED, utcnow()
    returns = [str(item) for item in put_back]
    record_by(session, actor, action="pack.abandon", subject=pack.order_id, why=why, put_back=returns)
    release_pack(session, actor, ids)
    _void_label(session, actor, pack.order_id, f"pack abandoned: {why}")
    if put_back:
        withdraw_handed(session, [row.fulfillment_order_id for row in pack_rows(session, ids)], why)
        what = f"{pack.order_name} {why}"
        session.add(put_back_task(pack.order_id, f"pack {ids[0]}", what, returns, actor.staff_code))
    return read_pack(session, ids, put_back=put_back)


def _void_label(session: Session, actor: Actor, order_id: str, why: str) -> None:
    """The order's label will not go on this parcel: refunded (or dropped, when unpaid). One whose
    purchase is in flight, or that this person may not void, is left to `labels.records.void_unused`."""
    label = live_label(session, order_id)
    if label is None or label.state == LabelState.BUYING:
        return
    try:
        with session.begin_nested():
            void_label(session, actor, label, why)
    except (ActionRefused, LabelProblem):
        pass


def check(session: Session, actor: Actor, ids: Sequence[int]) -> Pack:
    """The pack as the cache has it now; one that sync cancelled or held is abandoned (with put-back),
    one the store now wants fewer units of is lowered to them (the packer is stopped with the rest)."""
    records = read_records(session, ids)
    pack = pack_of(session, records)
    if pack.state == "open" and (moved := taken_over(records.rows, actor)) is not None:
        raise moved
    if pack.state == "open" and pack.blocked:
        return abandon(session, actor, ids, pack.blocked)
    if pack.state == "open" and _lower_to_store(session, actor, pack, records):
        return read_pack(session, ids)
    return pack


def _lower_to_store(session: Session, actor: Actor, pack: Pack, records: PackRecords) -> bool:
    """Whether the store wants fewer units than the pack had (the pack is lowered to them)."""
    rows = records.rows
    verified = {line: n for row in rows for line, n in row.verified.items() if n}
    surplus = return_surplus(session, actor, records.order, list(records.fos.values()), verified)
    if surplus is None:
        return False
    for row in rows:  # a new dict: changes inside a JSON value are not tracked
        row.verified = {line: min(n, surplus.wanted.get(line, 0)) for line, n in row.verified.items()}
    if surplus.items:
        raise surplus.problem(pack.order_name, "Then go on packing what is left")
    return True


def _open(session: Session, actor: Actor, ids: Sequence[int]) -> Pack:
    """The pack, which must still be open and shippable; an interrupted one is abandoned here."""
    pack = check(session, actor, ids)
    if pack.state == "open":
        return pack
    if pack.put_back:  # abandoned just now: the packer learns it here
        raise interrupted(pack)
    why = f" (it {pack.blocked})" if pack.blocked else ""
    raise PackProblem(f"Pack {pack.state}", f"{pack.order_name} is {pack.state}{why}: scan the next order")


def _refused(
    session: Session, actor: Actor, pack: Pack, code: str, title: str, message: str, hint: str = ""
) -> PackProblem:
    record_by(session, actor, action="pack.refused", subject=pack.order_id, code=code, problem=title)
    return PackProblem(title, message, hint)


def _order_named(session: Session, code: str) -> Order | None:
    try:
        return find_order(session, code)
    except NotFound:
        return None


def _needs_no_shipping(session: Session, pack: Pack, code: str) -> str | None:
    """The name of the pack's order line that `code` (a SKU or barcode, any case) names, when that
    line needs no shipping."""
    code = code.strip().casefold()
    lines = session.exec(
        select(LineItem.sku, LineItem.barcode, LineItem.title).where(
            LineItem.order_id == pack.order_id, ~col(LineItem.requires_shipping)
        )
    )
    for sku, barcode, title in lines:
        if code in {(sku or "").casefold(), (barcode or "").casefold()} - {""}:
            return sku or barcode or title
    return None


def _known_item(session: Session, code: str) -> bool:
    """A SKU or barcode the cache knows (from orders or stock), in any case."""
    code = code.strip()
    variants = list({code, code.upper(), code.lower()})
    return any(
        session.exec(select(column).where(col(column).in_(variants)).limit(1)).first() is not None
        for column in (LineItem.sku, LineItem.barcode, InventoryLevel.sku)
    )
