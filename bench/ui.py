"""UI benchmark: the queue screen at 10,000, 100,000 and 1,000,000 orders, headless (`App.run_test()`).

Caches are built once by `tests/bulk_cache.py` (the cache's own upserts) into `--cache-dir` and
reused while that builder and the migrations are unchanged. Figures:

`startup_ratio`
    Process start to the first queue frame with rows, 100,000 orders, against a process that loads
    the same queue's rows (ready to pick) into Textual's built-in DataTable. Median of `--runs`
    runs each, in child processes. A frame is the screen the app renders (headless: computed, not
    written); the first one with the rows counts, whatever the app goes on doing (counting).
    The app starts as `oms-tui` starts it: collector off until its first frame, bytecode compiled.
`key_ratio`
    Key to updated screen, p95, over cursor moves (j, k), page down, end, home and typing a tag
    filter (letters, then Enter: the rows filtered), 100,000 orders, against a bare Textual app that
    only echoes the key. The key is sent as Pilot sends it; "updated" = the first frame the app
    renders (at its own pace, up to 60 a second, as in a terminal) after it received the key, with,
    for keys that read rows, the rows they need read.
    Not Pilot's `press`, which also waits until the whole process is idle (a count or another
    worker still running) with a 20 ms sleep granularity. The station has no
    barcode scanner (`scan_gap_ms` 0): with one, printable keys (j, k, letters) are held up to the
    scan gap (40 ms by default) to tell typing from a scan, by design, on top of these figures.
`rss_ratio`
    Peak RSS of a process showing the queue of 100,000 orders (after moving to the end and back)
    against a process running the bare app.
    `startup_ratio` and `rss_ratio` are kept for the record: their goals asked for less than the
    libraries the app is built on take to import, and are retired for the two below.
`startup_floor_ratio`
    First frame with rows at `--big` orders against a process on the same stack: it imports the
    same libraries, defines the cache's models, opens the same cache and shows an empty screen
    (median of `--runs` each, the collector off until the first frame in both).
`rss_growth`
    Peak RSS showing the queue at `--big` orders (moved to the end and back) over the same at
    10,000: memory does not grow with the data.
`scale_ratio`
    The worst ratio, 1,000,000 orders against 10,000, of: first frame (median), end, filter and
    search (p95 each).
`search_p95_ms`
    Enter in the queue's text filter (`t`) to the results on screen (the next frame after them, as for
    keys), p95 over order number, partial lower-case customer name and email, SKU and tracking number, at
    1,000,000 orders (beside 10,000).

Before its keys are timed, each cache file is read through once (see `read_through`).

The last line printed is one JSON object with every figure.

Usage: PYTHONPATH=. .venv/bin/python bench/ui.py [--quick] [--cache-dir DIR] [--runs N] [--big N]
"""

from __future__ import annotations

import gc
import sys

if sys.argv[1:2] == ["--child"] and sys.argv[2] in ("virtual", "stack"):
    gc.disable()  # the app's start as `oms-tui` makes it (oms_tui/entry.py): before any import

import argparse
import asyncio
import compileall
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Label

# The app's modules are imported where they are used: a child process timing its first frame
# imports what it runs and nothing of the others (the baseline's DataTable, the cache builder).
if TYPE_CHECKING:
    from oms_tui.app import OmsApp
    from oms_tui.screens.queue_screen import QueueScreen

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
SIZE = (120, 36)
GOALS = {"startup_floor_ratio": 1.3, "rss_growth": 1.2, "key_ratio": 2.0, "scale_ratio": 1.5}


# --- caches ----------------------------------------------------------------------------------------


def cache_url(cache_dir: Path, orders: int) -> str:
    """A cache of `orders` seeded orders, built once (it takes minutes at a million)."""
    from tests.bulk_cache import prebuilt

    print(f"a cache of {orders:,} orders ...", flush=True)
    started = time.perf_counter()
    path = prebuilt(cache_dir, orders, now=NOW)
    print(f"  {path} ({time.perf_counter() - started:.0f} s)", flush=True)
    return f"sqlite:///{path}"


