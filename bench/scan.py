"""Scan benchmark: a scanner's burst to the updated pick line on screen, headless (`App.run_test()`).

A picker's open list of 50 lines (SKUs), with room for every scan below, in a cache of 100,000
orders (built once by `tests/bulk_cache.py` into `--cache-dir`, as `bench/ui.py` does). A burst is
the characters of a barcode and Enter, posted to the app as key events with no gap, the way a
scanner types. Figures:

`scan_p50_ms`, `scan_p95_ms`
    The burst's Enter to the pick line updated on screen (the count written, the table redrawn),
    over `--scans` scans, one after the other.
`bare_p50_ms`, `bare_p95_ms`
    The same bursts in a bare Textual app that echoes each code in a label.
`scan_ratio`
    scan_p95_ms / bare_p95_ms (goal <= 2).
`bare_redraw_p50_ms`, `bare_redraw_p95_ms`, `scan_ratio_vs_redraw`
    The same against an echo that only redraws its label (no layout pass): the cheapest baseline.
`dropped_chars`
    Characters of 1,000 back-to-back bursts (all posted at once) that did not reach a counted scan
    (goal 0): every burst must be counted, in order, none lost or merged.

The bursts go through the app's own scanner layer (`oms_tui/scan_input.py`, the stations' default
key gap); the bare app gathers them into codes with `Bursts` below (no timing: Enter ends a code).

The last line printed is one JSON object with every figure.

Usage: PYTHONPATH=. .venv/bin/python bench/scan.py [--scans N] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr
from sqlmodel import col, select
from textual import events, on
from textual.app import App, ComposeResult
from textual.keys import _character_to_key
from textual.widgets import Label

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import BinLocation, FulfillmentOrder, PickListLine, Staff
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.picking.pick_lists import plan_pick, start_pick_list
from oms_tui.floor.picking.pick_sheet import PickSheet, read_sheet
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues.stages import Stage, stage_condition
from oms_tui.runtime import Runtime
from oms_tui.screens.pick_screen import PickScreen
from oms_tui.screens.registry import ScreenContext, ScreenEntry
from tests.bulk_cache import SKUS, prebuilt

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
SIZE = (120, 36)
LINES = 50
BURSTS = 1_000
GOALS = {"scan_ratio": 2.0, "dropped_chars": 0}
ACTOR = Actor("bench", "P01")


# --- the batch -------------------------------------------------------------------------------------


def prepare(url: str, scans: int) -> list[str]:
    """A fresh open pick list of 50 lines for P01, every SKU shelved; the codes to scan, round the
    lines, as many as `scans` + the back-to-back bursts (each line has room for its share)."""
    cache = open_cache(url)
    with cache.sessions() as session:
        staff = session.get(Staff, ACTOR.staff_code)
        assert staff is not None
        location = "gid://shopify/Location/1"
        for n, sku in enumerate(SKUS):
            shelf = f"{'ABC'[n % 3]}-{n // 3 + 1}-{n % 4 + 1}"
            session.merge(BinLocation(location_id=location, sku=sku, code=shelf))
        ready = session.exec(
            select(FulfillmentOrder.id)
            .where(stage_condition(Stage.READY_TO_PICK, NOW), col(FulfillmentOrder.location_id) == location)
            .order_by(col(FulfillmentOrder.created_at).desc())
            .limit(2_000)
        ).all()
        chosen: list[str] = []
        for fo_id in ready:  # orders until the plan has 50 lines
            lines = len(plan_pick(session, [*chosen, fo_id], walk=WalkRule()))
            if lines <= LINES:
                chosen.append(fo_id)
            if lines == LINES:
                break
        pick_list = start_pick_list(session, chosen, ACTOR, walk=WalkRule())
        assert pick_list.id is not None
        sheet = read_sheet(session, pick_list.id)
        assert len(sheet.lines) == LINES, f"only {len(sheet.lines)} lines"
        room = (scans + BURSTS) // LINES + 1
        for line in sheet.lines:  # the first tote of each line takes the extra units
            first = session.exec(
                select(PickListLine).where(
                    PickListLine.pick_list_id == pick_list.id,
                    PickListLine.fulfillment_order_line_item_id
                    == line.totes[0].fulfillment_order_line_item_id,
                )
            ).one()
            first.needed += room
            session.add(first)
        session.commit()
        sheet = read_sheet(session, pick_list.id)
    cache.close()
    return [_code(sheet, n) for n in range(scans + BURSTS)]


def _code(sheet: PickSheet, n: int) -> str:
    line = sheet.lines[n % len(sheet.lines)]
    return line.barcode or line.sku or ""


# --- the apps --------------------------------------------------------------------------------------


class Bursts:
    """The bare app's scanner: key events gathered into codes until Enter."""

    def __init__(self) -> None:
        self.typed: list[str] = []

    def take(self, event: events.Event) -> str | None:
        """The finished code on Enter; None for a character (taken) or an event that is no key."""
        assert isinstance(event, events.Key)
        if event.key == "enter":
            code, self.typed = "".join(self.typed), []
            return code
        self.typed.append(event.character or "")
        return None


