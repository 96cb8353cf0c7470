"""A new batch: claim the next orders (or a wave of them) and start their pick list, in one go.

The claims and the list are written in the caller's transaction, which should commit at once (the
claims hold row locks). A pick list is walked in one location: claimed orders elsewhere than the
first are given back to the queue. When the list is completed its claims are released, so packing
can take the orders on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from oms_tui.cache.models import FulfillmentOrder, Order, PickList
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.allocation.short_stock import fit_batch
from oms_tui.floor.picking.pick_lists import PickRefused, open_pick_list, pick_list_rows, start_pick_list
from oms_tui.floor.picking.pick_scans import complete
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues import claims
from oms_tui.floor.queues.claims import Wave
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window_query
from oms_tui.floor.queues.stages import Stage

SHORT_ROUNDS = 5  # claims of more work in place of short orders, at most, for one batch


def start_batch(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    lease: timedelta,
    count: int,
    walk: WalkRule,
    wave: Wave | None = None,
) -> PickList:
    if actor.staff_code is None:
        raise PickRefused("sign in first: a pick list belongs to a person")
    current = open_pick_list(session, actor.staff_code)
    if current is not None:
        raise PickRefused(f"finish pick list {current.id} first")
    kept: list[str] = []
    passed: set[str] = set()  # elsewhere than the list's location, or short of stock
    refused: dict[str, str] = {}
    limits: dict[str, int] = {}
    here: str | None = None
    for _ in range(SHORT_ROUNDS):  # short orders are passed by: claim others in their place
        wanted = count - len(kept)
        taken = claims.claim_next(
            session,
            staff_code=actor.staff_code,
            station=actor.station,
            now=now,
            lease=lease,
            count=wanted,
            wave=wave,
            skip=[*kept, *passed],
        )
        ids = [claim.fulfillment_order_id for claim in taken]
        locations = _locations(session, ids)
        if ids and not kept:
            here = locations[ids[0]]
        fit = fit_batch(session, [ident for ident in ids if locations[ident] == here])
        for ident in ids:
            if ident not in fit.pickable:  # a short one waits for a person's choice, flagged
                passed.add(ident)
                claims.release(session, ident, staff_code=actor.staff_code, station=actor.station)
        kept += fit.pickable
        limits.update(fit.limits)
        refused.update(fit.refused)
        if len(taken) < wanted or not fit.refused:
            break  # the queue has no more, or nothing was passed by for want of stock
    if not kept:
        if refused:
            raise PickRefused(f"not enough stock: {next(iter(refused.values()))} (see the exceptions)")
        raise PickRefused("nothing ready to pick" + (" in this wave" if wave else ""))
    return start_pick_list(session, kept, actor, walk=walk, limits=limits)


def wave_shipping_methods(session: Session, now: datetime) -> list[tuple[str, int]]:
    """The shipping methods of the work ready to pick, with how many fulfillment orders each, most
    first: the carrier waves there are to choose (a method in any case is one wave, as it claims)."""
    ready = window_query(session, Stage.READY_TO_PICK, QueueFilter(), now).order_by(None)
    rows = session.exec(
        select(func.min(Order.shipping_method), func.count())
        .join(FulfillmentOrder, col(FulfillmentOrder.order_id) == Order.id)
        .where(col(FulfillmentOrder.id).in_(ready), col(Order.shipping_method).is_not(None))
        .group_by(func.lower(Order.shipping_method))
        .order_by(func.count().desc(), func.lower(Order.shipping_method))
    ).all()
    return [(method, count) for method, count in rows if method]


def release_claims(session: Session, pick_list_id: int, actor: Actor, now: datetime) -> None:
    """Give back this person's claims on the list's orders (the list is done: packing takes over)."""
    if actor.staff_code is None:
        return
    for fo_id in dict.fromkeys(row.fulfillment_order_id for row in pick_list_rows(session, pick_list_id)):
        current = claims.holder(session, fo_id, now)
        if current is not None and (current.staff_code, current.station) == (actor.staff_code, actor.station):
            claims.release(session, fo_id, staff_code=actor.staff_code, station=actor.station)


def _locations(session: Session, fo_ids: list[str]) -> dict[str, str | None]:
    return {
        ident: (fo.location_id if (fo := session.get(FulfillmentOrder, ident)) else None) for ident in fo_ids
    }


def finish(session: Session, pick_list_id: int, actor: Actor, now: datetime) -> PickList:
    """Complete the list (see `pick_scans.complete`) and give its orders' claims back."""
    pick_list = complete(session, pick_list_id, actor)
    release_claims(session, pick_list_id, actor, now)
    return pick_list
