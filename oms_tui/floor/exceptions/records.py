"""Exceptions kept in the cache: the rules' pass after each sync, and what people do with them.

A pass is incremental, so it stays fast at a million orders: it evaluates only the orders that changed
since the last pass (the change feed for sync, the audit log for local actions, inventory levels synced
since), the orders whose SLA window they crossed meanwhile (an indexed range on `created_at`), and the
work people have in hand. The first pass over a cache walks every order, a step at a time.
Each rule-raised row carries its `cause` while the cause lasts; a pass that no longer finds the cause
closes the row by itself (unless a person resolved it already) and frees the cause.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind, ExceptionState
from oms_tui.cache.models import (
    ApiNotice,
    AuditEvent,
    ChangeFeedEntry,
    Claim,
    ExceptionScan,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Order,
    PackSession,
    PickList,
    PickListLine,
    SyncState,
)
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record
from oms_tui.floor.allocation.short_stock import orders_concerned, pairs_of, short_allocations
from oms_tui.floor.exceptions.rules import (
    SEVERITY_RANK,
    Finding,
    OrderFacts,
    RuleSettings,
    api_deprecated,
    missed_cutoff,
    order_findings,
    sync_failing,
)

ORDER_KINDS = (
    ExceptionKind.PAYMENT,
    ExceptionKind.FRAUD_RISK,
    ExceptionKind.ADDRESS_INCOMPLETE,
    ExceptionKind.ADDRESS_PO_BOX,
    ExceptionKind.SHORT_STOCK,
    ExceptionKind.SLA_AT_RISK,
    ExceptionKind.SLA_BREACHED,
    ExceptionKind.INTERRUPTED,
)
STORE_KINDS = (ExceptionKind.SYNC_FAILING, ExceptionKind.API_DEPRECATED)
CUTOFF_SCOPE = col(FloorException.kind) == ExceptionKind.CUTOFF_AT_RISK
STEP = 2000  # orders per transaction
TIME_LIMIT = 2.0  # seconds of work per pass; what is left waits for the next pass
CLOSED_BY_ITSELF = "closed by itself: the cause is gone"
OPEN_STATES = (ExceptionState.OPEN, ExceptionState.ACKNOWLEDGED)


@dataclass
class PassResult:
    evaluated: int = 0
    opened: int = 0
    cleared: int = 0
    more: bool = False  # work left for the next pass


def run_pass(
    cache: Cache, settings: RuleSettings, now: datetime, *, step: int = STEP, time_limit: float = TIME_LIMIT
) -> PassResult:
    """Bring the cache's exceptions up to date with what changed; short transactions, bounded time."""
    result = PassResult()
    deadline = time.monotonic() + time_limit
    first = True
    while True:
        with cache.sessions() as session:
            result.more = _step(session, settings, now, step, result, first=first)
            session.commit()
        if not result.more or time.monotonic() > deadline:
            return result
        first = False


def _step(
    session: Session, settings: RuleSettings, now: datetime, step: int, result: PassResult, *, first: bool
) -> bool:
    scan = _lock_scan(session)
    if scan is None:
        return False  # another station created the scan position at the same moment: it runs the pass
    order_ids: set[str] = set()
    more = False
    if not scan.backfill_done:
        batch = list(
            session.exec(
                select(Order.id).where(Order.id > scan.backfill_after).order_by(col(Order.id)).limit(step)
            )
        )
        order_ids.update(batch)
        scan.backfill_after = batch[-1] if batch else scan.backfill_after
        scan.backfill_done = len(batch) < step
        more = not scan.backfill_done
    more |= _feed(session, scan, step, order_ids)
    more |= _audit(session, scan, step, order_ids)
    # A change to one order's work (a new rush order, a cancel) moves stock to or from others
    order_ids |= orders_concerned(session, pairs_of(session, _open_work_of(session, order_ids)))
    if first:  # these do not page: once per pass
        order_ids |= _inventory_changes(session, scan)
        order_ids |= _crossed_sla(session, scan, settings, now)
        order_ids |= _in_hand(session, now)
    for start in range(0, len(order_ids), 1000):
        chunk = sorted(order_ids)[start : start + 1000]
        findings = [
            found for facts in _facts(session, chunk, now) for found in order_findings(facts, settings, now)
        ]
        scope = col(FloorException.order_id).in_(chunk) & col(FloorException.kind).in_(ORDER_KINDS)
        _reconcile(session, findings, scope, now, result)
    result.evaluated += len(order_ids)
    if first:  # the carriers' cut-offs: a few open orders, once per pass
        _reconcile(session, _cutoff_findings(session, settings, now), CUTOFF_SCOPE, now, result)
    store_findings = [
        *sync_failing(session.exec(select(SyncState)), now),
        *api_deprecated(session.exec(select(ApiNotice)), now),
    ]
    _reconcile(session, store_findings, col(FloorException.kind).in_(STORE_KINDS), now, result)
    scan.checked_at = now
    return more


