"""A morning on the floor over the synced simulator shop: people at work, shipments over the last hours,
a rejected store action, and the exception rules' passes (three hours ago, and now)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import (
    AuditEvent,
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentOrder,
    Order,
    PackSession,
    PickList,
    PickListLine,
    Role,
    Staff,
    SyncState,
)
from oms_tui.floor.exceptions.records import run_pass
from oms_tui.floor.exceptions.rules import RuleSettings

SHIPPED_PER_HOUR = (0, 0, 0, 0, 0, 1, 4, 9, 12, 10, 14, 6)  # 22:00 ... 09:00; the last hour is running
WORKERS = (("ALI", "Ali Demir", Role.PICKER, "pick-1"), ("BO", "Bo Larsen", Role.PACKER, "pack-1"))


def seed_floor_day(cache: Cache, now: datetime, rules: RuleSettings) -> None:
    run_pass(cache, rules, now - timedelta(hours=3))  # the rules ran all morning
    with cache.sessions() as session:
        for code, name, role, _ in (*WORKERS, ("CY", "Cy Moreau", Role.MANAGER, "desk")):
            session.add(Staff(code=code, name=name, role=role))
        fos = list(
            session.exec(
                select(FulfillmentOrder)
                .where(FulfillmentOrder.status == "OPEN")
                .order_by(col(FulfillmentOrder.created_at).desc(), col(FulfillmentOrder.id))
                .limit(6)
            )
        )
        session.flush()
        session.add(
            Claim(
                fulfillment_order_id=fos[0].id,
                staff_code="ALI",
                station="pick-1",
                lease_until=now + timedelta(minutes=20),
            )
        )
        picking = PickList(
            staff_code="ALI", station="pick-1", location_id=fos[1].location_id or "", state="open"
        )
        session.add(picking)
        session.flush()
        for sequence, fo in enumerate(fos[1:3]):
            session.add(
                PickListLine(
                    pick_list_id=picking.id or 0,
                    sequence=sequence,
                    fulfillment_order_id=fo.id,
                    fulfillment_order_line_item_id=f"{fo.id}/line",
                    needed=1,
                )
            )
        session.add(
            PackSession(fulfillment_order_id=fos[3].id, staff_code="BO", station="pack-1", started_at=now)
        )
        shipped = [
            order_id
            for order_id in session.exec(
                select(Order.id)
                .where(Order.fulfillment_status == "FULFILLED")
                .order_by(col(Order.id))
                .limit(60)
            )
        ]
        hour = now.replace(minute=0, second=0, microsecond=0)
        n = 0
        for slot, count in enumerate(SHIPPED_PER_HOUR):
            start = hour - timedelta(hours=len(SHIPPED_PER_HOUR) - 1 - slot)
            for k in range(count):
                at = start + timedelta(minutes=(k * 53) % 60 // 2)
                code, _, _, station = WORKERS[n % 2]
                session.add(
                    Fulfillment(
                        id=f"gid://shopify/Fulfillment/99{n:04d}",
                        order_id=shipped[n % len(shipped)],
                        status="SUCCESS",
                        tracking_company="UPS",
                        tracking_number=f"1Z999{n:010d}",
                        created_at=at,
                    )
                )
                if at.date() == now.date():
                    session.add(AuditEvent(at=at, station=station, staff_code=code, action="store.fulfill"))
                n += 1
        for k in range(9):
            session.add(
                AuditEvent(
                    at=hour - timedelta(minutes=5 * k), station="pick-1", staff_code="ALI", action="pick.scan"
                )
            )
        session.add(
            FloorException(
                kind="store_rejected",
                severity="critical",
                order_id=fos[4].order_id,
                subject="outbox:12",
                message="hold was rejected by the store: Fulfillment order is already on hold",
                created_at=now - timedelta(minutes=40),
            )
        )
        for stream in ("locations", "orders", "fulfillment_orders", "inventory"):
            state = session.get(SyncState, stream) or SyncState(stream=stream)
            state.last_success = now - timedelta(seconds=40)
            session.add(state)
        session.commit()
    run_pass(cache, rules, now)
