"""Cycle counts: a list of bins to count, counted by scan, each SKU's result sent to the store once.

A count is the bins of a zone (codes starting `A-`), the bins of SKUs short-picked lately, the bins
not counted for some days, or bins named. The counter scans a bin, then each unit (or a SKU and a
typed number); a bin whose count differs from our records by more than the tolerance is counted
again (the second count stands). Finishing sends, per SKU, `on_hand` set to what the shelves hold:
the store's on_hand when the count began plus the difference counted (units our records put in the
SKU's bins outside this count are taken as they are), compare-and-set against that starting number.

When the store's stock moved during the count (a sale, another station's count of the same SKU), the
result is not sent: the SKU's bins are re-based on the new number and shown to be counted again, so
nothing is overwritten blindly. This is caught here, against the cache, or by the store itself
(`CHANGE_FROM_QUANTITY_STALE`), after which `rebase_refused` re-bases the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from oms_tui.actions.permissions import ActionRefused
from oms_tui.cache.enums import ActionKind, CountLineState, CountState, OutboxState
from oms_tui.cache.models import (
    BinLocation,
    BinStock,
    InventoryLevel,
    OutboxAction,
    PickList,
    PickListLine,
    StockCount,
    StockCountLine,
)
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.stock.stock_changes import level_of, record_set, reference

DONE_LINES = (CountLineState.COUNTED, CountLineState.SENT)


@dataclass(frozen=True)
class Scope:
    """What a count takes: bins of a zone, of SKUs short-picked within `short_days`, not counted for
    `stale_days`, or the bins named."""

    zone: str | None = None
    short_days: float | None = None
    stale_days: float | None = None
    bins: tuple[str, ...] = ()

    def words(self) -> str:
        if self.bins:
            return "bins " + " ".join(self.bins)
        if self.zone:
            return f"zone {self.zone}"
        if self.short_days is not None:
            return f"short picks in {self.short_days:g} days"
        return f"not counted in {self.stale_days:g} days"


def count_uri(count_id: int) -> str:
    return reference("Count", count_id)


def start_count(session: Session, actor: Actor, location_id: str, scope: Scope) -> StockCount:
    """A new count of the scope's bins at the location (refused when it has none)."""
    if actor.staff_code is None:
        raise ActionRefused("sign in to count stock")
    pairs = _bins(session, location_id, scope)
    if not pairs:
        raise ActionRefused(f"nothing to count: no bins for {scope.words()}")
    count = StockCount(
        location_id=location_id, scope=scope.words(), staff_code=actor.staff_code, station=actor.station
    )
    session.add(count)
    session.flush()
    assert count.id is not None
    for code, sku in pairs:
        line = StockCountLine(count_id=count.id, code=code, sku=sku)
        _base(session, count, line)
        session.add(line)
    record_by(session, actor, action="stock.count_started", subject=count_uri(count.id), scope=count.scope)
    return count


def lines_of(session: Session, count_id: int, code: str | None = None) -> list[StockCountLine]:
    query = select(StockCountLine).where(StockCountLine.count_id == count_id)
    if code is not None:
        query = query.where(StockCountLine.code == code)
    return list(session.exec(query.order_by(col(StockCountLine.code), col(StockCountLine.sku))))


def record_count(
    session: Session, actor: Actor, count_id: int, code: str, sku: str, counted: int, tolerance: int
) -> StockCountLine:
    """What the counter found of a SKU in a bin; beyond the tolerance it is counted again first."""
    count = _open(session, count_id)
    line = session.get(StockCountLine, (count_id, code, sku))
    if line is None:
        raise ActionRefused(f"{sku} in bin {code} is not on this count")
    if line.state == CountLineState.SENT:
        raise ActionRefused(f"{sku} in bin {code} is counted and sent already")
    if counted < 0:
        raise ActionRefused("a count is 0 or more units")
    off = line.expected is not None and abs(counted - line.expected) > tolerance
    if off and line.state not in (CountLineState.RECOUNT, CountLineState.REBASED):
        line.first_count, line.state = counted, CountLineState.RECOUNT
        line.note = f"counted {counted}, our records say {line.expected}: count the bin again"
    else:
        line.counted, line.state, line.counted_at, line.note = counted, CountLineState.COUNTED, utcnow(), None
    session.add(line)
    record_by(
        session,
        actor,
        action="stock.counted",
        subject=count_uri(count_id),
        bin=code,
        sku=sku,
        counted=counted,
    )
    assert count.id is not None
    return line


def finish_count(session: Session, actor: Actor, count_id: int) -> list[OutboxAction]:
    """Send each fully counted SKU's result; SKUs whose stock moved meanwhile are re-based instead.

    Returns the actions queued; the count is finished once every line is sent."""
    count = _open(session, count_id)
    rebase_refused(session, count_id)
    by_sku: dict[str, list[StockCountLine]] = defaultdict(list)
    for line in lines_of(session, count_id):
        by_sku[line.sku].append(line)
    if any(line.state not in DONE_LINES for lines in by_sku.values() for line in lines):
        left = sum(line.state not in DONE_LINES for lines in by_sku.values() for line in lines)
        raise ActionRefused(f"{left} bin line(s) still to count")
    queued = []
    for sku, lines in by_sku.items():
        waiting = [line for line in lines if line.state == CountLineState.COUNTED]
        if waiting:
            action = _send_sku(session, actor, count, sku, waiting)
            queued += [action] if action else []
    if all(line.state == CountLineState.SENT for line in lines_of(session, count_id)):
        count.state, count.finished_at = CountState.FINISHED, utcnow()
        session.add(count)
    return queued