def _lock_scan(session: Session) -> ExceptionScan | None:
    """The scan position, locked for this transaction (passes of several stations take turns)."""
    scan = session.exec(select(ExceptionScan).with_for_update()).first()
    if scan is not None:
        return scan
    # The first pass walks every order, so the feed, the audit log and inventory start from now.
    scan = ExceptionScan(
        feed_seen=session.exec(select(func.max(ChangeFeedEntry.id))).one() or 0,
        audit_seen=session.exec(select(func.max(AuditEvent.id))).one() or 0,
        inventory_seen=session.exec(select(func.max(InventoryLevel.synced_at))).one(),
    )
    session.add(scan)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return scan


def _feed(session: Session, scan: ExceptionScan, step: int, order_ids: set[str]) -> bool:
    entries = session.exec(
        select(ChangeFeedEntry.id, ChangeFeedEntry.stream, ChangeFeedEntry.object_id)
        .where(col(ChangeFeedEntry.id) > scan.feed_seen)
        .order_by(col(ChangeFeedEntry.id))
        .limit(step)
    ).all()
    if entries:
        scan.feed_seen = entries[-1][0] or scan.feed_seen
    order_ids.update(ident for _, stream, ident in entries if stream == "orders")
    order_ids |= _orders_of(
        session, [ident for _, stream, ident in entries if stream == "fulfillment_orders"]
    )
    return len(entries) == step


def _audit(session: Session, scan: ExceptionScan, step: int, order_ids: set[str]) -> bool:
    """Local actions (holds, shipments, claims, ...) change the cache without the change feed."""
    events = session.exec(
        select(AuditEvent.id, AuditEvent.subject)
        .where(col(AuditEvent.id) > scan.audit_seen)
        .order_by(col(AuditEvent.id))
        .limit(step)
    ).all()
    if events:
        scan.audit_seen = events[-1][0] or scan.audit_seen
    subjects = [subject for _, subject in events if subject]
    order_ids.update(session.exec(select(Order.id).where(col(Order.id).in_(subjects))))
    order_ids |= _orders_of(session, subjects)
    return len(events) == step


def _inventory_changes(session: Session, scan: ExceptionScan) -> set[str]:
    """Orders that stock changes may have made short, or no longer short."""
    query = select(InventoryLevel)
    if scan.inventory_seen is not None:
        query = query.where(InventoryLevel.synced_at > scan.inventory_seen)
    levels = list(session.exec(query))
    if not levels:
        return set()
    scan.inventory_seen = max(level.synced_at for level in levels)
    return orders_concerned(session, {(level.sku, level.location_id) for level in levels})


def _crossed_sla(session: Session, scan: ExceptionScan, settings: RuleSettings, now: datetime) -> set[str]:
    """Orders that came into their at-risk window, or past their ship-by time, since the last pass."""
    if scan.checked_at is None or scan.checked_at >= now:
        return set()
    found: set[str] = set()
    for offset in (settings.at_risk_after - settings.sla, timedelta(0)):  # from the ship-by time
        found.update(
            session.exec(
                select(Order.id).where(
                    Order.ship_by > scan.checked_at - offset,
                    Order.ship_by <= now - offset,
                    col(Order.cancelled_at).is_(None),
                )
            )
        )
    return found


def _cutoff_findings(session: Session, settings: RuleSettings, now: datetime) -> list[Finding]:
    """Orders that will not make their carrier's next cut-off at the floor's pick rate, from an hour
    before it (`floor.queues.cutoffs`)."""
    from oms_tui.floor.queues.cutoffs import next_cutoffs, pick_rate, will_miss

    if not settings.ship_by.methods:
        return []
    rate = pick_rate(session, now)
    return [
        missed_cutoff(order.order_id, order.name, cutoff.carrier, cutoff.cutoff, rate, len(cutoff.due))
        for cutoff in next_cutoffs(session, settings.ship_by, now)
        for order in will_miss(cutoff, rate, now)
    ]


