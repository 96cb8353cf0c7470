"""Carrier cut-offs: the board counts the orders due before each carrier's next collection with a
countdown; an order the floor will not pick in time at its pick rate is an exception from an hour
before the cut-off (not after), and a late one once the cut-off has passed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind, ExceptionState, PickListState
from oms_tui.cache.models import FloorException, FulfillmentOrder, Order, PickList, PickListLine
from oms_tui.cache.ship_by import MethodPromise, ShipByPolicy
from oms_tui.floor.exceptions.records import run_pass
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.floor.queues.board import board_figures
from oms_tui.screens.board_screen import cutoff_lines
from tests.team import hire

TODAY = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # a Friday
CUTOFF = TODAY.replace(hour=15)
POLICY = ShipByPolicy(
    24.0,
    methods={
        "ups ground": MethodPromise("UPS", "Ground", time(15, 0)),
        "dhl express": MethodPromise("DHL", "Express", time(17, 30)),
    },
)
SETTINGS = RuleSettings(ship_by=POLICY)


def add_order(session: Session, number: int, method: str, *, status: str = "OPEN") -> None:
    order_id = f"gid://shopify/Order/{number}"
    created = TODAY + timedelta(minutes=number)
    session.add(
        Order(
            id=order_id,
            name=f"#{number}",
            fulfillment_status="UNFULFILLED",
            shipping_address={"address1": "1 Main St", "city": "Leeds", "zip": "LS1", "countryCodeV2": "GB"},
            shipping_method=method,
            created_at=created,
            updated_at=created,
            synced_at=created,
            ship_by=POLICY.ship_by(created, method)[0],
        )
    )
    session.add(
        FulfillmentOrder(
            id=f"gid://shopify/FulfillmentOrder/{number}",
            order_id=order_id,
            status=status,
            location_id="gid://shopify/Location/1",
            created_at=created,
            updated_at=created,
            synced_at=created,
        )
    )


@pytest.fixture
def cache(any_cache: Cache) -> Cache:
    hire(any_cache, "P02")
    with any_cache.sessions() as session:
        for number in (1, 2, 3):
            add_order(session, number, "UPS Ground")
        add_order(session, 4, "DHL Express")
        add_order(session, 5, "UPS Ground", status="CLOSED")  # shipped: not due any more
        # the floor picked two orders in the hour before 14:15: a pick rate of 2 an hour
        for n, done in enumerate((TODAY.replace(hour=13, minute=30), TODAY.replace(hour=14))):
            picks = PickList(
                staff_code="P02",
                station="pick-1",
                location_id="x",
                state=PickListState.DONE,
                completed_at=done,
            )
            session.add(picks)
            session.flush()
            session.add(
                PickListLine(
                    pick_list_id=picks.id,
                    sequence=0,
                    fulfillment_order_id=f"gid://shopify/FulfillmentOrder/picked-{n}",
                    fulfillment_order_line_item_id="x",
                    needed=1,
                )
            )
        session.commit()
    return any_cache


def open_kinds(cache: Cache, kind: ExceptionKind) -> list[str]:
    with cache.sessions() as session:
        rows = session.exec(
            select(FloorException.order_id).where(
                FloorException.kind == kind, FloorException.state == ExceptionState.OPEN
            )
        )
        return sorted(ident.rsplit("/", 1)[1] for ident in rows if ident)


def test_the_board_counts_orders_due_before_each_cut_off_with_a_countdown(cache: Cache) -> None:
    now = TODAY.replace(hour=14, minute=15)
    with cache.sessions() as session:
        figures = board_figures(session, now, timedelta(hours=24), ship_by=POLICY)
    assert [(c.carrier, c.cutoff, len(c.due)) for c in figures.cutoffs] == [
        ("UPS", CUTOFF, 3),
        ("DHL", TODAY.replace(hour=17, minute=30), 1),
    ]
    assert figures.pick_rate == 2
    lines = cutoff_lines(figures.cutoffs, now).plain.splitlines()
    assert [line.split()[-4:] for line in lines] == [
        ["3", "due", "45m", "00s"],
        ["1", "due", "3h", "15m"],
    ]
    later = cutoff_lines(figures.cutoffs, now + timedelta(minutes=44, seconds=30)).plain
    assert "30s" in later.splitlines()[0]  # the countdown runs between reads


def test_an_order_that_cannot_make_the_cut_off_is_an_exception_an_hour_before(cache: Cache) -> None:
    run_pass(cache, SETTINGS, TODAY.replace(hour=13, minute=59))  # more than an hour before: none
    assert open_kinds(cache, ExceptionKind.CUTOFF_AT_RISK) == []
    run_pass(cache, SETTINGS, TODAY.replace(hour=14, minute=15))  # 45 min at 2/h: one of three is picked
    assert open_kinds(cache, ExceptionKind.CUTOFF_AT_RISK) == ["2", "3"]  # the first in queue order makes it
    with cache.sessions() as session:
        message = session.exec(
            select(FloorException.message).where(
                col(FloorException.order_id).endswith("/3"),
                FloorException.kind == ExceptionKind.CUTOFF_AT_RISK,
            )
        ).one()
    assert message == "#3: will miss UPS's 15:00 UTC cut-off at 2 orders/h (3 due by it)"
    run_pass(cache, SETTINGS, CUTOFF + timedelta(minutes=1))  # after the cut-off: late, not at risk
    assert open_kinds(cache, ExceptionKind.CUTOFF_AT_RISK) == []
    assert open_kinds(cache, ExceptionKind.SLA_BREACHED) == ["1", "2", "3"]