def app_for(url: str) -> OmsApp:
    from pydantic import SecretStr

    from oms_tui.app import OmsApp
    from oms_tui.cache.database import open_cache
    from oms_tui.config import Settings
    from oms_tui.runtime import Runtime

    settings = Settings(database_url=url, station="bench", scan_gap_ms=0)
    runtime = Runtime(settings, open_cache(url), "https://sim.test", SecretStr("x"))
    return OmsApp(runtime, live=False, clock=lambda: NOW)


class Frames:
    """The frames `app` renders: how many, and when the first one for which `shows()` held was."""

    def __init__(self, app: App[Any], shows: Callable[[], bool] = lambda: False) -> None:
        self.count, self.shows, self.first_showing = 0, shows, 0.0
        self.received: events.Key | None = None  # the last key the app received (see `timing`)
        display = app._display  # every frame goes through it (headless: and is not written)

        def counted(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.count += 1
                if not self.first_showing and self.shows():
                    self.first_showing = time.time()

        app._display = counted  # type: ignore[method-assign]


# --- child processes: first frame and memory -------------------------------------------------------


async def until(pilot: Pilot[Any], done: Callable[[], bool]) -> None:
    """Wait for `done()`; frames come at the app's own pace (`pilot.pause` would force one)."""
    while not done():
        await asyncio.sleep(0.001)


def visible_rows_read(app: OmsApp) -> bool:
    from oms_tui.screens.queue_screen import QueueScreen

    screen = app.screen
    if not isinstance(screen, QueueScreen):
        return False
    table = screen.table
    top = round(table.scroll_offset.y)
    return all(table.row_at(n) is not None for n in range(top, min(table.total, top + table.body_height)))


def has_rows(app: OmsApp) -> bool:
    from oms_tui.screens.queue_screen import QueueScreen

    screen = app.screen
    return isinstance(screen, QueueScreen) and screen.table.row_at(0) is not None


async def child_virtual(url: str) -> dict[str, float]:
    app = app_for(url)
    frames = Frames(app, lambda: has_rows(app))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(frames.first_showing))
        first_frame = frames.first_showing
        for keys in ("end", "pageup", "home"):
            await pilot.press(keys)
            await until(pilot, lambda: visible_rows_read(app))
    return {"first_frame": first_frame, "rss_kb": peak_rss_kb()}


def peak_rss_kb() -> int:
    """This process's peak RSS. Linux keeps `ru_maxrss` across exec (a child started by the bench
    reports the bench's own peak), so the kernel's high-water mark of this process is read instead."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def table_app(url: str) -> App[None]:
    from textual.widgets import DataTable

    from oms_tui.cache.database import open_cache
    from oms_tui.floor.queues.queue_filters import QueueFilter
    from oms_tui.floor.queues.queues import count, window
    from oms_tui.floor.queues.stages import Stage

    class TableApp(App[None]):
        """The baseline: the same queue's rows, all of them, in Textual's DataTable."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            cache = open_cache(self.url)
            with cache.reads() as session:
                total = count(session, Stage.READY_TO_PICK, QueueFilter(), NOW)
                rows = window(session, Stage.READY_TO_PICK, QueueFilter(), NOW, limit=total)
            table = self.query_one(DataTable)
            table.add_columns("Order", "Status", "Customer", "Items", "Location", "Tags", "Who")
            table.add_rows(
                (r.order_name, r.status, r.customer, r.items, r.location, ", ".join(r.tags), r.holder or "")
                for r in rows
            )

    return TableApp(url)


async def child_datatable(url: str) -> dict[str, float]:
    from textual.widgets import DataTable

    app = table_app(url)
    frames = Frames(app, lambda: app.query_one(DataTable).row_count > 0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(frames.first_showing))
        return {"first_frame": frames.first_showing}


