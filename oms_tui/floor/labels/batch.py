"""A pick batch's labels: its single-item orders, in the order they were picked."""

from __future__ import annotations

from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, FulfillmentOrderLineItem, Order, PickList, PickListLine


def single_item_orders(session: Session, pick_list_id: int) -> list[str]:
    """The names of the batch's orders that ship one unit in all, by their first line's walking order
    (raises ValueError for a batch that does not exist)."""
    if session.get(PickList, pick_list_id) is None:
        raise ValueError(f"no pick batch {pick_list_id}")
    lines = session.exec(
        select(PickListLine.fulfillment_order_id, PickListLine.sequence)
        .where(PickListLine.pick_list_id == pick_list_id)
        .order_by(col(PickListLine.sequence))
    ).all()
    first: dict[str, int] = {}
    for fo_id, sequence in lines:
        fo = session.get(FulfillmentOrder, fo_id)
        if fo is not None:
            first.setdefault(fo.order_id, sequence)
    names = []
    for order_id in sorted(first, key=first.__getitem__):
        fo_ids = select(FulfillmentOrder.id).where(FulfillmentOrder.order_id == order_id)
        units = sum(
            session.exec(
                select(FulfillmentOrderLineItem.remaining_quantity).where(
                    col(FulfillmentOrderLineItem.fulfillment_order_id).in_(fo_ids)
                )
            ).all()
        )
        order = session.get(Order, order_id)
        if units == 1 and order is not None and order.cancelled_at is None:
            names.append(order.name)
    return names
