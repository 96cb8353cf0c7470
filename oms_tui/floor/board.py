"""The manager's board: what the floor is doing now, each figure from a small indexed query.

Stage counts come from fulfillment order statuses and the work people have in hand; lateness and
exceptions from the rows the exception rules keep; throughput from shipments; work per station and per
person from today's audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    ApiNotice,
    AuditEvent,
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentOrder,
    Order,
    PackSession,
    PickList,
    PickListLine,
    SyncState,
)
from oms_tui.cache.sync_state import pending_outbox
from oms_tui.floor.exception_rules import API_NOTICE_SHOWN_FOR
from oms_tui.floor.exceptions import OPEN_STATES, open_by_kind

READY = ("OPEN", "IN_PROGRESS")
HOURS = 12
SHIPMENT = "store.fulfill"  # the audit action of a shipment recorded on the floor


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
class SyncHealth:
    last_success: datetime | None  # of the stream that succeeded longest ago
    failing: tuple[str, ...]  # "orders: store unreachable"
    outbox_waiting: int
    api_notices: int


@dataclass(frozen=True)
class BoardFigures:
    stages: dict[str, int]  # in the order a person reads the floor
    late: int
    at_risk: int
    late_orders: list[LateOrder]  # the longest overdue first
    throughput: list[int]  # shipments per hour, oldest first; the last is the hour now running
    stations: list[Work]
    staff: list[Work]
    exceptions: dict[str, int]  # open, by kind, most first
    sync: SyncHealth


def start_of_day(now: datetime) -> datetime:
    """Local midnight: "today" on the floor is the floor's own day."""
    return now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


def board_figures(session: Session, now: datetime, sla: timedelta, late_shown: int = 8) -> BoardFigures:
    today = start_of_day(now)
    exceptions = open_by_kind(session)
    picking, packing = _in_hand(session, now)
    ready = _count_status(session, READY)
    stages = {
        "ready to pick": ready - len(picking) - len(packing),
        "picking": len(picking),
        "ready to pack": len(packing),
        "on hold": _count_status(session, ("ON_HOLD",)),
        "exceptions": sum(exceptions.values()),
        "shipped today": session.exec(
            select(func.count()).select_from(Fulfillment).where(Fulfillment.created_at >= today)
        ).one(),
    }
    return BoardFigures(
        stages=stages,
        late=exceptions.get("sla_breached", 0),
        at_risk=exceptions.get("sla_at_risk", 0),
        late_orders=_late_orders(session, sla, late_shown),
        throughput=_throughput(session, now),
        stations=_work(session, col(AuditEvent.station), today),
        staff=_work(session, col(AuditEvent.staff_code), today),
        exceptions=exceptions,
        sync=_sync_health(session, now),
    )


def _count_status(session: Session, statuses: tuple[str, ...]) -> int:
    return session.exec(
        select(func.count()).select_from(FulfillmentOrder).where(col(FulfillmentOrder.status).in_(statuses))
    ).one()


def _in_hand(session: Session, now: datetime) -> tuple[set[str], set[str]]:
    """Fulfillment orders being picked (claimed, or on an open pick list), and those picked but not
    yet shipped (on a finished pick list, or being packed); only the ones still ready to ship."""
    picking = set(session.exec(select(Claim.fulfillment_order_id).where(Claim.lease_until > now)))
    picked: set[str] = set()
    for fo_id, state in session.exec(
        select(PickListLine.fulfillment_order_id, PickList.state)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(col(PickList.state).in_(("open", "done")))
    ):
        (picking if state == "open" else picked).add(fo_id)
    picked.update(session.exec(select(PackSession.fulfillment_order_id).where(PackSession.state == "open")))
    still_ready = set(
        session.exec(
            select(FulfillmentOrder.id).where(
                col(FulfillmentOrder.id).in_(picking | picked), col(FulfillmentOrder.status).in_(READY)
            )
        )
    )
    picking &= still_ready
    return picking, (picked & still_ready) - picking


def _late_orders(session: Session, sla: timedelta, limit: int) -> list[LateOrder]:
    rows = session.exec(
        select(Order.id, Order.name, Order.created_at, FloorException.owner)
        .join(Order, col(Order.id) == FloorException.order_id)
        .where(FloorException.kind == "sla_breached", col(FloorException.state).in_(OPEN_STATES))
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


def _sync_health(session: Session, now: datetime) -> SyncHealth:
    states = list(session.exec(select(SyncState)))
    successes = [state.last_success for state in states if state.last_success]
    return SyncHealth(
        last_success=min(successes) if successes else None,
        failing=tuple(f"{s.stream}: {s.last_error}" for s in states if s.last_error),
        outbox_waiting=pending_outbox(session),
        api_notices=session.exec(
            select(func.count())
            .select_from(ApiNotice)
            .where(ApiNotice.last_seen >= now - API_NOTICE_SHOWN_FOR)
        ).one(),
    )