class StackApp(App[None]):
    """The start-up baseline: the app's libraries and its cache, opened; an empty screen."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        yield Label("")

    def on_mount(self) -> None:
        import graphql  # noqa: F401  # the store client's libraries, as the app imports them
        import httpx  # noqa: F401
        import pydantic_settings  # noqa: F401  # the settings' library

        import oms_tui.cache.models  # noqa: F401  # every model of the cache defined
        from oms_tui.cache.database import open_cache

        self.cache = open_cache(self.url)


async def child_stack(url: str) -> dict[str, float]:
    app = StackApp(url)
    frames = Frames(app, lambda: hasattr(app, "cache"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(frames.first_showing))
    return {"first_frame": frames.first_showing}


class EchoApp(App[None]):
    """The bare app: it shows the last key pressed."""

    def compose(self) -> ComposeResult:
        yield Label("press a key", id="echo")

    def on_key(self, event: Any) -> None:
        self.query_one("#echo", Label).update(event.key)


async def child_bare() -> dict[str, float]:
    app = EchoApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "b", "c")
    return {"rss_kb": peak_rss_kb()}


def in_child(mode: str, url: str = "") -> dict[str, float]:
    """Run a child process (`--child mode`); its figures, and the moment it was started."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMS_CONFIG_FILE": os.devnull}
    started = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if "first_frame" in figures:
        figures["seconds"] = figures["first_frame"] - started
    return figures


# --- in process: keys ------------------------------------------------------------------------------


KEY_CHARACTERS = {"enter": "\r"}
FRAME_WAIT_S = 1.0  # a key that changes nothing on screen renders no frame: stop waiting for one


async def timed(pilot: Pilot[Any], key: str, settled: Callable[[], bool] = lambda: True) -> float:
    """Seconds from sending `key` to the first frame rendered after the app received it at which
    `settled()` held."""
    app = pilot.app
    frames: Frames = app._bench_frames  # type: ignore[attr-defined]
    assert app._driver is not None
    event = events.Key(key, key if len(key) == 1 else KEY_CHARACTERS.get(key))
    event.set_sender(app)
    frames.first_showing, frames.shows = 0.0, lambda: frames.received is event and settled()
    started = time.time()
    app._driver.send_message(event)
    await until(pilot, lambda: bool(frames.first_showing) or time.time() - started > FRAME_WAIT_S)
    await pilot._wait_for_screen()  # all of the key handled before the next one
    return (frames.first_showing or time.time()) - started


def timing(app: App[Any]) -> None:
    """Count `app`'s frames, and note the last key it received."""
    frames = app._bench_frames = Frames(app)  # type: ignore[attr-defined]
    handle = app.on_event

    async def received(event: events.Event) -> None:
        if isinstance(event, events.Key):
            frames.received = event
        await handle(event)

    app.on_event = received  # type: ignore[method-assign]