class TimedPickScreen(PickScreen):
    """The pick screen, noting when each counted scan has been drawn."""

    @on(PickScreen.Counted)
    def stamp(self, message: PickScreen.Counted) -> None:
        confirmed = self.app.confirmed  # type: ignore[attr-defined]
        self.call_after_refresh(confirmed.add, message.result.code)  # after the pick screen's own handler


class Confirmations:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.at: list[float] = []
        self.arrived = asyncio.Event()

    def add(self, code: str) -> None:
        self.codes.append(code)
        self.at.append(time.perf_counter())
        self.arrived.set()


def timed_pick_screen(context: ScreenContext) -> TimedPickScreen:
    return TimedPickScreen(context.cache, context.settings, context.floor.walk, context.clock)


class ScanningApp(OmsApp):
    SCREEN_ENTRIES: ClassVar[tuple[ScreenEntry, ...]] = (
        ScreenEntry("f5", "pick", "Pick", timed_pick_screen),
    )

    def __init__(self, runtime: Runtime, staff: Staff) -> None:
        super().__init__(runtime, live=False, clock=lambda: NOW, staff=staff)
        self.confirmed = Confirmations()


class EchoApp(App[None]):
    """The baseline: each code shown in a label once its burst ends (as bench/ui.py's echo app, the
    label is laid out again; `reflow=False` only redraws it, the cheapest echo there is)."""

    def __init__(self, reflow: bool = True) -> None:
        super().__init__()
        self.bursts, self.confirmed, self.reflow = Bursts(), Confirmations(), reflow

    def compose(self) -> ComposeResult:
        yield Label("scan", id="echo")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            code = self.bursts.take(event)
            if code is not None:
                self.query_one("#echo", Label).update(code, layout=self.reflow)
                self.call_after_refresh(self.confirmed.add, code)
            return
        await super().on_event(event)


def key(character: str, at: float) -> events.Key:
    """A key as the terminal sends it, stamped `at`: a scanner's keys come with no gap between them
    (stamped, not timed: a pause of this process while posting must not split a burst)."""
    event = (
        events.Key("enter", "\r")
        if character == "\r"
        else events.Key(_character_to_key(character), character)
    )
    event.time = at
    return event


def post_burst(app: App[Any], code: str) -> float:
    at = time.monotonic()
    for character in code:
        app.post_message(key(character, at))
    started = time.perf_counter()  # the Enter is the burst's last key: the scan is asked for now
    app.post_message(key("\r", at))
    return started


async def one_by_one(app: ScanningApp | EchoApp, codes: list[str]) -> list[float]:
    """Seconds from each burst's Enter to its result on screen."""
    times = []
    for code in codes:
        seen = len(app.confirmed.codes)
        app.confirmed.arrived.clear()
        started = post_burst(app, code)
        while len(app.confirmed.codes) == seen:
            await asyncio.wait_for(app.confirmed.arrived.wait(), timeout=30)
            app.confirmed.arrived.clear()
        assert app.confirmed.codes[-1] == code, (app.confirmed.codes[-1], code)
        times.append(app.confirmed.at[-1] - started)
    return times


