"""A tote handed to packing whose order changed at the store since it was picked (cancelled, held,
shipped or edited elsewhere): the units the order no longer needs go back to their bins.

Looked for when the packer scans the order (`open_pack`) and while a pack is open (`check`). The
done pick list is lowered as the pick screen lowers an open one (`picking.put_back`): an order that
will not ship leaves the list, so it is picked again if it comes back; one with fewer units left to
ship keeps no more than are left. Units verified at the bench beyond what is left are no longer
verified. The packer is stopped with what to put back, and a put-back exception keeps the task for
the floor until someone resolves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    PickList,
    PickListLine,
)
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing.pack_put_back import bins_of, put_back_task
from oms_tui.floor.packing.pack_state import PackProblem, PutBack
from oms_tui.floor.picking.put_back import lower_to

GONE = {"CANCELLED": "was cancelled", "ON_HOLD": "was put on hold", "CLOSED": "was shipped elsewhere"}
FEWER = "was partly shipped or edited elsewhere"


@dataclass(frozen=True)
class Surplus:
    why: str
    items: tuple[PutBack, ...]  # what goes back to the bins (none when nothing picked was beyond)
    wanted: dict[str, int]  # fulfillment order line -> units the store still wants shipped

    def problem(self, order_name: str, hint: str) -> PackProblem:
        what = "; ".join(str(item) for item in self.items)
        return PackProblem(f"Stop: {order_name} {self.why}", f"Put back: {what}", hint)


def return_surplus(
    session: Session,
    actor: Actor,
    order: Order,
    fos: Sequence[FulfillmentOrder],
    verified: Mapping[str, int],
) -> Surplus | None:
    """Lower the order's done pick lists to what the store still wants shipped. What was picked beyond
    it goes back, and so do units verified at the bench beyond it that no tote brought (`verified`:
    fulfillment order line -> units). None when the store still wants everything handed over."""
    gone = {fo.id: _gone(order, fo) for fo in fos}
    wanted = {
        line.id: 0 if gone[line.fulfillment_order_id] else line.remaining_quantity
        for line in session.exec(
            select(FulfillmentOrderLineItem).where(
                col(FulfillmentOrderLineItem.fulfillment_order_id).in_(list(gone))
            )
        )
    }
    back: dict[tuple[str, tuple[str, ...]], int] = {}
    left, lowered = dict(wanted), False
    in_totes: set[str] = set()
    for row in _handed(session, list(gone)):
        key, handed = row.fulfillment_order_line_item_id, row.needed - row.shipped
        keep = min(left.get(key, 0), handed)
        left[key] = left.get(key, 0) - keep
        in_totes.add(key)
        if keep == handed and not gone[row.fulfillment_order_id]:
            continue
        lowered = True
        extra = lower_to(row, keep)
        row.withdrawn = gone[row.fulfillment_order_id]  # off the list: it is picked again if it comes back
        session.add(row)
        if extra:
            where: tuple[str, tuple[str, ...]] = (row.sku or key, (row.bin_code,) if row.bin_code else ())
            back[where] = back.get(where, 0) + extra
    for key, units in verified.items():
        over = units - wanted.get(key, 0)
        if over <= 0:
            continue
        lowered = True
        line = session.get(FulfillmentOrderLineItem, key)
        if line is not None and key not in in_totes:  # taken from a shelf at the bench
            where = (line.sku or key, bins_of(session, line.fulfillment_order_id, line.sku))
            back[where] = back.get(where, 0) + over
    if not lowered:
        return None
    surplus = Surplus(
        next((why for why in gone.values() if why), FEWER),
        tuple(PutBack(name, units, bins) for (name, bins), units in back.items()),
        wanted,
    )
    items = [str(item) for item in surplus.items]
    record_by(session, actor, action="pack.surplus", subject=order.id, why=surplus.why, put_back=items)
    if items:
        session.add(put_back_task(order.id, order.id, f"{order.name} {surplus.why}", items, actor.staff_code))
    return surplus


def withdraw_handed(session: Session, fo_ids: list[str], why: str) -> None:
    """The units handed to packing for these fulfillment orders went back to their bins: they leave
    their done pick lists, so what the orders still need is picked again."""
    for row in _handed(session, fo_ids):
        row.withdrawn = why
        session.add(row)


def _gone(order: Order, fo: FulfillmentOrder) -> str | None:
    """Why none of this fulfillment order ships now (None: it still ships what it has left)."""
    return "was cancelled" if order.cancelled_at is not None else GONE.get(fo.status)


def _handed(session: Session, fo_ids: list[str]) -> list[PickListLine]:
    """The lines of done pick lists still handed to packing, oldest first."""
    return list(
        session.exec(
            select(PickListLine)
            .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
            .where(
                PickList.state == "done",
                col(PickListLine.fulfillment_order_id).in_(fo_ids),
                col(PickListLine.withdrawn).is_(None),
                col(PickListLine.picked) > PickListLine.shipped,
            )
            .order_by(col(PickListLine.id))
        )
    )
