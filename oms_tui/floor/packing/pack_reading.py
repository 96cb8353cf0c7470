"""A pack read from the cache: its rows, its order's lines still to pack, and why it can no longer
ship (cancelled or held meanwhile)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from oms_tui.cache.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    PackSession,
    PickList,
    PickListLine,
)
from oms_tui.floor.packing.pack_state import SHIPPABLE, Pack, PackLine, PackProblem, PutBack
from oms_tui.floor.queues.no_shipping import ships


@dataclass(frozen=True)
class PackRecords:
    """A pack's rows, its fulfillment orders and its order, as a step read them: the checks of one
    step share them (the session forgets what nobody holds, and each check would read it again)."""

    ids: tuple[int, ...]
    rows: list[PackSession]
    fos: dict[str, FulfillmentOrder]
    order: Order


def read_records(session: Session, ids: Sequence[int]) -> PackRecords:
    rows = pack_rows(session, ids)
    if not rows:
        raise PackProblem("Pack gone", "This pack is no longer in the cache")
    fos = {
        fo.id: fo for fo in (session.get(FulfillmentOrder, row.fulfillment_order_id) for row in rows) if fo
    }
    order = session.get(Order, next(iter(fos.values())).order_id) if fos else None
    if order is None:
        raise PackProblem("Order gone", "This pack's order is no longer in the cache")
    return PackRecords(tuple(ids), rows, fos, order)


def read_pack(session: Session, ids: Sequence[int], put_back: Sequence[PutBack] = ()) -> Pack:
    return pack_of(session, read_records(session, ids), put_back)


def pack_of(session: Session, records: PackRecords, put_back: Sequence[PutBack] = ()) -> Pack:
    rows, fos, order = records.rows, records.fos, records.order
    verified = {line: n for row in rows for line, n in row.verified.items()}
    handed = {line: sent for line, (sent, _) in sent_short(session, list(fos)).items()}
    found = session.exec(
        select(FulfillmentOrderLineItem, LineItem)
        .join(LineItem, col(LineItem.id) == FulfillmentOrderLineItem.line_item_id, isouter=True)
        .where(col(FulfillmentOrderLineItem.fulfillment_order_id).in_(list(fos)))
        .order_by(col(LineItem.position), col(FulfillmentOrderLineItem.id))
    )
    lines = bundled(
        PackLine(
            fulfillment_order_id=fo_line.fulfillment_order_id,
            line_id=fo_line.id,
            sku=(item.sku if item else None) or fo_line.sku,
            barcode=item.barcode if item else None,
            title=item.title if item else fo_line.sku or fo_line.id,
            needed=_needed(fo_line, handed) if rows[0].state == "open" else verified.get(fo_line.id, 0),
            verified=verified.get(fo_line.id, 0),
            bundle=f"{item.bundle_title or 'Bundle'} x {item.bundle_quantity or 1}"
            if item and item.bundle_id
            else None,
        )
        for fo_line, item in found
        if (item is None or item.requires_shipping)  # a gift card or a download is not packed
        and (_needed(fo_line, handed) > 0 or verified.get(fo_line.id, 0) > 0)
    )
    first = rows[0]
    return Pack(
        order_id=order.id,
        order_name=order.name,
        customer=order.customer_name or "",
        session_ids=records.ids,
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


def bundled(lines: Iterable[PackLine]) -> tuple[PackLine, ...]:
    """The lines in the order's order, a bundle's components together where its first one stands."""
    groups: dict[str, list[PackLine]] = {}
    for n, line in enumerate(lines):
        groups.setdefault(line.bundle or f"\0{n}", []).append(line)
    return tuple(line for group in groups.values() for line in group)


def pack_rows(session: Session, ids: Sequence[int]) -> list[PackSession]:
    return list(
        session.exec(
            select(PackSession).where(col(PackSession.id).in_(list(ids))).order_by(col(PackSession.id))
        )
    )


def _blocked(order: Order, fos: Iterable[FulfillmentOrder]) -> str | None:
    if order.cancelled_at is not None:
        return "was cancelled"
    statuses = {fo.status for fo in fos}
    if "ON_HOLD" in statuses:
        return "was put on hold"
    if statuses and not statuses & set(SHIPPABLE):
        return f"is {' and '.join(sorted(s.lower().replace('_', ' ') for s in statuses))}"
    return None


def sent_short(session: Session, fo_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Lines that picking sent on without some units ("ship the rest", or a partial shipment of
    short stock whose list took only what was allotted), from each fulfillment order's last completed
    pick list: fulfillment order line -> (units handed to packing and not yet shipped, units missing)."""
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
            func.sum(PickListLine.needed - PickListLine.shipped),
            func.sum(PickListLine.short),
        )
        .join(
            last,
            (last.c.fulfillment_order_id == PickListLine.fulfillment_order_id)
            & (last.c.list_id == PickListLine.pick_list_id),
        )
        .group_by(col(PickListLine.fulfillment_order_line_item_id))
    ).all()
    remaining = dict(
        session.exec(
            select(FulfillmentOrderLineItem.id, FulfillmentOrderLineItem.remaining_quantity).where(
                col(FulfillmentOrderLineItem.id).in_([line for line, _, _ in rows])
            )
        ).all()
    )
    found = {}
    for line, sent, short in rows:
        missing = max(int(short), remaining.get(line, 0) - int(sent))
        if missing:
            found[line] = (int(sent), missing)
    return found


def nothing_handed(session: Session, fo_ids: list[str], short: dict[str, tuple[int, int]]) -> set[str]:
    """Of these fulfillment orders, those picking sent on short whose handed units have all shipped
    (`short`: `sent_short`'s answer): what they have left to ship must be picked again first."""
    line = FulfillmentOrderLineItem
    left = session.exec(
        select(line.fulfillment_order_id, line.id).where(
            col(line.fulfillment_order_id).in_(fo_ids), line.remaining_quantity > 0, ships()
        )
    ).all()
    packable = {fo_id for fo_id, line_id in left if line_id not in short or short[line_id][0] > 0}
    return set(fo_ids) - packable


def short_reason(session: Session, short: dict[str, tuple[int, int]]) -> str | None:
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
