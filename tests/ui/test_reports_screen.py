"""The Reports screen: a manager opens it from the palette and reads the week by person, then by day,
then today by hour, and the week's label spend by day and by service; a picker may not; the board app
shows it too. Snapshots of the week, and of its label spend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from oms_tui.board_app import BoardApp
from oms_tui.cache.models import (
    ReportDay,
    ReportException,
    ReportHour,
    ReportLabelSpend,
    ReportShipment,
    Role,
)
from oms_tui.runtime import Runtime
from oms_tui.screens.reports_screen import ReportsScreen
from tests.ui.conftest import NOW, settle
from tests.ui.floor_app import signed_in

TODAY = NOW.date()
PICKS = {"staff_code": "P02", "station": "pick-1", "orders_picked": 12, "units_picked": 30}
PACKS = {"staff_code": "P01", "station": "pack-1", "orders_packed": 10, "units_packed": 25}
UPS, USPS = {"carrier": "UPS", "service": "Ground"}, {"carrier": "USPS", "service": "Priority"}
NO_REFUND = {"voided": 0, "refunded": 0, "refunded_cents": 0, "pending": 0, "pending_cents": 0}


@pytest.fixture(autouse=True)
def history(runtime: Runtime) -> None:
    """A week of numbers as the floor's rollup leaves them (the counting is tested in tests/floor)."""
    hours, days = [], []
    for back in range(7):
        day = TODAY - timedelta(days=back)
        days += [
            {"day": day, **PICKS, "pick_mis_scans": 1, "short_picks": back % 2, "pick_seconds": 1800.0},
            {"day": day, **PACKS, "pack_mis_scans": 0, "pack_seconds": 1500.0},
        ]
    for hour in (8, 9):
        at = NOW.replace(hour=hour, minute=0)
        hours += [
            {"hour": at, **PICKS, "orders_picked": hour - 2, "pick_mis_scans": 0, "pick_seconds": 600.0},
            {"hour": at, **PACKS, "orders_packed": hour - 4, "pack_mis_scans": 1, "pack_seconds": 300.0},
        ]
    with runtime.cache.sessions() as session:
        session.execute(insert(ReportDay), days)
        session.execute(insert(ReportHour), hours)
        session.execute(
            insert(ReportShipment),
            [
                {"day": TODAY - timedelta(days=back), "lead_hours": 4 * back - 20, "shipments": 10}
                for back in range(7)
            ],
        )
        session.execute(
            insert(ReportException), [{"day": TODAY, "kind": "short pick", "opened": 3, "closed": 2}]
        )
        yesterday = TODAY - timedelta(days=1)
        session.execute(
            insert(ReportLabelSpend),
            [  # yesterday one of two UPS labels voided and refunded; today one USPS label waits for it
                {"day": yesterday, **UPS, "currency": "USD", "bought": 2, "bought_cents": 1840, **NO_REFUND}
                | {"voided": 1, "refunded": 1, "refunded_cents": 920},
                {"day": TODAY, **UPS, "currency": "USD", "bought": 1, "bought_cents": 920, **NO_REFUND},
                {"day": TODAY, **USPS, "currency": "USD", "bought": 4, "bought_cents": 4340, **NO_REFUND}
                | {"voided": 1, "pending": 1, "pending_cents": 1085},
            ],
        )
        session.commit()


def rows(screen: ReportsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def open_reports(pilot: Pilot[Any]) -> ReportsScreen:
    await pilot.press("ctrl+p", *"Reports", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportsScreen)
    return pilot.app.screen


async def test_a_manager_reads_the_week_by_person_by_day_and_today_by_hour(runtime: Runtime) -> None:
    app = signed_in(runtime, "M01", "Max Manager", Role.MANAGER)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reports(pilot)
        assert (
            str(screen.query_one("#range", Static).render()) == "Week: 2026-11-20 to 2026-11-26 (UTC), by day"
        )
        assert rows(screen) == [  # 7 days: 70 orders packed, 84 picked; 3 of 210 units short
            ["P01", "0", "0", "-", "70", "175", "2:30", "0.0", "-"],
            ["P02", "84", "210", "2:30", "0", "0", "-", "3.3", "1.4"],
        ]
        assert screen.query_one("#orders", PlotextPlot).plt  # drawn below; the numbers are the table's

        await pilot.press("p")  # periods
        assert [row[:2] for row in rows(screen)][-2:] == [["2026-11-25", "12"], ["2026-11-26", "12"]]

        await pilot.press("s")  # label spend by day: bought, voided, refunded, pending, net, per parcel
        assert screen.query_one(DataTable).border_title == "Label spend by day"
        assert rows(screen) == [
            ["2026-11-25", "2", "18.40", "1", "9.20", "0.00", "9.20", "9.20", "USD"],
            ["2026-11-26", "5", "52.60", "1", "0.00", "10.85", "52.60", "13.15", "USD"],
            ["total", "7", "71.00", "2", "9.20", "10.85", "61.80", "12.36", "USD"],
        ]
        await pilot.press("s")
        assert screen.query_one(DataTable).border_title == "Label spend by carrier and service"
        assert rows(screen) == [
            ["UPS Ground", "3", "27.60", "1", "9.20", "0.00", "18.40", "9.20", "USD"],
            ["USPS Priority", "4", "43.40", "1", "0.00", "10.85", "43.40", "14.47", "USD"],
            ["total", "7", "71.00", "2", "9.20", "10.85", "61.80", "12.36", "USD"],
        ]
        await pilot.press("s")  # back to the work
        assert [row[:2] for row in rows(screen)][-1] == ["2026-11-26", "12"]

        await pilot.press("d")
        await settle(pilot)
        assert (
            str(screen.query_one("#range", Static).render()) == "Day: 2026-11-26 to 2026-11-26 (UTC), by hour"
        )
        assert [row[:5] for row in rows(screen)] == [
            ["2026-11-26 08:00", "6", "30", "1:40", "4"],
            ["2026-11-26 09:00", "7", "30", "1:26", "5"],
        ]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert rows(screen) == []  # no hours recorded the day before

        await pilot.press("escape")
        assert not isinstance(app.screen, ReportsScreen)


async def test_a_picker_may_not_open_reports(runtime: Runtime) -> None:
    app = signed_in(runtime, "P02", "Bo Picker", Role.PICKER)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_reports()
        await pilot.pause()
        assert not isinstance(app.screen, ReportsScreen)
        assert [n.message for n in app._notifications] == ["Reports are for managers and support"]


async def test_the_board_app_shows_the_floors_numbers_with_r_and_nobodys_own(runtime: Runtime) -> None:
    app = BoardApp(runtime, live=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert [row[:2] for row in rows(app.screen)][:2] == [["2026-11-20", "12"], ["2026-11-21", "12"]]
        await pilot.press("p")  # no people here
        assert rows(app.screen)[0][0] == "2026-11-20"
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportsScreen)


def test_reports_snapshot(runtime: Runtime, snap_compare: Any) -> None:
    app = signed_in(runtime, "M01", "Max Manager", Role.MANAGER)
    assert snap_compare(app, terminal_size=(120, 40), run_before=open_reports)


def test_label_spend_snapshot(runtime: Runtime, snap_compare: Any) -> None:
    async def label_spend(pilot: Pilot[Any]) -> None:
        await open_reports(pilot)
        await pilot.press("s")

    app = signed_in(runtime, "M01", "Max Manager", Role.MANAGER)
    assert snap_compare(app, terminal_size=(120, 40), run_before=label_spend)
