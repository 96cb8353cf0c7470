"""Put-back: an order that leaves a pick list mid-pick (cancelled, held or shipped elsewhere, as sync
or this station learns it) sends its picked units back to their bins.

The pick screen calls `withdraw_departed` after each live update: it takes such orders off the list,
turns what was picked for them into a put-back task, gives back the picker's claims on them (there
is no work left to hold) and returns those new tasks so the screen can show them at once. The picker
then returns the units and marks the task done (`put_back_done`).

An order shipped in part elsewhere (in Shopify's admin, by another app), or edited down, stays on the
list with fewer units to pick; what was already picked beyond them is put back the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, FulfillmentOrderLineItem, Order, PickList, PickListLine
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.picking.pick_lists import PickRefused, pick_list_rows
from oms_tui.floor.queues import claims

DEPARTED = {"CANCELLED": "cancelled", "ON_HOLD": "on hold", "CLOSED": "shipped elsewhere"}
FEWER = "partly shipped or edited elsewhere"  # the reason of a put-back from an order still on the list


@dataclass(frozen=True)
class BinReturn:
    sku: str | None
    bin_code: str | None
    units: int


@dataclass(frozen=True)
class PutBack:
    fulfillment_order_id: str
    order_name: str
    tote: str
    reason: str  # why the order left the list
    returns: tuple[BinReturn, ...]  # empty when nothing had been picked yet

    @property
    def units(self) -> int:
        return sum(item.units for item in self.returns)

    def describe(self) -> str:
        what = "; ".join(
            f"{item.units} x {item.sku or '?'} to {item.bin_code or '(no bin)'}" for item in self.returns
        )
        if not what:
            return f"{self.order_name} is {self.reason}: nothing was picked for it (tote {self.tote})"
        return f"{self.order_name} is {self.reason}: from tote {self.tote} put back {what}"


def withdraw_departed(session: Session, pick_list_id: int, actor: Actor) -> list[PutBack]:
    """Take off the open list every order that is no longer to be shipped, and lower what is left to
    pick of those shipped in part or edited down elsewhere; the put-back tasks that makes."""
    pick_list = session.get(PickList, pick_list_id)
    if pick_list is None or pick_list.state != "open":
        return []
    rows = pick_list_rows(session, pick_list_id)  # the session's own objects: `withdraw` marks these
    live = {row.fulfillment_order_id for row in rows if not row.withdrawn}
    if not live:
        return []
    found = session.exec(
        select(FulfillmentOrder.id, FulfillmentOrder.status, Order.cancelled_at)
        .join(Order, col(Order.id) == FulfillmentOrder.order_id)
        .where(col(FulfillmentOrder.id).in_(live))
    ).all()
    tasks = []
    for fo_id, status, cancelled_at in found:
        reason = "cancelled" if cancelled_at is not None else DEPARTED.get(status)
        if reason:
            tasks.append(withdraw(session, pick_list_id, fo_id, reason, actor))
    staying = [row for row in rows if not row.withdrawn]
    return tasks + _lower_to_remaining(session, pick_list_id, staying, actor)


def _lower_to_remaining(
    session: Session, pick_list_id: int, rows: list[PickListLine], actor: Actor
) -> list[PutBack]:
    """Lines the store has fewer units of left to ship than the list still means to hand over (shipped
    or edited elsewhere) ask for no more than are left; units picked beyond that go back to the bin.
    This station's own shipments lower both alike (`shipped`), so they never count here."""
    remaining = dict(
        session.exec(
            select(FulfillmentOrderLineItem.id, FulfillmentOrderLineItem.remaining_quantity).where(
                col(FulfillmentOrderLineItem.id).in_({row.fulfillment_order_line_item_id for row in rows})
            )
        ).all()
    )
    lowered: dict[str, list[PickListLine]] = {}
    for row in rows:  # one per fulfillment order line: an order's share of a line has one tote
        left = remaining.get(row.fulfillment_order_line_item_id, 0)
        if row.needed - row.shipped <= left:
            continue
        row.put_back += lower_to(row, left)
        session.add(row)
        lowered.setdefault(row.fulfillment_order_id, []).append(row)
    tasks = []
    for fo_id, fo_rows in lowered.items():
        record_by(
            session,
            actor,
            action="pick.lowered",
            subject=fo_id,
            pick_list=pick_list_id,
            needed={row.sku or row.fulfillment_order_line_item_id: row.needed for row in fo_rows},
        )
        task = _task(session, fo_id, fo_rows)
        if task.returns:
            tasks.append(task)
    return tasks


def lower_to(row: PickListLine, keep: int) -> int:
    """Lower a line to handing over `keep` units beyond those it shipped (a short no larger than
    what is still wanted); returns the picked units beyond that, which go back to the bin."""
    row.needed = row.shipped + keep
    extra = max(0, row.picked - row.needed)
    row.picked -= extra
    row.short = min(row.short, row.needed - row.picked)
    return extra


def withdraw(session: Session, pick_list_id: int, fo_id: str, reason: str, actor: Actor) -> PutBack:
    rows = [
        row
        for row in pick_list_rows(session, pick_list_id)
        if row.fulfillment_order_id == fo_id and not row.withdrawn
    ]
    if not rows:
        raise PickRefused("this order is not on the pick list")
    for row in rows:
        row.withdrawn, row.put_back = reason, row.picked
        session.add(row)
    task = _task(session, fo_id, rows)
    record_by(
        session,
        actor,
        action="pick.withdrawn",
        subject=fo_id,
        pick_list=pick_list_id,
        reason=reason,
        put_back={item.bin_code or "": item.units for item in task.returns},
    )
    if actor.staff_code is not None:  # the order is no longer this picker's work
        claims.release_mine(session, [fo_id], staff_code=actor.staff_code, station=actor.station)
    return task


def pending_put_backs(session: Session, pick_list_id: int) -> list[PutBack]:
    rows = [row for row in pick_list_rows(session, pick_list_id) if row.put_back]
    by_order: dict[str, list[PickListLine]] = {}
    for row in rows:
        by_order.setdefault(row.fulfillment_order_id, []).append(row)
    return [_task(session, fo_id, order_rows) for fo_id, order_rows in by_order.items()]


def put_back_done(session: Session, pick_list_id: int, fo_id: str, actor: Actor) -> PutBack:
    rows = [row for row in pick_list_rows(session, pick_list_id) if row.fulfillment_order_id == fo_id]
    task = _task(session, fo_id, [row for row in rows if row.put_back])
    if not task.returns:
        raise PickRefused("nothing to put back for this order")
    for row in rows:
        row.put_back = 0
        session.add(row)
    record_by(
        session,
        actor,
        action="pick.put_back",
        subject=fo_id,
        pick_list=pick_list_id,
        returned={item.bin_code or "": item.units for item in task.returns},
    )
    return task


def _task(session: Session, fo_id: str, rows: list[PickListLine]) -> PutBack:
    fo = session.get(FulfillmentOrder, fo_id)
    order = session.get(Order, fo.order_id) if fo else None
    returns = tuple(BinReturn(row.sku, row.bin_code, row.put_back) for row in rows if row.put_back)
    reason = next((row.withdrawn for row in rows if row.withdrawn), FEWER)
    tote = next((row.tote for row in rows if row.tote), "")
    return PutBack(fo_id, order.name if order else fo_id, tote or "", reason or "", returns)