async def queue_keys(url: str, quick: bool) -> dict[str, list[float]]:
    """Seconds per key on the queue screen, by kind of key."""
    from oms_tui.screens.queue_screen import QueueScreen

    read_through(url)
    app = app_for(url)
    timing(app)
    times: dict[str, list[float]] = {"move": [], "page": [], "end": [], "filter": [], "search": []}
    moves = 10 if quick else 30
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: visible_rows_read(app))
        await pilot.app.workers.wait_for_complete()
        read = lambda: visible_rows_read(app)  # noqa: E731
        for _ in range(moves):
            times["move"].append(await timed(pilot, "j", read))
        for _ in range(moves // 3):
            times["move"].append(await timed(pilot, "k", read))
        for _ in range(moves // 3):
            times["page"].append(await timed(pilot, "pagedown", read))
        for _ in range(3 if quick else 6):
            times["end"].append(await timed(pilot, "end", read))
            times["end"].append(await timed(pilot, "home", read))
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        for tag in ("rush", "gift") * (1 if quick else 2):
            await pilot.press("f", "tab", "tab")  # to the tag box
            for letter in tag:
                times["filter"].append(await timed(pilot, letter))
            times["filter"].append(await timed(pilot, "enter", new_rows(screen)))
            await pilot.app.workers.wait_for_complete()
            await pilot.press("f", "tab", "tab", *["backspace"] * len(tag), "escape")
            await pilot.app.workers.wait_for_complete()
            await until(pilot, read)
        for query in search_queries(url):
            await pilot.press("t", *query)  # the queue's text filter (`/` is the app's search)
            times["search"].append(await timed(pilot, "enter", new_rows(screen)))
            await pilot.app.workers.wait_for_complete()
            await pilot.press("escape")
            await pilot.app.workers.wait_for_complete()
            await until(pilot, read)
    return times


def read_through(url: str) -> None:
    """Read the cache file once, into the system's file cache: a station's database, read all day,
    is in memory; the figures are the app's, not the disk's (this machine also evicts idle files)."""
    with open(url.removeprefix("sqlite:///"), "rb") as cache:
        while cache.read(1 << 24):
            pass


def new_rows(screen: QueueScreen) -> Callable[[], bool]:
    """Whether the table shows other rows than now (a filter or search took effect), all read."""
    table, before = screen.table, screen.table.row_at(0)
    return lambda: table.row_at(0) is not before and visible_rows_read(screen.app)  # type: ignore[arg-type]


def search_queries(url: str) -> list[str]:
    """What support types: an order number, part of a name and of an email, a SKU, a tracking number."""
    from sqlmodel import col, select

    from oms_tui.cache.database import open_cache
    from oms_tui.cache.models import Fulfillment, LineItem, Order

    cache = open_cache(url, migrate=False)
    with cache.reads() as session:
        order = session.exec(select(Order).order_by(col(Order.created_at).desc()).offset(500)).first()
        sku = session.exec(
            select(LineItem.sku).where(col(LineItem.order_id) == order.id if order else False)
        ).first()
        tracking = session.exec(select(Fulfillment.tracking_number).limit(1).offset(100)).first()
    cache.close()
    assert order is not None and order.customer_name and order.email
    return [
        order.name.lstrip("#"),
        order.customer_name.split()[-1].lower()[:5],
        order.email.split("@")[0][-6:],
        sku or "TEE-BLK-M",
        tracking or "1Z",
    ]


async def bare_keys(presses: int) -> list[float]:
    app = EchoApp()
    timing(app)
    async with app.run_test(size=SIZE) as pilot:
        return [await timed(pilot, key) for key in ("j", "k", "pagedown", "end", "r") * (presses // 5)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer keys and runs (for a smoke test)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "oms-tui-bench")
    parser.add_argument("--runs", type=int, default=3, help="child processes per first-frame figure")
    parser.add_argument(
        "--big", type=int, default=1_000_000, help="orders the scale figures compare with 10,000"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        children: dict[str, Callable[[], Awaitable[dict[str, float]]]] = {
            "virtual": lambda: child_virtual(args.url),
            "datatable": lambda: child_datatable(args.url),
            "stack": lambda: child_stack(args.url),
            "bare": child_bare,
        }
        print(json.dumps(asyncio.run(children[args.child]())))
        return

    runs = 1 if args.quick else args.runs
    big = args.big
    # Installed, the package has its bytecode (pip compiles it, a checkout writes it on first run);
    # here PYTHONDONTWRITEBYTECODE may be set, and each child would compile every module again.
    compileall.compile_dir(REPO / "oms_tui", quiet=1)
    urls = {n: cache_url(args.cache_dir, n) for n in dict.fromkeys((10_000, 100_000, big))}
    figures: dict[str, Any] = {}

    def first_frames(mode: str, url: str) -> float:
        return statistics.median(in_child(mode, url)["seconds"] for _ in range(runs))

    ours, baseline = first_frames("virtual", urls[100_000]), first_frames("datatable", urls[100_000])
    figures["first_frame_s_100k"], figures["datatable_first_frame_s_100k"] = ours, baseline
    figures["startup_ratio"] = ours / baseline
    print(f"first frame, 100k orders: {ours:.2f} s; DataTable with the same rows: {baseline:.2f} s")

    keys = {n: asyncio.run(queue_keys(urls[n], args.quick)) for n in urls}
    bare = asyncio.run(bare_keys(50 if args.quick else 100))
    queue_100k = [t for kind in ("move", "page", "end", "filter") for t in keys[100_000][kind]]
    figures["key_p95_ms_100k"], figures["bare_key_p95_ms"] = p95(queue_100k) * 1000, p95(bare) * 1000
    figures["key_ratio"] = p95(queue_100k) / p95(bare)
    for n, by_kind in keys.items():
        print(f"{n:>9,} orders, p95 ms: " + ", ".join(f"{k} {p95(v) * 1000:.1f}" for k, v in by_kind.items()))
    print(f"bare app, p95 ms per key: {p95(bare) * 1000:.1f}")

    virtual, plain = in_child("virtual", urls[100_000]), in_child("bare")
    figures["rss_mb_100k"], figures["bare_rss_mb"] = virtual["rss_kb"] / 1024, plain["rss_kb"] / 1024
    figures["rss_ratio"] = virtual["rss_kb"] / plain["rss_kb"]
    rss, bare_rss = figures["rss_mb_100k"], figures["bare_rss_mb"]
    print(f"peak RSS: queue of 100k orders {rss:.0f} MB, bare app {bare_rss:.0f} MB")

    small, large = first_frames("virtual", urls[10_000]), first_frames("virtual", urls[big])
    stack = first_frames("stack", urls[big])
    figures["stack_first_frame_s_big"], figures["startup_floor_ratio"] = stack, large / stack
    print(f"first frame, {big:,} orders: {large:.2f} s; the same stack, empty screen: {stack:.2f} s")
    big_rss, small_rss = in_child("virtual", urls[big])["rss_kb"], in_child("virtual", urls[10_000])["rss_kb"]
    figures["rss_mb_big"], figures["rss_mb_10k"] = big_rss / 1024, small_rss / 1024
    figures["rss_growth"] = big_rss / small_rss
    print(f"peak RSS: queue of {big:,} orders {big_rss / 1024:.0f} MB, of 10k {small_rss / 1024:.0f} MB")

    scale = {"first_frame": large / small}
    for kind in ("end", "filter", "search"):
        scale[kind] = p95(keys[big][kind]) / p95(keys[10_000][kind])
    figures["big_orders"] = big
    figures["first_frame_s_10k"], figures["first_frame_s_big"] = small, large
    figures["scale_by_figure"] = scale
    figures["scale_ratio"] = max(scale.values())
    figures["search_p95_ms"] = p95(keys[big]["search"]) * 1000
    figures["search_p95_ms_10k"] = p95(keys[10_000]["search"]) * 1000
    print(f"first frame: 10k {small:.2f} s, {big:,} {large:.2f} s")
    print(f"{big:,} / 10k: " + ", ".join(f"{k} {v:.2f}" for k, v in scale.items()))
    print(f"search p95: {big:,} {figures['search_p95_ms']:.0f} ms, 10k {figures['search_p95_ms_10k']:.0f} ms")
    for name, goal in GOALS.items():
        verdict = "meets" if figures[name] <= goal else "MISSES"
        print(f"{name} = {figures[name]:.3f} ({verdict} the goal <= {goal})")
    print(
        json.dumps(
            {name: round(value, 4) if isinstance(value, float) else value for name, value in figures.items()}
        )
    )


if __name__ == "__main__":
    main()
