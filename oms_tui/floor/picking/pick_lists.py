"""Pick lists: what to fetch from which bin for a batch of fulfillment orders, and into which tote.

A plan has one line per SKU (the units of every order in the batch added up) in walking order
(`walking.py`); each line says how many units go to which tote. Totes are numbered T1, T2, ... in the
order the fulfillment orders were given (the queue's order: most urgent first), one tote per order.
A line item without a SKU cannot be added up with others and keeps its own line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    BinLocation,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    PickList,
    PickListLine,
)
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.picking.walking import WalkRule, walk_sorted


class PickRefused(ValueError):
    """The pick step does not fit the cached state (nothing was changed)."""


@dataclass(frozen=True)
class ToteShare:
    tote: str
    order_name: str
    fulfillment_order_id: str
    fulfillment_order_line_item_id: str
    quantity: int


@dataclass(frozen=True)
class PlanLine:
    sequence: int  # walking order, from 1
    sku: str | None
    title: str
    barcode: str | None
    bin_code: str | None
    quantity: int
    totes: tuple[ToteShare, ...]


def tote_name(index: int) -> str:
    return f"T{index + 1}"


def plan_pick(
    session: Session,
    fulfillment_order_ids: Sequence[str],
    *,
    walk: WalkRule,
    limits: Mapping[str, int] | None = None,
) -> list[PlanLine]:
    """The batch's lines, added up by SKU, in walking order; units left to ship only, each
    fulfillment order line capped at `limits` (its share of short stock: `short_stock.fit_batch`)."""
    limits = limits or {}
    ids = list(dict.fromkeys(fulfillment_order_ids))
    if not ids:
        raise PickRefused("no orders to pick")
    fos = {
        fo.id: fo for fo in session.exec(select(FulfillmentOrder).where(col(FulfillmentOrder.id).in_(ids)))
    }
    missing = [ident for ident in ids if ident not in fos]
    if missing:
        raise PickRefused(f"unknown fulfillment order {missing[0]}")
    locations = {fos[ident].location_id for ident in ids}
    if len(locations) > 1:
        raise PickRefused("one pick list is walked in one location: these orders ship from several")
    location_id = locations.pop()
    names = dict(
        session.exec(
            select(Order.id, Order.name).where(col(Order.id).in_({fo.order_id for fo in fos.values()}))
        ).all()
    )
    rows = session.exec(
        select(FulfillmentOrderLineItem, LineItem)
        .join(LineItem, col(LineItem.id) == FulfillmentOrderLineItem.line_item_id)
        .where(col(FulfillmentOrderLineItem.fulfillment_order_id).in_(ids))
        .where(col(FulfillmentOrderLineItem.remaining_quantity) > 0)
        .where(col(LineItem.requires_shipping))
        .order_by(col(LineItem.position), col(FulfillmentOrderLineItem.id))
    ).all()
    tote_of = {ident: tote_name(index) for index, ident in enumerate(ids)}
    groups: dict[str, list[tuple[FulfillmentOrderLineItem, LineItem]]] = {}
    for fo_line, item in sorted(rows, key=lambda row: ids.index(row[0].fulfillment_order_id)):
        if limits.get(fo_line.id, 1) <= 0:
            continue  # none of its units are there
        sku = fo_line.sku or item.sku
        groups.setdefault(f"sku:{sku}" if sku else f"line:{fo_line.id}", []).append((fo_line, item))
    bins = _first_bins(session, location_id, {key[4:] for key in groups if key.startswith("sku:")}, walk)
    unsorted = []
    for group in groups.values():
        first_line, first_item = group[0]
        sku = first_line.sku or first_item.sku
        shares = tuple(
            ToteShare(
                tote=tote_of[fo_line.fulfillment_order_id],
                order_name=names.get(fos[fo_line.fulfillment_order_id].order_id, "?"),
                fulfillment_order_id=fo_line.fulfillment_order_id,
                fulfillment_order_line_item_id=fo_line.id,
                quantity=min(fo_line.remaining_quantity, limits.get(fo_line.id, fo_line.remaining_quantity)),
            )
            for fo_line, _ in group
        )
        unsorted.append(
            PlanLine(
                sequence=0,
                sku=sku,
                title=first_item.title,
                barcode=first_item.barcode,
                bin_code=bins.get(sku) if sku else None,
                quantity=sum(share.quantity for share in shares),
                totes=shares,
            )
        )
    walked = walk_sorted(unsorted, lambda line: line.bin_code, walk)
    return [
        PlanLine(number, line.sku, line.title, line.barcode, line.bin_code, line.quantity, line.totes)
        for number, line in enumerate(walked, start=1)
    ]


def _first_bins(session: Session, location_id: str | None, skus: set[str], walk: WalkRule) -> dict[str, str]:
    """Each SKU's first bin on the walk, where it has several in the location."""
    if not skus or location_id is None:
        return {}
    found = session.exec(
        select(BinLocation)
        .where(BinLocation.location_id == location_id)
        .where(col(BinLocation.sku).in_(skus))
    ).all()
    first: dict[str, str] = {}
    for bin_row in walk_sorted(found, lambda row: row.code, walk):
        first.setdefault(bin_row.sku, bin_row.code)
    return first