def _in_hand(session: Session, now: datetime) -> set[str]:
    """Orders someone is picking or packing, and those an earlier pass found interrupted."""
    fo_ids = set(session.exec(select(Claim.fulfillment_order_id).where(Claim.lease_until > now)))
    fo_ids.update(
        session.exec(
            select(PickListLine.fulfillment_order_id)
            .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
            .where(PickList.state == "open")
        )
    )
    fo_ids.update(session.exec(select(PackSession.fulfillment_order_id).where(PackSession.state == "open")))
    found = _orders_of(session, list(fo_ids))
    found.update(
        order_id
        for order_id in session.exec(
            select(FloorException.order_id).where(
                FloorException.kind == ExceptionKind.INTERRUPTED, col(FloorException.cause).is_not(None)
            )
        )
        if order_id
    )
    return found


def _open_work_of(session: Session, order_ids: set[str]) -> list[str]:
    """These orders' fulfillment orders (their lines draw on stock, or did until a cancel)."""
    ids = sorted(order_ids)
    return [
        fo_id
        for start in range(0, len(ids), 1000)
        for fo_id in session.exec(
            select(FulfillmentOrder.id).where(col(FulfillmentOrder.order_id).in_(ids[start : start + 1000]))
        )
    ]


def _orders_of(session: Session, fo_ids: Sequence[str]) -> set[str]:
    if not fo_ids:
        return set()
    return set(session.exec(select(FulfillmentOrder.order_id).where(col(FulfillmentOrder.id).in_(fo_ids))))


def _facts(session: Session, order_ids: list[str], now: datetime) -> list[OrderFacts]:
    orders = {order.id: order for order in session.exec(select(Order).where(col(Order.id).in_(order_ids)))}
    facts = {ident: OrderFacts(order, []) for ident, order in orders.items()}
    fos = list(session.exec(select(FulfillmentOrder).where(col(FulfillmentOrder.order_id).in_(order_ids))))
    for fo in fos:
        if fo.order_id in facts:
            facts[fo.order_id].fulfillment_orders.append(fo)
    # An order the cache lacks (the store no longer has it) has no facts: its work is left out, not guessed
    fo_of = {fo.id: facts[fo.order_id] for fo in fos if fo.order_id in facts}
    lines = list(
        session.exec(
            select(FulfillmentOrderLineItem).where(
                col(FulfillmentOrderLineItem.fulfillment_order_id).in_(
                    [fo.id for fo in fos if fo.status in ("OPEN", "IN_PROGRESS") and fo.id in fo_of]
                )
            )
        )
    )
    for line in lines:
        fo_of[line.fulfillment_order_id].lines.setdefault(line.fulfillment_order_id, []).append(line)
    short: dict[tuple[str, str], tuple[int, int, str]] = {}
    for allocation in short_allocations(session, [line.fulfillment_order_id for line in lines]):
        for claimant in allocation.short:
            short[(claimant.fulfillment_order_id, allocation.sku)] = (
                claimant.allotted,
                claimant.needed,
                allocation.summary(),
            )
    shipping: dict[str, bool] = {}
    not_shipped: set[str] = set()  # order lines that need no shipping
    for order_id, line_id, requires in session.exec(
        select(LineItem.order_id, LineItem.id, LineItem.requires_shipping).where(
            col(LineItem.order_id).in_(order_ids)
        )
    ):
        shipping[order_id] = shipping.get(order_id, False) or requires
        if not requires:
            not_shipped.add(line_id)
    for fo_id, who in _busy(session, list(fo_of), now).items():
        fo_of[fo_id].busy[fo_id] = who
    for ident, fact in facts.items():
        fact.short = short
        fact.needs_shipping = shipping.get(ident, True)
        fo_lines = [line for lines_of_fo in fact.lines.values() for line in lines_of_fo]
        fact.not_shipped = {line.id for line in fo_lines if line.line_item_id in not_shipped}
    return list(facts.values())


