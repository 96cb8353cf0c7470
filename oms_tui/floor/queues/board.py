"""The manager's board: what the floor is doing now, each figure from a small indexed query.

Stage counts are the queues' own counts (`floor.queues`: one definition of each stage); lateness
and exceptions come from the rows the exception rules keep; throughput from shipments; work per
station and per person from today's audit log. How long ago the store was synced is the header's
figure (`oms_tui.sync_health`), not the board's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import AuditEvent, FloorException, Fulfillment, Order, SyncState
from oms_tui.floor.exceptions.records import OPEN_STATES, open_by_kind
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import count
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


def board_figures(session: Session, now: datetime, sla: timedelta, late_shown: int = 8) -> BoardFigures:
    today = start_of_day(now)
    exceptions = open_by_kind(session)
    return BoardFigures(
        stages={stage: count(session, stage, QueueFilter(), now) for stage in TILE_STAGES},
        late=exceptions.get("sla_breached", 0),
        at_risk=exceptions.get("sla_at_risk", 0),
        late_orders=_late_orders(session, sla, late_shown),
        throughput=_throughput(session, now),
        stations=_work(session, col(AuditEvent.station), today),
        staff=_work(session, col(AuditEvent.staff_code), today),
        exceptions=exceptions,
        failing=tuple(
            f"{state.stream}: {state.last_error}"
            for state in session.exec(
                select(SyncState).where(col(SyncState.last_error).is_not(None)).order_by(col(SyncState.stream))
            )
        ),
    )
def _late_orders(session: Session, sla: timedelta, limit: int) -> list[LateOrder]:
    rows = session.exec(
        select(Order.id, Order.name, Order.created_at, FloorException.owner)
        .join(Order, col(Order.id) == FloorException.order_id)
        .where(FloorException.kind == ExceptionKind.SLA_BREACHED, col(FloorException.state).in_(OPEN_STATES))
        .order_by(col(Order.created_at), col(Order.id))
        .limit(limit)
    )
    return [LateOrder(ident, name, created + sla, owner) for ident, name, created, owner in rows]


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