# --- a pick list: the plan persisted, one row per order's share of a line ------------------------


PICKABLE = ("OPEN", "IN_PROGRESS")


def start_pick_list(
    session: Session,
    fulfillment_order_ids: Sequence[str],
    actor: Actor,
    *,
    walk: WalkRule,
    limits: Mapping[str, int] | None = None,
) -> PickList:
    """Persist the batch's plan as the actor's open pick list (in the caller's transaction)."""
    if actor.staff_code is None:
        raise PickRefused("sign in first: a pick list belongs to a person")
    ids = list(dict.fromkeys(fulfillment_order_ids))
    _check_pickable(session, ids)
    plan = plan_pick(session, ids, walk=walk, limits=limits)
    if not plan:
        raise PickRefused("nothing left to pick on these orders")
    first = session.get(FulfillmentOrder, ids[0])
    location_id = (first.location_id if first else None) or ""
    pick_list = PickList(staff_code=actor.staff_code, station=actor.station, location_id=location_id)
    session.add(pick_list)
    session.flush()
    assert pick_list.id is not None
    sequence = 0
    for line in plan:
        for share in line.totes:
            sequence += 1
            session.add(
                PickListLine(
                    pick_list_id=pick_list.id,
                    sequence=sequence,
                    stop=line.sequence,
                    fulfillment_order_id=share.fulfillment_order_id,
                    fulfillment_order_line_item_id=share.fulfillment_order_line_item_id,
                    sku=line.sku,
                    bin_code=line.bin_code,
                    needed=share.quantity,
                    tote=share.tote,
                )
            )
    record_by(
        session,
        actor,
        action="pick.start",
        subject=pick_list_subject(pick_list.id),
        orders=ids,
        lines=len(plan),
        units=sum(line.quantity for line in plan),
    )
    session.flush()
    return pick_list


def pick_list_subject(pick_list_id: int) -> str:
    return f"pick-list:{pick_list_id}"


def _check_pickable(session: Session, ids: list[str]) -> None:
    if not ids:
        raise PickRefused("no orders to pick")
    fos = session.exec(select(FulfillmentOrder).where(col(FulfillmentOrder.id).in_(ids))).all()
    orders = {
        order.id: order
        for order in session.exec(select(Order).where(col(Order.id).in_({fo.order_id for fo in fos})))
    }
    for fo in fos:
        order = orders.get(fo.order_id)
        name = order.name if order else fo.id
        if order is not None and order.cancelled_at is not None:
            raise PickRefused(f"{name} is cancelled")
        if fo.status not in PICKABLE:
            raise PickRefused(f"{name} is {fo.status.lower().replace('_', ' ')}: it cannot be picked")
    busy = session.exec(
        select(PickListLine.fulfillment_order_id, PickList.staff_code)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(PickList.state == "open")
        .where(col(PickListLine.fulfillment_order_id).in_(ids))
        .where(col(PickListLine.withdrawn).is_(None))
    ).first()
    if busy is not None:
        raise PickRefused(f"{_name_of(session, busy[0])} is already on {busy[1]}'s open pick list")


def _name_of(session: Session, fo_id: str) -> str:
    fo = session.get(FulfillmentOrder, fo_id)
    order = session.get(Order, fo.order_id) if fo else None
    return order.name if order else fo_id


def open_pick_list(session: Session, staff_code: str) -> PickList | None:
    """The person's open pick list (the newest, should there be several)."""
    return session.exec(
        select(PickList)
        .where(PickList.staff_code == staff_code)
        .where(PickList.state == "open")
        .order_by(col(PickList.id).desc())
    ).first()


def pick_list_rows(session: Session, pick_list_id: int) -> list[PickListLine]:
    return list(
        session.exec(
            select(PickListLine)
            .where(PickListLine.pick_list_id == pick_list_id)
            .order_by(col(PickListLine.sequence))
        )
    )
