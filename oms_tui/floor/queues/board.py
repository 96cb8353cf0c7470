"""The manager's board: what the floor is doing now, each figure from a small indexed query.

Stage counts are the queues' own counts (`floor.queues`: one definition of each stage); lateness
and exceptions come from the rows the exception rules keep; throughput from shipments; work per
station and per person from today's audit log. How long ago the store was synced is the header's
figure (`oms_tui.sync_health`), not the board's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import AuditEvent, FloorException, Fulfillment, Order, SyncState
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.cache.ship_by import ShipByPolicy
from oms_tui.floor.exceptions.records import OPEN_STATES, open_by_kind
from oms_tui.floor.labels.records import bought_since
from oms_tui.floor.queues.cutoffs import CarrierCutoff, next_cutoffs, pick_rate
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import counted
from oms_tui.floor.queues.stages import Stage, start_of_day

HOURS = 12
SHIPMENT = "store.fulfill"  # the audit action of a shipment recorded on the floor
TILE_STAGES = (
    Stage.READY_TO_PICK,
    Stage.PICKING,
    Stage.READY_TO_PACK,
    Stage.ON_HOLD,
    Stage.EXCEPTIONS,
    Stage.SHIPPED_TODAY,
)


@dataclass(frozen=True)
class LateOrder:
    order_id: str
    name: str
    due: datetime
    owner: str | None


@dataclass(frozen=True)
class Work:
    who: str  # a station or a staff code
    shipped: int
    actions: int


@dataclass(frozen=True)
class BoardFigures:
    stages: dict[Stage, int]  # as many as each queue holds, in the order a person reads the floor
    late: int
    at_risk: int
    late_orders: list[LateOrder]  # the longest overdue first
    throughput: list[int]  # shipments per hour, oldest first; the last is the hour now running
    stations: list[Work]
    staff: list[Work]
    exceptions: dict[str, int]  # open, by kind, most first
    failing: tuple[str, ...]  # sync streams whose last pass failed: "orders: store unreachable"
    cutoffs: tuple[CarrierCutoff, ...] = ()  # each carrier's next collection, with the orders due by it
    pick_rate: float = 0.0  # orders picked in the last hour
    reconciled: ReconcileRun | None = None  # the last reconcile that changed what it found (not a dry run)
    labels_today: tuple[int, dict[str, Decimal]] = (0, {})  # labels bought today, their cost by currency


def board_figures(
    session: Session, now: datetime, sla: timedelta, late_shown: int = 8, ship_by: ShipByPolicy | None = None
) -> BoardFigures:
    today = start_of_day(now)
    exceptions = open_by_kind(session)
    # the six queues' counts in one statement: the board reads again at every change on the floor
    stage_counts = session.execute(
        sa_select(*(counted(session, stage, QueueFilter(), now) for stage in TILE_STAGES))
    ).one()
    return BoardFigures(
        cutoffs=tuple(next_cutoffs(session, ship_by, now)) if ship_by else (),
        pick_rate=pick_rate(session, now) if ship_by else 0.0,
        stages=dict(zip(TILE_STAGES, stage_counts, strict=True)),
        late=exceptions.get("sla_breached", 0),
        at_risk=exceptions.get("sla_at_risk", 0),
        late_orders=_late_orders(session, late_shown),
        throughput=_throughput(session, now),
        stations=_work(session, col(AuditEvent.station), today),
        staff=_work(session, col(AuditEvent.staff_code), today),
        exceptions=exceptions,
        failing=tuple(
            f"{state.stream}: {state.last_error}"
            for state in session.exec(
                select(SyncState)
                .where(col(SyncState.last_error).is_not(None))
                .order_by(col(SyncState.stream))
            )
        ),
        reconciled=last_reconcile(session),
        labels_today=bought_since(session, today),
    )


def last_reconcile(session: Session) -> ReconcileRun | None:
    return session.exec(
        select(ReconcileRun)
        .where(col(ReconcileRun.finished_at).is_not(None), col(ReconcileRun.dry_run).is_(False))
        .order_by(col(ReconcileRun.started_at).desc())
        .limit(1)
    ).first()


def _late_orders(session: Session, limit: int) -> list[LateOrder]:
    rows = session.exec(
        select(Order.id, Order.name, Order.ship_by, FloorException.owner)
        .join(Order, col(Order.id) == FloorException.order_id)
        .where(FloorException.kind == ExceptionKind.SLA_BREACHED, col(FloorException.state).in_(OPEN_STATES))
        .order_by(col(Order.ship_by), col(Order.id))
        .limit(limit)
    )
    return [LateOrder(ident, name, due, owner) for ident, name, due, owner in rows]


def _throughput(session: Session, now: datetime) -> list[int]:
    hour = now.replace(minute=0, second=0, microsecond=0)
    start = hour - timedelta(hours=HOURS - 1)
    counts = [0] * HOURS
    for created in session.exec(select(Fulfillment.created_at).where(Fulfillment.created_at >= start)):
        slot = int((created - start).total_seconds() // 3600)
        if 0 <= slot < HOURS:
            counts[slot] += 1
    return counts


def _work(session: Session, who: Any, today: datetime) -> list[Work]:
    """Audit events today per `who` (the station or the staff column): shipments and all actions."""
    shipped = func.sum(case((col(AuditEvent.action) == SHIPMENT, 1), else_=0))
    rows = session.exec(
        select(who, shipped, func.count()).where(AuditEvent.at >= today, who.is_not(None)).group_by(who)
    )
    work = [Work(str(name), int(ships or 0), int(actions)) for name, ships, actions in rows]
    return sorted(work, key=lambda w: (-w.shipped, -w.actions, w.who))
