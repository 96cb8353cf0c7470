"""What must hold before an order is packed at a station: it ships from the station's location, it
is not still being picked, the packer holds the claim on it (given back when the pack ends), and no
other station is still packing it (one that stopped renewing its claim is taken over)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from oms_tui.cache.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    PackSession,
    PickList,
    PickListLine,
    Station,
)
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.staff import StaffError
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing.pack_reading import pack_rows
from oms_tui.floor.packing.pack_state import SHIPPABLE, PackProblem
from oms_tui.floor.queues import claims
from oms_tui.floor.queues.no_shipping import ships


def station_location(session: Session, station: str) -> str | None:
    """The location this station packs for (None: every location)."""
    row = session.get(Station, station)
    return row.location_id if row else None


def units_left(session: Session, fo_id: str, *, shipping_only: bool = True) -> int:
    """Units left to ship, of the lines that ship (or of every line)."""
    line = FulfillmentOrderLineItem
    which = [line.fulfillment_order_id == fo_id, *([ships()] if shipping_only else [])]
    total = session.exec(select(func.sum(line.remaining_quantity)).where(*which)).one()
    return int(total or 0)


def why_nothing(
    session: Session, order: Order, fos: list[FulfillmentOrder], here: list[FulfillmentOrder]
) -> str:
    if not here and fos:
        where = ", ".join(sorted({fo.location_name or fo.location_id or "?" for fo in fos}))
        return f"{order.name} ships from {where}, not from this station's location"
    statuses = sorted({fo.status.lower().replace("_", " ") for fo in here})
    if "on hold" in statuses:
        return f"{order.name} is on hold: release the hold first"
    if any(fo.status in SHIPPABLE and units_left(session, fo.id, shipping_only=False) for fo in here):
        return f"{order.name} has nothing to pack: what is left needs no shipping (gift cards, downloads)"
    return f"{order.name} has nothing left to ship ({', '.join(statuses) or 'no fulfillment orders'})"


def not_being_picked(session: Session, order: Order, fo_ids: list[str]) -> None:
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


def claim_pack(session: Session, actor: Actor, fo_ids: list[str], now: datetime, lease: timedelta) -> None:
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


def release_pack(session: Session, actor: Actor, ids: Sequence[int]) -> None:
    """The packer's claims on the pack's fulfillment orders go back (shipped, or given up)."""
    if actor.staff_code is not None:
        fo_ids = [row.fulfillment_order_id for row in pack_rows(session, ids)]
        claims.release_mine(session, fo_ids, staff_code=actor.staff_code, station=actor.station)


def packed_elsewhere(
    session: Session, actor: Actor, rows: Sequence[PackSession], now: datetime
) -> PackSession | None:
    """An open pack row of another station that still holds its claim (it renews it while it runs),
    unless the packer there is this one, come over to this bench with the tote."""
    for row in rows:
        claim = claims.holder(session, row.fulfillment_order_id, now)
        held = claim is not None and (claim.staff_code, claim.station) == (row.staff_code, row.station)
        if held and row.staff_code != actor.staff_code:
            return row
    return None


def take_over(session: Session, actor: Actor, rows: Sequence[PackSession]) -> None:
    """Another station's packs, whose claims lapsed (the station stopped) or a manager handed over,
    move here. What was verified there is verified again here: the units come over with the tote."""
    for row in rows:
        record_by(
            session,
            actor,
            action="pack.take_over",
            subject=row.fulfillment_order_id,
            from_station=row.station,
            from_staff=row.staff_code,
            verified_there=sum(row.verified.values()),
        )
        row.station, row.staff_code, row.verified = actor.station, actor.staff_code or row.staff_code, {}
        session.add(row)


def moved_away(session: Session, actor: Actor, ids: Sequence[int]) -> PackProblem | None:
    """The problem, when another station took this station's pack over."""
    return taken_over(pack_rows(session, ids), actor)


def taken_over(rows: Sequence[PackSession], actor: Actor) -> PackProblem | None:
    """`moved_away`, of the rows read already."""
    moved = next((row for row in rows if row.station != actor.station), None)
    if moved is None:
        return None
    return PackProblem(
        "Taken over",
        f"This pack is now packed by {moved.staff_code} at {moved.station}",
        "Scan the next order",
    )
