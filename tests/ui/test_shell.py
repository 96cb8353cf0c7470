"""The app shell: screens by key, the header, help, the command palette."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import select
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Footer, Label

from oms_tui.app import LiveReport, OmsApp, screen_bindings
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import Order
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.collector import YOUNG_THRESHOLD
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor, set_note
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.catalog import QUEUES
from oms_tui.screens.help_screen import HelpScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.screens.registry import ScreenEntry
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore
from oms_tui.store.api_notices import notices_in, record_notices
from oms_tui.widgets.shell_header import ShellHeader
from tests.ui.conftest import NOW, settled

SIZE = (120, 36)
LATER = NOW + timedelta(minutes=4)  # the cache was synced at NOW


class TinyScreen(Screen[None]):
    """A screen as small as a screen gets, registered like the real ones."""

    BINDINGS = [Binding("x", "explode", "Explode", id="tiny.explode")]

    def __init__(self, clock: Callable[[], Any]) -> None:
        super().__init__()
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        yield Label("tiny")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Tiny"

    def action_explode(self) -> None:
        pass


TINY = ScreenEntry("f9", "tiny", "Tiny", lambda context: TinyScreen(context.clock))


class AppWithTiny(OmsApp):
    """The app with one more screen, registered as the real ones are (`screens/catalog.py`)."""

    SCREEN_ENTRIES = (QUEUES, TINY)
    BINDINGS = screen_bindings([TINY])  # added to the app's own


def header_text(app: OmsApp) -> str:
    header = app.screen.query_one(ShellHeader)
    return " | ".join(str(label.content) for label in header.query(Label) if label.display)


@pytest.fixture
def shell_app(runtime: Runtime) -> OmsApp:
    """Four minutes after the sync, one note waiting to be sent, the store flagging a deprecation."""
    with runtime.cache.sessions() as session:
        set_note(session, Actor("pack-1"), "gid://shopify/Order/5801000057", "Call before delivery")
        session.commit()
    record_notices(
        runtime.cache,
        notices_in({"X-Shopify-API-Deprecated-Reason": "Order.legacyResourceId"}, {}, "2026-04"),
    )
    return AppWithTiny(runtime, live=False, clock=lambda: LATER)


async def test_screens_switch_by_key_and_keep_their_place(shell_app: OmsApp) -> None:
    async with shell_app.run_test(size=SIZE) as pilot:
        queue = shell_app.screen
        assert isinstance(queue, QueueScreen)  # the app opens on the queues
        keys = {key: active.binding.description for key, active in queue.active_bindings.items()}
        assert (keys["f2"], keys["f9"]) == ("Queues", "Tiny")  # in the Footer, from the registry
        await shell_app.workers.wait_for_complete()  # the queue's first rows are read
        await pilot.press("j", "j", "f9")
        assert isinstance(shell_app.screen, TinyScreen)
        assert "Tiny" in header_text(shell_app)
        await pilot.press("f2")
        assert shell_app.screen is queue
        assert queue.table.cursor == 2


async def test_question_mark_lists_the_keys_of_the_screen_beneath(shell_app: OmsApp) -> None:
    async with shell_app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(shell_app.screen, HelpScreen)
        on_queue = shell_app.screen.sections
        await pilot.press("escape")
        await pilot.press("f9", "question_mark")
        on_tiny = shell_app.screen.sections
        await pilot.press("q")  # closes the help, does not quit
        assert isinstance(shell_app.screen, TinyScreen)
    rows = {title: {(" / ".join(r.keys), r.what) for r in s.rows} for s in on_queue for title in [s.title]}
    assert ("/", "Search: find any order") in rows["Everywhere"]  # the same search on every screen
    assert any(keys == "t" and what.startswith("Filter by text") for keys, what in rows["Queues"])
    assert ("1", "Ready to pick") in rows["Queues"]  # keys hidden from the Footer are listed too
    assert ("r", "Refresh") in rows["Queues"]
    assert ("^q", "Quit: even while typing") in rows["Everywhere"]
    assert ("^p", "Commands: go to order, sync now, screens, theme") in rows["Everywhere"]
    assert {("f2", "Queues"), ("f9", "Tiny"), ("? / f1", "Help: this list of keys")} <= rows["Everywhere"]
    assert [section.title for section in on_queue] == ["Queues", "Everywhere", "VirtualTable (focused)"]
    assert any(what == "Down" for _, what in rows["VirtualTable (focused)"])
    tiny_rows = {(" / ".join(r.keys), r.what) for s in on_tiny for r in s.rows}
    assert ("x", "Explode") in tiny_rows
    assert ("r", "Refresh") not in tiny_rows


async def test_the_header_shows_station_staff_sync_age_outbox_and_api_notice(shell_app: OmsApp) -> None:
    async with shell_app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        said = header_text(shell_app)
        assert "station pack-1 · staff —" in said  # nobody signed in yet
        assert "synced 4m ago" in said
        assert "1 to send" in said
        assert "⚠ API notice: deprecated in API version 2026-04: Order.legacyResourceId" in said
        assert "Thu 26 Nov 09:34:00" in said
        shell_app.staff = "Ana Ruiz"
        offline = LiveUpdate("working offline: timed out", error=True, reachable=False)
        shell_app.post_message(LiveReport(offline))
        await settled(pilot)
        said = header_text(shell_app)
        assert "staff Ana Ruiz" in said
        assert "● store unreachable · last synced 4m ago · 1 to send · working offline: timed out" in said


async def test_the_collector_is_on_again_once_the_first_frame_is_shown(app: OmsApp) -> None:
    gc.disable()  # as `oms-tui` starts (oms_tui/entry.py)
    threshold = gc.get_threshold()
    gc.set_threshold(700, *threshold[1:])
    gc.unfreeze()  # what earlier tests in this process froze
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settled(pilot)
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # what start-up made is out of the full passes' way
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # see oms_tui/collector.py
    finally:
        gc.enable()
        gc.set_threshold(*threshold)


def test_queue_with_header_snapshot(shell_app: OmsApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(shell_app, terminal_size=SIZE, run_before=settled)


def test_help_snapshot(shell_app: OmsApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_help(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(shell_app, terminal_size=SIZE, run_before=open_help)


def live_runtime(tmp_path: Path) -> Runtime:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1")
    store_app = create_app(SimStore(orders=20, seed=3), restore_rate=1_000_000, bucket=1_000_000)
    transport = httpx.ASGITransport(app=store_app)
    cache = open_cache(settings.database_url)
    return Runtime(settings, cache, "https://sim.test", SecretStr(DEFAULT_TOKEN), transport=transport)


async def run_command(pilot: Pilot[Any], *typed: str, expect: str) -> None:
    """Type into the command palette and run the command it highlights, once it is `expect`."""
    await pilot.press("ctrl+p", *typed)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    commands = palette.query_one(CommandList)

    def highlighted() -> str:
        index = commands.highlighted
        return "" if index is None else str(commands.get_option_at_index(index).prompt)

    for _ in range(500):  # the palette searches in the background
        if highlighted().startswith(expect):
            break
        await pilot.pause(0.01)
    assert highlighted().startswith(expect), f"the palette offers {highlighted()!r}"
    await pilot.press("enter")


async def test_sync_now_from_the_palette_wakes_the_live_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    runtime = live_runtime(tmp_path)
    waiting = [threading.Event(), threading.Event()]  # set when the loop waits after pass 1, pass 2

    async def wait_forever(_seconds: float) -> None:  # a next pass only if something wakes the loop
        next(event for event in waiting if not event.is_set()).set()
        await asyncio.Event().wait()

    runtime.sleep = wait_forever
    app = OmsApp(runtime, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        assert await asyncio.to_thread(waiting[0].wait, 10), "the first pass never ended"
        await run_command(pilot, *"sync", expect="Sync now")
        assert await asyncio.to_thread(waiting[1].wait, 10), "sync now did not start another pass"


async def test_a_change_heard_as_the_app_quits_is_dropped(shell_app: OmsApp) -> None:
    async with shell_app.run_test(size=SIZE):
        pass
    assert shell_app.screen_stack == []  # quit: its screens are closed, and messages may still come
    with shell_app._context():  # as the app's own loop handles a late OthersChanged
        shell_app.tell_screens(LiveUpdate("the floor changed", changed=True))


async def test_go_to_order_from_the_palette(shell_app: OmsApp, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    opened: list[str] = []
    monkeypatch.setattr(shell_app, "notify", lambda message, **_: said.append(message))
    monkeypatch.setattr(shell_app, "open_order", opened.append)
    async with shell_app.run_test(size=SIZE) as pilot:
        await run_command(pilot, *"1058", expect="Go to order 1058")
        await settled(pilot)
        await run_command(pilot, *"9999", expect="Go to order 9999")
        await settled(pilot)
        await run_command(pilot, *"go", "space", *"to", expect="Go to order…")
        await pilot.press(*"#1017", "enter")
        await settled(pilot)
    with shell_app.runtime.cache.reads() as session:
        names = [session.get_one(Order, ident).name for ident in opened]
    assert names == ["#1058", "#1017"]  # each opens in the order screen
    assert said == ["no order 9999 in the cache (sync first if it is new)"]


async def test_reconcile_now_from_the_palette_reconciles_after_the_next_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    runtime = live_runtime(tmp_path)
    waiting = [threading.Event(), threading.Event()]  # set when the loop waits after pass 1, pass 2

    async def wait_forever(_seconds: float) -> None:
        next(event for event in waiting if not event.is_set()).set()
        await asyncio.Event().wait()

    runtime.sleep = wait_forever
    app = OmsApp(runtime, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        assert await asyncio.to_thread(waiting[0].wait, 10), "the first pass never ended"
        await run_command(pilot, *"reconcile", expect="Reconcile now")
        assert await asyncio.to_thread(waiting[1].wait, 30), "reconcile now did not start another pass"
    with runtime.cache.reads() as session:
        assert [run.trigger for run in session.exec(select(ReconcileRun))] == ["palette"]