def rebase_refused(session: Session, count_id: int) -> int:
    """Re-base the SKUs whose result the store refused (its stock had moved): their action is
    discarded, their bins are counted again against the number the cache holds now (read it from the
    store first: `store.inventory_reads.refresh_skus`). A finished count opens again."""
    uri, rebased = count_uri(count_id), 0
    refused = session.exec(
        select(OutboxAction)
        .where(OutboxAction.kind == ActionKind.INVENTORY_SET)
        .where(OutboxAction.state == OutboxState.FAILED)
    ).all()
    for action in refused:
        if action.payload.get("referenceDocumentUri") != uri:
            continue
        action.state, action.last_error = OutboxState.DISCARDED, f"re-based: {action.last_error}"
        session.add(action)
        for line in lines_of(session, count_id):
            if line.sku == action.payload["sku"]:
                _rebase(session, line, action.payload.get("changeFromQuantity"))
                rebased += 1
    count = session.get(StockCount, count_id)
    if rebased and count is not None and count.state == CountState.FINISHED:
        count.state, count.finished_at = CountState.OPEN, None  # open again for the bins to recount
        session.add(count)
    return rebased


def _send_sku(
    session: Session, actor: Actor, count: StockCount, sku: str, lines: list[StockCountLine]
) -> OutboxAction | None:
    assert count.id is not None
    level = level_of(session, sku, count.location_id)
    if any(line.base_on_hand != level.on_hand for line in lines):
        for line in lines:
            _rebase(session, line, line.base_on_hand)
        return None
    counted_codes = {line.code for line in lines}
    elsewhere = sum(
        row.quantity
        for row in session.exec(
            select(BinStock).where(BinStock.location_id == count.location_id, BinStock.sku == sku)
        )
        if row.code not in counted_codes
    )
    on_shelves = level.on_hand - level.damaged - level.quality_control
    counted = sum(line.counted or 0 for line in lines) + elsewhere
    target = max(0, level.on_hand + counted - on_shelves)
    action = record_set(session, actor, level, target, count_uri(count.id))
    now = utcnow()
    for line in lines:
        stock = session.get(BinStock, (count.location_id, line.code, sku)) or BinStock(
            location_id=count.location_id, code=line.code, sku=sku
        )
        stock.quantity, stock.counted_at, stock.updated_at = line.counted or 0, now, now
        line.state = CountLineState.SENT
        session.add_all([stock, line])
    return action


def _rebase(session: Session, line: StockCountLine, was: int | None) -> None:
    count = session.get_one(StockCount, line.count_id)
    _base(session, count, line)
    line.first_count, line.counted, line.state = line.counted, None, CountLineState.REBASED
    line.note = (
        f"stock moved at the store during the count (on hand {was} -> {line.base_on_hand}): count again"
    )
    session.add(line)


def _base(session: Session, count: StockCount, line: StockCountLine) -> None:
    """What the line is counted against: the store's on_hand now, and what the bin should hold."""
    level = session.exec(
        select(InventoryLevel).where(
            InventoryLevel.sku == line.sku, InventoryLevel.location_id == count.location_id
        )
    ).first()
    stock = session.get(BinStock, (count.location_id, line.code, line.sku))
    bins = _bins_of_sku(session, count.location_id, line.sku)
    line.inventory_item_id = level.inventory_item_id if level else None
    line.base_on_hand = level.on_hand if level else None
    if stock is not None:
        line.expected = stock.quantity
    elif level is not None and len(bins) == 1:
        line.expected = level.on_hand - level.damaged - level.quality_control
    else:
        line.expected = None


def _open(session: Session, count_id: int) -> StockCount:
    count = session.get(StockCount, count_id)
    if count is None or count.state != CountState.OPEN:
        raise ActionRefused(f"count {count_id} is not open")
    return count


def _bins_of_sku(session: Session, location_id: str, sku: str) -> set[str]:
    known = session.exec(
        select(BinLocation.code).where(BinLocation.location_id == location_id, BinLocation.sku == sku)
    )
    ours = session.exec(select(BinStock.code).where(BinStock.location_id == location_id, BinStock.sku == sku))
    return set(known) | set(ours)


def _bins(session: Session, location_id: str, scope: Scope) -> list[tuple[str, str]]:
    """(bin, SKU) pairs of the scope at the location, every bin both we and the bin import know."""
    pairs = {
        (row.code, row.sku)
        for row in session.exec(select(BinLocation).where(BinLocation.location_id == location_id))
    } | {
        (row.code, row.sku)
        for row in session.exec(select(BinStock).where(BinStock.location_id == location_id))
    }
    if scope.bins:
        wanted = {code.upper() for code in scope.bins}
        return sorted(pair for pair in pairs if pair[0] in wanted)
    if scope.zone:
        prefix = scope.zone.upper().rstrip("-") + "-"
        return sorted(pair for pair in pairs if pair[0].startswith(prefix))
    if scope.short_days is not None:
        shorts = _short_skus(session, utcnow() - timedelta(days=scope.short_days))
        return sorted(pair for pair in pairs if pair[1] in shorts)
    since = utcnow() - timedelta(days=scope.stale_days or 0)
    counted = {
        (row.code, row.sku): row.counted_at
        for row in session.exec(select(BinStock).where(BinStock.location_id == location_id))
    }
    return sorted(
        pair for pair in pairs if (counted.get(pair) or datetime.min.replace(tzinfo=since.tzinfo)) < since
    )


def _short_skus(session: Session, since: datetime) -> set[str]:
    rows = session.exec(
        select(PickListLine.sku)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(PickListLine.short > 0, col(PickList.created_at) >= since)
    )
    return {sku for sku in rows if sku}
