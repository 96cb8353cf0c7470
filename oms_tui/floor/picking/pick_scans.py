"""Working a pick list: each scan counts one unit into its tote, a short pick records what is missing,
and the list is completed when every unit is fetched or accounted for.

A rejected scan (wrong item, over-pick, unknown code) changes no count: it comes back as a problem the
screen must show blocking. Every step, rejected scans too, goes to the audit log in the caller's
transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from oms_tui.cache.enums import ExceptionKind, PickListState
from oms_tui.cache.models import (
    BinLocation,
    FloorException,
    FulfillmentOrder,
    InventoryLevel,
    LineItem,
    PickList,
    PickListLine,
)
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions import store_actions
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.exceptions import records as exceptions
from oms_tui.floor.picking.pick_lists import PickRefused, pick_list_rows, pick_list_subject
from oms_tui.floor.picking.pick_sheet import PickSheet, SheetLine, read_sheet, with_picked
from oms_tui.floor.picking.put_back import PutBack, withdraw

SHORT_PICK = ExceptionKind.SHORT_PICK
SHORT_FIX = "Ship the rest (the order goes to packing without the missing units) or hold the order"
CODE_SHOWN = 64  # a garbage burst is cut to this in messages and the audit log


class ScanProblem(enum.StrEnum):
    WRONG_ITEM = "wrong item"
    OVER_PICK = "over-pick"
    UNKNOWN_CODE = "unknown code"


@dataclass(frozen=True)
class ScanResult:
    code: str
    problem: ScanProblem | None
    message: str  # one line for the screen
    hint: str = ""
    stop: int | None = None
    sku: str | None = None
    tote: str | None = None
    order_name: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def open_list(session: Session, pick_list_id: int) -> PickList:
    pick_list = session.get(PickList, pick_list_id)
    if pick_list is None:
        raise PickRefused(f"no pick list {pick_list_id}")
    if pick_list.state != "open":
        raise PickRefused(f"pick list {pick_list_id} is {pick_list.state}")
    return pick_list


class StaleSheet(Exception):
    """The sheet a scan was counted against no longer matches the list: read it again and retry."""


def scan_item(session: Session, pick_list_id: int, code: str, actor: Actor) -> ScanResult:
    """Count one unit of the scanned SKU or barcode (any case) into the first tote still needing it."""
    open_list(session, pick_list_id)
    return count_scan(session, read_sheet(session, pick_list_id), code, actor)[0]


def count_scan(session: Session, sheet: PickSheet, code: str, actor: Actor) -> tuple[ScanResult, PickSheet]:
    """`scan_item` against a sheet already read (the pick screen keeps one); returns the sheet as it
    is after the scan. The count is written only while the row still has room and the list is open,
    else `StaleSheet` (nothing written): the sheet was out of date."""
    shown = code.strip()[:CODE_SHOWN]
    lines = [line for line in sheet.lines if line.matches(code)]
    line = next((line for line in lines if line.left), None)
    if line is None:
        result = _rejected(session, shown, lines)
        record_by(
            session,
            actor,
            action="pick.scan_rejected",
            subject=pick_list_subject(sheet.pick_list_id),
            code=shown,
            problem=str(result.problem),
        )
        return result, sheet
    tote = next(tote for tote in line.totes if tote.left)
    row = PickListLine.__table__.c  # type: ignore[attr-defined]
    picked = session.execute(
        update(PickListLine)
        .where(
            row.id == tote.row_id,
            row.picked + row.short < row.needed,
            row.withdrawn.is_(None),
            row.pick_list_id.in_(select(PickList.id).where(PickList.state == "open")),
        )
        .values(picked=row.picked + 1)
        .returning(row.picked)
    ).scalar()
    if picked is None:
        raise StaleSheet(f"pick list {sheet.pick_list_id} changed")
    record_by(
        session,
        actor,
        action="pick.scan",
        subject=pick_list_subject(sheet.pick_list_id),
        code=shown,
        sku=line.sku,
        stop=line.stop,
        tote=tote.tote,
        order=tote.order_name,
        picked=picked,
        needed=tote.needed,
    )
    result = ScanResult(
        shown,
        None,
        f"{line.sku or line.title} → {tote.tote} ({tote.order_name})",
        stop=line.stop,
        sku=line.sku,
        tote=tote.tote,
        order_name=tote.order_name,
    )
    return result, with_picked(sheet, tote.row_id, picked)


def _rejected(session: Session, shown: str, lines: list[SheetLine]) -> ScanResult:
    if lines:
        line = lines[0]
        note = f", {line.short} marked short" if line.short else ""
        return ScanResult(
            shown,
            ScanProblem.OVER_PICK,
            f"Over-pick: all {line.needed} of {line.sku or line.title} are already picked{note}",
            "Put this unit back in its bin",
            stop=line.stop,
            sku=line.sku,
        )
    if _known(session, shown):
        return ScanResult(
            shown,
            ScanProblem.WRONG_ITEM,
            f"Wrong item: {shown} is not on this pick list",
            "Put it back and check the bin and the SKU on the current line",
        )
    return ScanResult(
        shown,
        ScanProblem.UNKNOWN_CODE,
        f"Unknown code: {shown!r} is no SKU or barcode this shop knows",
        "Scan the item's barcode again, or type its SKU",
    )


def _known(session: Session, code: str) -> bool:
    """A SKU or barcode the cache has seen (as typed, upper or lower case: the indexes find those)."""
    if not code:
        return False
    forms = {code, code.upper(), code.lower()}
    return any(
        session.exec(select(column).where(col(column).in_(forms)).limit(1)).first() is not None
        for column in (LineItem.sku, LineItem.barcode, InventoryLevel.sku, BinLocation.sku)
    )


def _row(session: Session, pick_list_id: int, fo_line_id: str) -> PickListLine:
    row = session.exec(
        select(PickListLine)
        .where(PickListLine.pick_list_id == pick_list_id)
        .where(PickListLine.fulfillment_order_line_item_id == fo_line_id)
    ).one()
    return row


# --- short picks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortOrder:
    fulfillment_order_id: str
    order_name: str
    tote: str
    missing: int
    exception_id: int


@dataclass(frozen=True)
class ShortPick:
    stop: int
    sku: str | None
    bin_code: str | None
    orders: tuple[ShortOrder, ...]


def short_pick(
    session: Session, pick_list_id: int, stop: int, actor: Actor, missing: int | None = None
) -> ShortPick:
    """Record that `missing` units of the stop (default: all still to fetch) are not there.

    The units the bin lacks are taken from the last totes first: the first orders of a batch are
    the most urgent and keep what was found. Each order left short gets a "short pick" exception.
    """
    open_list(session, pick_list_id)
    sheet = read_sheet(session, pick_list_id)
    line = next((line for line in sheet.lines if line.stop == stop), None)
    if line is None:
        raise PickRefused(f"no line {stop} on pick list {pick_list_id}")
    if not line.left:
        raise PickRefused(f"{line.sku or line.title}: nothing left to pick on this line")
    count = line.left if missing is None else missing
    if not 1 <= count <= line.left:
        raise PickRefused(f"{line.sku or line.title}: short 1 to {line.left} units, not {count}")
    remaining, shorts = count, []
    for tote in reversed(line.totes):
        take = min(tote.left, remaining)
        if not take:
            continue
        remaining -= take
        row = _row(session, pick_list_id, tote.fulfillment_order_line_item_id)
        row.short += take
        session.add(row)
        problem = FloorException(
            kind=SHORT_PICK,
            severity="warning",
            order_id=_order_id(session, tote.fulfillment_order_id),
            subject=tote.fulfillment_order_id,
            message=(
                f"{tote.order_name}: {take} of {row.needed} x {line.sku or line.title} not found"
                f" in bin {line.bin_code or '(none)'} (tote {tote.tote})"
            ),
            owner=actor.staff_code,
            fix=SHORT_FIX,
        )
        session.add(problem)
        session.flush()
        assert problem.id is not None
        shorts.append(ShortOrder(tote.fulfillment_order_id, tote.order_name, tote.tote, take, problem.id))
    record_by(
        session,
        actor,
        action="pick.short",
        subject=pick_list_subject(pick_list_id),
        sku=line.sku,
        bin=line.bin_code,
        missing=count,
        orders={short.order_name: short.missing for short in shorts},
    )
    return ShortPick(stop, line.sku, line.bin_code, tuple(reversed(shorts)))


def _order_id(session: Session, fo_id: str) -> str | None:
    fo = session.get(FulfillmentOrder, fo_id)
    return fo.order_id if fo else None


def awaiting_decision(sheet: PickSheet) -> list[str]:
    """Fulfillment orders left short whose picker has not yet chosen: ship the rest, or hold."""
    found = [
        tote.fulfillment_order_id
        for line in sheet.lines
        for tote in line.live
        if tote.short and tote.picked < tote.needed and not tote.left
    ]
    return list(dict.fromkeys(found))


def ship_rest(session: Session, pick_list_id: int, fo_id: str, actor: Actor) -> int:
    """The short order goes on to packing with what was found; returns the units it goes without."""
    open_list(session, pick_list_id)
    rows = [row for row in pick_list_rows(session, pick_list_id) if row.fulfillment_order_id == fo_id]
    undecided = [row for row in rows if row.short and row.picked < row.needed and not row.withdrawn]
    if not undecided:
        raise PickRefused("this order has no short pick waiting for a decision")
    if not any(row.picked for row in rows):
        raise PickRefused("nothing of this order was found: hold it instead")
    without = 0
    for row in undecided:
        without += row.needed - row.picked
        row.needed = row.picked
        session.add(row)
    _close_shorts(session, fo_id, actor, f"shipped the rest: {without} unit(s) fewer")
    record_by(
        session,
        actor,
        action="pick.ship_rest",
        subject=fo_id,
        pick_list=pick_list_id,
        units_without=without,
    )
    return without


def hold_short(session: Session, pick_list_id: int, fo_id: str, actor: Actor, notes: str = "") -> PutBack:
    """Hold the short order at the store (through the outbox); its picked units go back to their bins
    (the put-back task returned)."""
    open_list(session, pick_list_id)
    store_actions.hold(session, actor, fo_id, "INVENTORY_OUT_OF_STOCK", notes or "short pick")
    task = withdraw(session, pick_list_id, fo_id, "on hold", actor)
    _close_shorts(session, fo_id, actor, "held the order")
    record_by(
        session,
        actor,
        action="pick.hold",
        subject=fo_id,
        pick_list=pick_list_id,
    )
    return task


def _close_shorts(session: Session, fo_id: str, actor: Actor, note: str) -> None:
    open_rows = session.exec(
        select(FloorException)
        .where(FloorException.kind == SHORT_PICK)
        .where(FloorException.subject == fo_id)
        .where(col(FloorException.state).in_(("open", "acknowledged")))
    ).all()
    for problem in open_rows:
        assert problem.id is not None
        exceptions.resolve(
            session, problem.id, staff_code=actor.staff_code or "", station=actor.station, note=note
        )


def complete(session: Session, pick_list_id: int, actor: Actor) -> PickList:
    """Close the list once every unit is fetched, decided on or put back."""
    pick_list = open_list(session, pick_list_id)
    sheet = read_sheet(session, pick_list_id)
    undecided = awaiting_decision(sheet)
    if undecided:
        names = sorted(
            {t.order_name for line in sheet.lines for t in line.totes if t.fulfillment_order_id in undecided}
        )
        raise PickRefused(f"{', '.join(names)} short: choose ship the rest or hold first")
    left = sum(line.left for line in sheet.lines)
    if left:
        raise PickRefused(f"{left} unit(s) still to pick: scan them or mark them short")
    put_back = sum(tote.put_back for line in sheet.lines for tote in line.totes)
    if put_back:
        raise PickRefused(f"{put_back} unit(s) to put back first")
    pick_list.state, pick_list.completed_at = PickListState.DONE, utcnow()
    session.add(pick_list)
    picked, needed = sheet.units
    record_by(
        session,
        actor,
        action="pick.complete",
        subject=pick_list_subject(pick_list_id),
        picked=picked,
        needed=needed,
    )
    return pick_list