async def back_to_back(app: ScanningApp, codes: list[str]) -> int:
    """Characters of `codes`, all posted at once, that did not arrive as counted scans (in order)."""
    seen = len(app.confirmed.codes)
    at = time.monotonic()
    for code in codes:
        for character in f"{code}\r":
            app.post_message(key(character, at))
    deadline = time.perf_counter() + 300
    while len(app.confirmed.codes) < seen + len(codes) and time.perf_counter() < deadline:
        app.confirmed.arrived.clear()
        try:
            await asyncio.wait_for(app.confirmed.arrived.wait(), timeout=10)
        except TimeoutError:
            break
    arrived = app.confirmed.codes[seen:]
    lost = next((n for n, (a, b) in enumerate(zip(arrived, codes, strict=False)) if a != b), len(arrived))
    if lost < len(codes):
        print(f"burst {lost} of {len(codes)} ({codes[lost]!r}) did not arrive in its place")
    matched = sum(len(a) for a, b in zip(arrived, codes, strict=False) if a == b)
    return sum(len(code) for code in codes) - matched


async def run_pick(url: str, codes: list[str], scans: int) -> tuple[list[float], int, PickSheet]:
    runtime = Runtime(
        Settings(database_url=url, station=ACTOR.station), open_cache(url), "https://sim.test", SecretStr("x")
    )
    with runtime.cache.sessions() as session:
        staff = session.get(Staff, ACTOR.staff_code)
        assert staff is not None
    app = ScanningApp(runtime, staff)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickScreen) and screen.sheet is not None, "no open pick list on screen"
        times = await one_by_one(app, codes[:scans])
        dropped = await back_to_back(app, codes[scans:])
        await pilot.app.workers.wait_for_complete()
        with runtime.cache.reads() as session:
            sheet = read_sheet(session, screen.sheet.pick_list_id)
    runtime.close()
    return times, dropped, sheet


async def run_echo(codes: list[str], reflow: bool = True) -> list[float]:
    app = EchoApp(reflow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return await one_by_one(app, codes)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scans", type=int, default=500, help="scans timed one by one")
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the cache")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "oms-tui-bench")
    args = parser.parse_args()

    print(f"a cache of {args.orders:,} orders ...", flush=True)
    work = Path(tempfile.mkdtemp(prefix="oms-scan-bench-")) / "cache.sqlite3"
    shutil.copy(prebuilt(args.cache_dir, args.orders, now=NOW), work)  # the built cache stays as built
    url = f"sqlite:///{work}"
    codes = prepare(url, args.scans)
    print(f"a pick list of {LINES} lines; {args.scans} scans one by one, then {BURSTS} back to back")
    times, dropped, sheet = asyncio.run(run_pick(url, codes, args.scans))
    bare = asyncio.run(run_echo(codes[: args.scans]))
    redraw = asyncio.run(run_echo(codes[: args.scans], reflow=False))
    picked, needed = sheet.units
    figures: dict[str, Any] = {
        "orders": args.orders,
        "lines": LINES,
        "scans": args.scans,
        "scan_p50_ms": percentile(times, 0.5) * 1000,
        "scan_p95_ms": percentile(times, 0.95) * 1000,
        "bare_p50_ms": percentile(bare, 0.5) * 1000,
        "bare_p95_ms": percentile(bare, 0.95) * 1000,
        "scan_ratio": percentile(times, 0.95) / percentile(bare, 0.95),
        "bare_redraw_p50_ms": percentile(redraw, 0.5) * 1000,
        "bare_redraw_p95_ms": percentile(redraw, 0.95) * 1000,
        "scan_ratio_vs_redraw": percentile(times, 0.95) / percentile(redraw, 0.95),
        "bursts": BURSTS,
        "dropped_chars": dropped,
        "units_counted": picked,
        "scan_mean_ms": statistics.mean(times) * 1000,
    }
    print(f"scan to screen, ms: p50 {figures['scan_p50_ms']:.1f}, p95 {figures['scan_p95_ms']:.1f}")
    print(f"bare echo app, ms:  p50 {figures['bare_p50_ms']:.1f}, p95 {figures['bare_p95_ms']:.1f}")
    print(
        f"echo, redraw only, ms: p50 {figures['bare_redraw_p50_ms']:.1f},"
        f" p95 {figures['bare_redraw_p95_ms']:.1f}"
    )
    print(
        f"scan_ratio {figures['scan_ratio']:.2f} (goal <= {GOALS['scan_ratio']});"
        f" against the redraw-only echo {figures['scan_ratio_vs_redraw']:.2f}"
    )
    print(f"{BURSTS} back-to-back bursts: {dropped} characters dropped; {picked}/{needed} units counted")
    figures["goals_met"] = figures["scan_ratio"] <= GOALS["scan_ratio"] and dropped <= GOALS["dropped_chars"]
    shutil.rmtree(work.parent)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
