"""Who works at the station: the sign-in at start, a badge scan from anywhere, idle sign-out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Label

from oms_tui.app import OmsApp
from oms_tui.cache.models import AuditEvent, Staff
from oms_tui.floor.actions.staff import seed_demo_staff
from oms_tui.runtime import Runtime
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.screens.sign_in import SignInScreen
from tests.ui.conftest import NOW
from tests.ui.floor_app import order_named, settle
from tests.ui.scanner import scan, scanner_on, type_slowly
from tests.ui.test_shell import header_text, run_command

SIZE = (120, 36)


class FakeClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def floor_team(runtime: Runtime) -> Runtime:
    """The demo's three people: PICK1 (picker), PACK1 (packer), BOSS1 (manager); a scanner."""
    with runtime.cache.sessions() as session:
        seed_demo_staff(session, "office")
        session.commit()
    return scanner_on(runtime)


def sign_ins(runtime: Runtime) -> list[tuple[str, str | None, str, dict[str, Any]]]:
    with runtime.cache.reads() as session:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).startswith("staff.sign_"))
            .order_by(col(AuditEvent.id))
        )
        return [(e.action, e.staff_code, e.station, e.details) for e in events]


def problem(app: OmsApp) -> str:
    return str(app.screen.query_one("#problem", Label).content)


async def until(pilot: Pilot[Any], done: Callable[[], bool]) -> None:
    for _ in range(300):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("it never happened")


def count_idle_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], Awaitable[None]]:
    """Waits for the app's idle check to have run `n` more times (on the test's fake clock): a test
    that nothing happened sees the checks happen, instead of sleeping a while."""
    monkeypatch.setattr(OmsApp, "IDLE_CHECK_S", 0.02)
    done, waiting = [0], []
    check = OmsApp.sign_out_if_idle

    def counted(app: OmsApp) -> None:
        check(app)
        done[0] += 1
        for target, event in waiting:
            if done[0] >= target:
                event.set()

    monkeypatch.setattr(OmsApp, "sign_out_if_idle", counted)

    async def after(n: int) -> None:
        event = asyncio.Event()
        waiting.append((done[0] + n, event))
        await asyncio.wait_for(event.wait(), timeout=30)

    return after