def _busy(session: Session, fo_ids: list[str], now: datetime) -> dict[str, str]:
    """Who has each of these fulfillment orders in hand, in words."""
    busy: dict[str, str] = {}
    for claim in session.exec(
        select(Claim).where(col(Claim.fulfillment_order_id).in_(fo_ids), Claim.lease_until > now)
    ):
        busy[claim.fulfillment_order_id] = f"{claim.staff_code} had it claimed at {claim.station}"
    for fo_id, staff, station in session.exec(
        select(PickListLine.fulfillment_order_id, PickList.staff_code, PickList.station)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(PickList.state == "open", col(PickListLine.fulfillment_order_id).in_(fo_ids))
    ):
        busy[fo_id] = f"{staff} was picking it at {station}"
    for session_row in session.exec(
        select(PackSession).where(
            PackSession.state == "open", col(PackSession.fulfillment_order_id).in_(fo_ids)
        )
    ):
        busy[session_row.fulfillment_order_id] = (
            f"{session_row.staff_code} was packing it at {session_row.station}"
        )
    return busy


def _reconcile(
    session: Session,
    findings: Iterable[Finding],
    scope: ColumnElement[bool],
    now: datetime,
    result: PassResult,
) -> None:
    """Open a row for each new cause; close (by itself) each live row in `scope` whose cause is gone."""
    live = {
        row.cause: row
        for row in session.exec(select(FloorException).where(col(FloorException.cause).is_not(None), scope))
    }
    found = {finding.cause: finding for finding in findings}
    for cause, finding in found.items():
        row = live.pop(cause, None)
        if row is None:
            session.add(
                FloorException(
                    kind=finding.kind,
                    severity=finding.severity,
                    order_id=finding.order_id,
                    subject=finding.subject,
                    message=finding.message,
                    fix=finding.fix,
                    cause=cause,
                    created_at=now,
                )
            )
            result.opened += 1
        elif row.state != "resolved":  # keep what a person sees up to date (severity may change)
            row.severity, row.message, row.fix = finding.severity, finding.message, finding.fix
    for row in live.values():
        row.cause = None
        if row.state != "resolved":
            row.state, row.resolution, row.resolved_at = ExceptionState.RESOLVED, CLOSED_BY_ITSELF, now
            result.cleared += 1
    session.flush()  # a freed cause may be taken again by a later step of this pass


# What people do with exceptions, and what the pane and the board read.


class ExceptionRefused(ValueError):
    pass


def claim(session: Session, exception_id: int, *, staff_code: str, station: str) -> FloorException:
    """Make `staff_code` the owner: the person working on it."""
    row = _open_row(session, exception_id)
    previous, row.owner = row.owner, staff_code
    record(
        session,
        station=station,
        staff_code=staff_code,
        action="exception.claim",
        subject=row.order_id or row.subject,
        exception=row.id,
        kind=row.kind,
        previous_owner=previous,
    )
    return row


def resolve(
    session: Session,
    exception_id: int,
    *,
    staff_code: str,
    station: str,
    note: str,
    now: datetime | None = None,
) -> FloorException:
    """Close it by hand, saying how; it stays closed while the same cause lasts."""
    note = note.strip()
    if not note:
        raise ExceptionRefused("say how it was resolved")
    row = _open_row(session, exception_id)
    row.state, row.resolution, row.resolved_by, row.resolved_at = (
        ExceptionState.RESOLVED,
        note,
        staff_code,
        now or utcnow(),
    )
    row.owner = row.owner or staff_code
    record(
        session,
        station=station,
        staff_code=staff_code,
        action="exception.resolve",
        subject=row.order_id or row.subject,
        exception=row.id,
        kind=row.kind,
        note=note,
    )
    return row


def open_exceptions(session: Session, kind: str | None = None, limit: int = 500) -> list[FloorException]:
    """The open ones, most severe first, then oldest first."""
    query = select(FloorException).where(col(FloorException.state).in_(OPEN_STATES))
    if kind:
        query = query.where(FloorException.kind == kind)
    severity = case(SEVERITY_RANK, value=col(FloorException.severity), else_=len(SEVERITY_RANK))
    return list(
        session.exec(
            query.order_by(severity, col(FloorException.created_at), col(FloorException.id)).limit(limit)
        )
    )


def open_by_kind(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(FloorException.kind, func.count())
        .where(col(FloorException.state).in_(OPEN_STATES))
        .group_by(col(FloorException.kind))
    )
    return dict(sorted(rows, key=lambda row: (-row[1], row[0])))


def _open_row(session: Session, exception_id: int) -> FloorException:
    row = session.get(FloorException, exception_id)
    if row is None:
        raise ExceptionRefused(f"no exception {exception_id}")
    if row.state not in OPEN_STATES:
        raise ExceptionRefused(f"exception {exception_id} is already resolved")
    return row
