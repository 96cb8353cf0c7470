"""The board's figures, read from a small floor on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from oms_tui.cache.models import (
    AuditEvent,
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentOrder,
    Order,
    PickList,
    PickListLine,
    Role,
    Staff,
    SyncState,
)
from oms_tui.floor.queues.board import board_figures
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import count, window
from oms_tui.floor.queues.stages import Stage
from tests.local_time import utc_local_time

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
SLA = timedelta(hours=24)


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc_local_time():
        yield


def _order(session: Session, n: int, status: str, created: datetime = NOW) -> str:
    order_id = f"gid://shopify/Order/{n}"
    session.add(
        Order(
            id=order_id,
            name=f"#{1000 + n}",
            fulfillment_status="UNFULFILLED",
            created_at=created,
            updated_at=created,
            synced_at=created,
        )
    )
    session.add(
        FulfillmentOrder(
            id=f"fo-{n}",
            order_id=order_id,
            status=status,
            created_at=created,
            updated_at=created,
            synced_at=created,
        )
    )
    return order_id


def test_the_board_counts_stages_lateness_throughput_work_exceptions_and_sync(session: Session) -> None:
    session.add_all(
        [Staff(code="ALI", name="Ali", role=Role.PICKER), Staff(code="BO", name="Bo", role=Role.PACKER)]
    )
    for n in range(1, 7):
        _order(session, n, "OPEN", NOW - timedelta(hours=n))
    _order(session, 7, "ON_HOLD")
    late = _order(session, 8, "IN_PROGRESS", NOW - timedelta(hours=30))
    _order(session, 9, "CLOSED")
    session.flush()
    session.add(Claim(fulfillment_order_id="fo-1", staff_code="ALI", station="pick-1", lease_until=NOW + SLA))
    session.add(Claim(fulfillment_order_id="fo-6", staff_code="ALI", station="pick-1", lease_until=NOW - SLA))
    picking = PickList(staff_code="ALI", station="pick-1", location_id="loc", state="open")
    picked = PickList(staff_code="ALI", station="pick-1", location_id="loc", state="done")
    session.add_all([picking, picked])
    session.flush()
    for sequence, (pick_list, fo_id) in enumerate(
        ((picking, "fo-2"), (picked, "fo-3"), (picked, "fo-4"), (picked, "fo-9"))
    ):
        session.add(
            PickListLine(
                pick_list_id=picking.id if pick_list is picking else picked.id,
                sequence=sequence,
                fulfillment_order_id=fo_id,
                fulfillment_order_line_item_id="x",
                needed=1,
                picked=0 if pick_list is picking else 1,
            )
        )
    for n, hours_ago in enumerate((0, 0, 1, 11, 12, 30)):
        session.add(
            Fulfillment(
                id=f"f-{n}",
                order_id="gid://shopify/Order/9",
                status="SUCCESS",
                created_at=NOW - timedelta(hours=hours_ago),
            )
        )
    session.add_all(
        [
            AuditEvent(at=NOW, station="pack-1", staff_code="BO", action="store.fulfill", subject="fo-9"),
            AuditEvent(at=NOW, station="pack-1", staff_code="BO", action="store.note", subject="fo-9"),
            AuditEvent(at=NOW, station="pick-1", staff_code="ALI", action="store.hold", subject="fo-7"),
            AuditEvent(at=NOW - SLA, station="pick-1", staff_code="ALI", action="store.fulfill", subject="x"),
        ]
    )
    session.add_all(
        [
            FloorException(
                kind="sla_breached", severity="critical", order_id=late, message="late", owner="BO"
            ),
            FloorException(kind="sla_at_risk", severity="warning", order_id="o", message="soon"),
            FloorException(kind="payment", severity="warning", order_id="o", message="pending"),
            FloorException(kind="payment", severity="warning", order_id="o", message="x", state="resolved"),
        ]
    )
    session.add(SyncState(stream="orders", last_success=NOW - timedelta(minutes=3)))
    session.add(SyncState(stream="inventory", last_success=NOW - timedelta(minutes=9), last_error="timeout"))
    session.commit()

    board = board_figures(session, NOW, SLA)

    assert board.stages == {
        Stage.READY_TO_PICK: 3,  # fo-5, fo-6 (its claim ran out) and the late fo-8
        Stage.PICKING: 2,  # claimed fo-1, fo-2 on an open pick list
        Stage.READY_TO_PACK: 2,  # fo-3 and fo-4 picked (fo-9 has shipped)
        Stage.ON_HOLD: 1,
        Stage.EXCEPTIONS: 1,  # the late order's (the others' orders are not on the floor)
        Stage.SHIPPED_TODAY: 1,  # fo-9, shipped since midnight
    }
    for stage, tile in board.stages.items():  # the queues' own counts: one definition of each stage
        assert tile == count(session, stage, QueueFilter(), NOW) == len(
            window(session, stage, QueueFilter(), NOW, limit=100)
        ), stage
    assert (board.late, board.at_risk) == (1, 1)
    assert [(o.name, o.due, o.owner) for o in board.late_orders] == [
        ("#1008", NOW + timedelta(hours=-6), "BO")
    ]
    assert board.throughput == [1] + [0] * 9 + [1, 2]  # 11 h ago ... this hour; 12 h ago is out
    assert [(w.who, w.shipped, w.actions) for w in board.stations] == [("pack-1", 1, 2), ("pick-1", 0, 1)]
    assert [(w.who, w.shipped, w.actions) for w in board.staff] == [("BO", 1, 2), ("ALI", 0, 1)]
    assert board.exceptions == {"payment": 1, "sla_at_risk": 1, "sla_breached": 1}
    assert board.failing == ("inventory: timeout",)