async def test_sign_in_at_start_by_typing_a_code(floor_team: Runtime) -> None:
    app = OmsApp(floor_team, live=False, clock=lambda: NOW, sign_in_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await scan(pilot, "#1004")  # not a badge: no order opens over the sign-in
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert problem(app) == "'#1004' is not a staff badge: scan your badge"
        await type_slowly(pilot, "nope\r")
        assert problem(app) == "unknown staff code 'NOPE'"
        assert app.desk.staff is None
        await type_slowly(pilot, "pick1\r")  # the wrong code was selected: typing replaces it
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.desk.staff is not None and app.desk.staff.code == "PICK1"
        assert "staff Pat Picker" in header_text(app)
    assert sign_ins(floor_team) == [("staff.sign_in", "PICK1", "pack-1", {"how": "typed"})]


async def test_a_badge_scan_signs_in_and_switches_staff_from_anywhere(floor_team: Runtime) -> None:
    app = OmsApp(floor_team, live=False, clock=lambda: NOW, sign_in_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "PACK1")  # on the sign-in screen, its box focused
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.desk.staff is not None and app.desk.staff.code == "PACK1"
        await scan(pilot, "1004")
        await settle(pilot)
        order = app.screen
        assert isinstance(order, OrderScreen)
        await scan(pilot, "BOSS1")  # a manager steps in at the packer's order
        await settle(pilot)
        assert app.screen is order  # the order stays open, now for the manager
        assert order.desk.staff is not None and order.desk.staff.code == "BOSS1"
        assert app.desk.staff is not None and app.desk.staff.code == "BOSS1"
        with floor_team.cache.reads() as session:
            assert order.order_id == order_named(session, "#1004").id
        await pilot.press("escape")
        assert "staff Max Manager" in header_text(app)
    assert sign_ins(floor_team) == [
        ("staff.sign_in", "PACK1", "pack-1", {"how": "badge"}),
        ("staff.sign_out", "PACK1", "pack-1", {"why": "switch"}),
        ("staff.sign_in", "BOSS1", "pack-1", {"how": "badge"}),
    ]


async def test_a_badge_of_someone_who_left_signs_nobody_in(
    floor_team: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with floor_team.cache.sessions() as session:
        session.get_one(Staff, "PICK1").active = False
        session.commit()
    app = OmsApp(floor_team, live=False, clock=lambda: NOW)
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "PICK1")
        await settle(pilot)
        assert app.desk.staff is None
    assert said == ["Pat Picker (PICK1) no longer works here"]
    assert sign_ins(floor_team) == []


async def test_idle_sign_out_after_the_configured_time(
    floor_team: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    idle_checks = count_idle_checks(monkeypatch)
    clock = FakeClock()
    assert floor_team.settings.idle_signout_minutes == 15
    app = OmsApp(floor_team, live=False, clock=clock, sign_in_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "PICK1")
        clock.now += timedelta(minutes=10)
        await type_slowly(pilot, "j")  # a key: still working
        clock.now += timedelta(minutes=10)
        await idle_checks(10)  # ten idle checks at 10 minutes idle
        assert app.desk.staff is not None
        clock.now += timedelta(minutes=5)
        await until(pilot, lambda: app.desk.staff is None)
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)  # for whoever comes next
        assert app.staff is None  # the header says nobody
    assert sign_ins(floor_team)[1:] == [("staff.sign_out", "PICK1", "pack-1", {"why": "idle"})]


async def test_no_idle_sign_out_when_set_to_never(
    floor_team: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    idle_checks = count_idle_checks(monkeypatch)
    floor_team.settings = floor_team.settings.model_copy(update={"idle_signout_minutes": 0})
    clock = FakeClock()
    app = OmsApp(floor_team, live=False, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "PICK1")
        clock.now += timedelta(days=3)
        await idle_checks(10)
        assert app.desk.staff is not None


async def test_switch_staff_and_sign_out_from_the_palette(floor_team: Runtime) -> None:
    floor_team.settings = floor_team.settings.model_copy(update={"scan_gap_ms": 0})  # Pilot types
    app = OmsApp(floor_team, live=False, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)  # nobody asked to sign in first
        await run_command(pilot, *"switch", expect="Switch staff")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"boss1", "enter")
        await settle(pilot)
        assert app.desk.staff is not None and app.desk.staff.code == "BOSS1"
        await run_command(pilot, *"sign out", expect="Sign out")
        await settle(pilot)
        assert app.desk.staff is None
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("escape")  # carry on with nobody signed in
        assert isinstance(app.screen, QueueScreen)
    assert [(action, code) for action, code, _, _ in sign_ins(floor_team)] == [
        ("staff.sign_in", "BOSS1"),
        ("staff.sign_out", "BOSS1"),
    ]


async def test_a_station_with_no_staff_registered_opens_on_its_work(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = OmsApp(runtime, live=False, clock=lambda: NOW, sign_in_first=True)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        monkeypatch.setattr(app, "notify", lambda message, **_: said.append(message))
        await run_command(pilot, *"switch", expect="Switch staff")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    assert said == ["Nobody to sign in: add staff with `oms-tui staff add`"]


def test_sign_in_snapshot(floor_team: Runtime, snap_compare: Callable[..., bool]) -> None:
    """The demo's sign-in: its people's codes listed, a code typed wrong."""
    app = OmsApp(floor_team, live=False, clock=lambda: NOW, sign_in_first=True)

    async def mistyped(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await type_slowly(pilot, "pik1\r")

    assert snap_compare(app, terminal_size=SIZE, run_before=mistyped)
