"""One station of `bench/floor_load.py`: the real app (headless), worked by a scripted scanner.

    python -m bench.floor_station ROLE STAFF_CODE SPEED   (settings from the environment, as `oms-tui`)

ROLE: picker (F5: new batch, every unit scanned, complete), packer (F6: a picked order's slip, each
unit the screen lists, the label's tracking number, F10), receiving (syncs with the store and looks
orders up by scanning their numbers), board (the manager's board, F4: how long after a change
elsewhere it shows it).
It reads commands from stdin, one JSON object a line: {"work": seconds, "phase": name} works that
long and answers {"phase", "latencies", "actions", "refused", "refusals" (by what the app said),
"shipped" (packs), "waited" (seconds with nothing to pack)}; {"quit": true} ends it.

Scan-to-screen is the time from the scan reaching the app to the screen being up to date with it:
every read and write it started has landed and a frame has been drawn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, func, select
from textual.pilot import Pilot

from oms_tui.app import OmsApp
from oms_tui.cache.models import (
    AuditEvent,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
)
from oms_tui.config import Settings
from oms_tui.floor.picking.pick_lists import open_pick_list
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.queues.claims import holder
from oms_tui.floor.queues.stages import OPEN, Stage, stage_condition
from oms_tui.runtime import Runtime
from oms_tui.screens import board_screen
from oms_tui.screens.messages import Scanned
from oms_tui.screens.pack_screen import PackScreen
from oms_tui.screens.step_queue import StepQueue
from oms_tui.widgets.blocking_error import BlockingError

HUMAN_SCAN_S = 3.0  # a person finds the next unit and scans it
SIZE = (120, 36)
SETTLE_LIMIT_S = 10.0  # a screen not up to date by then counts as that slow
ROLE_SCREEN = {"picker": "f5", "packer": "f6", "board": "f4"}  # the receiving station: the queue (f2)
SETTLE_ROUNDS = 6  # a scan's work hands over to further work at most this many times (an order opened)


class Station:
    def __init__(self, app: OmsApp, pilot: Pilot[Any], role: str, code: str, speed: float) -> None:
        self.app, self.pilot, self.role, self.code, self.speed = app, pilot, role, code, speed
        self.cache = app.runtime.cache
        self.latencies: list[float] = []
        self.actions = self.refused = self.shipped = self.waited = 0  # waited: seconds with nothing to do
        self.refusals: Counter[str] = Counter()  # what the app said, by its title
        self.labels = 0
        self.until = 0.0  # monotonic end of the work asked for

    async def settled(self, before: set[Any]) -> None:
        """Until what the scan started (its reads and writes, and what they started in turn) has
        landed and a frame is drawn. Reads that other stations' changes start meanwhile are not
        waited for (they would keep it waiting for ever under load) unless they started in time.
        A screen's steps run one after another in one worker: one already running takes the scan's
        step after those before it, and is waited for too.

        Each round has the screen handle what was sent to it and draw (`Pilot.pause(0)`), then waits
        for the workers that started; the rounds end when one starts none. Not `Pilot.pause()`, which
        waits for the whole process to go idle: on a busy floor that is up to a second a round of
        reads that other stations' changes started, which is no part of the scan."""
        give_up = time.monotonic() + SETTLE_LIMIT_S
        steps = step_group(self.app.screen)
        for n in range(SETTLE_ROUNDS):  # the scan's step, what it started when it landed, ...
            await self.pilot.pause(0)
            started = [
                w
                for w in self.app.workers
                if w.is_running and (w not in before or w.group == steps) and w.group != "live"
            ]
            if not started and n > 0:
                break
            before |= set(self.app.workers) - set(started)
            for worker in started:
                await asyncio.wait(
                    [asyncio.ensure_future(ended(worker))], timeout=max(0, give_up - time.monotonic())
                )
            if time.monotonic() >= give_up:
                slow = sorted({w.group for w in started if w.is_running})
                pool = self.cache.engine.pool.status()
                print(f"{self.code}: {slow} still running after {SETTLE_LIMIT_S} s; {pool}", file=sys.stderr)
                break
        for _ in range(2):  # the last landing shown; then the sizes that frame gave answered (a table
            await self.pilot.pause(0)  # fits its columns to its width) and drawn again

    async def scan(self, code: str) -> bool:
        """One scan, timed to the screen; False when the app refused it (the error acknowledged)
        or the time to work is up."""
        if time.monotonic() > self.until:
            return False
        before = set(self.app.workers)
        started = time.perf_counter()
        self.app.screen.post_message(Scanned(code))
        await self.settled(before)
        self.latencies.append(time.perf_counter() - started)
        self.actions += 1
        await asyncio.sleep(HUMAN_SCAN_S / self.speed)
        return await self.acknowledged()

    async def press(self, key: str) -> bool:
        before = set(self.app.workers)
        await self.pilot.press(key)
        await self.settled(before)
        return await self.acknowledged()

    async def acknowledged(self) -> bool:
        if isinstance(self.app.screen, BlockingError):
            self.refused += 1
            self.refusals[self.app.screen.title_text] += 1
            before = set(self.app.workers)
            await self.pilot.press("escape")
            await self.settled(before)
            return False
        return True

    async def work(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds
        await self.press(ROLE_SCREEN.get(self.role, "f2"))  # back to it, should a modal be left up
        while time.monotonic() < self.until:
            await getattr(self, self.role)()

    # --- roles ----------------------------------------------------------------------------------

    async def picker(self) -> None:
        with self.cache.reads() as session:
            pick_list = open_pick_list(session, self.code)
            sheet = read_sheet(session, pick_list.id) if pick_list and pick_list.id else None
        if sheet is None:
            await self.press("n")
            with self.cache.reads() as session:
                if open_pick_list(session, self.code) is None:
                    await asyncio.sleep(1)  # nothing to pick
            return
        for line in sheet.lines:
            for _ in range(line.left):
                if not await self.scan(line.barcode or line.sku or ""):
                    break
        await self.press("c")
        if self.list_open():  # cannot complete: short the rest, and ship what was found
            for key in ("s", "enter", "enter", "c"):
                await self.press(key)
        if self.list_open():  # nothing of an order was found to ship: hold it instead
            for key in ("d", "down", "enter", "c"):
                await self.press(key)

    def list_open(self) -> bool:
        with self.cache.reads() as session:
            return open_pick_list(session, self.code) is not None

    async def packer(self) -> None:
        """The order on the bench (one left half packed when the last work ended) or the next one
        picked; its units as the screen lists them; the label's tracking number; Ship."""
        screen = self.app.screen
        if not isinstance(screen, PackScreen):  # a modal the last step left up: back to the bench
            await self.press("f6")
            return
        if screen.pack is None or screen.pack.state != "open":
            name = next_to_pack(self.app.runtime)
            if name is None:  # nothing picked yet
                await asyncio.sleep(1)
                self.waited += 1
                return
            if not await self.scan(name.lstrip("#")):
                return
        pack = screen.pack
        if pack is None or pack.state != "open":
            return
        refused = self.refused
        for line in pack.lines:
            for _ in range(line.needed - line.verified):
                if not await self.scan(line.sku or line.barcode or ""):
                    await self.give_up(refused)
                    return
        self.labels += 1  # the label's number: DHL eCommerce's format, unique to this station
        if await self.scan(f"GM{self.code.lstrip('S'):0>4}{self.labels:012d}") and await self.press("f10"):
            shipped = screen.pack
            if shipped is not None and shipped.state == "confirmed":
                self.shipped += 1
                return
        await self.give_up(refused)

    async def give_up(self, refused: int) -> None:
        """A pack the app refused a step of is abandoned (its units go back), as a packer would;
        one the time ran out on stays on the bench for the next work."""
        pack = self.app.screen.pack if isinstance(self.app.screen, PackScreen) else None
        if self.refused > refused and pack is not None and pack.state == "open":
            await self.press("x")

    async def receiving(self) -> None:
        with self.cache.reads() as session:
            names = list(session.exec(select(Order.name).order_by(col(Order.created_at).desc()).limit(20)))
        for name in names[:3]:
            await self.scan(name.lstrip("#"))
            await self.press("escape")

    async def board(self) -> None:
        await asyncio.sleep(0.5)  # the board works by itself: see `watch_board`


async def ended(worker: Any) -> None:
    with contextlib.suppress(Exception):  # cancelled or failed: ended all the same
        await worker.wait()


def step_group(screen: Any) -> str | None:
    """The group of the worker that takes the screen's steps in turn, if it has one."""
    return next((queue.group for queue in vars(screen).values() if isinstance(queue, StepQueue)), None)


def next_to_pack(runtime: Runtime) -> str | None:
    """The name of an order ready to pack (picked, its fulfillment order the order's only open one,
    every unit with a SKU to scan) that nobody holds: one of them at random, so packers rarely meet."""
    now = datetime.now(UTC)
    with runtime.cache.reads() as session:
        candidates = session.exec(
            select(FulfillmentOrder.id, Order.id, Order.name)
            .join(Order, col(Order.id) == col(FulfillmentOrder.order_id))
            .where(stage_condition(Stage.READY_TO_PACK, now, order_joined=True))
            .order_by(func.random())
            .limit(20)
        ).all()
        for fo_id, order_id, name in candidates:
            if holder(session, fo_id, now) is not None:
                continue
            open_fos = session.exec(
                select(func.count()).where(
                    col(FulfillmentOrder.order_id) == order_id, col(FulfillmentOrder.status).in_(OPEN)
                )
            ).one()
            skus = session.exec(
                select(FulfillmentOrderLineItem.sku).where(
                    FulfillmentOrderLineItem.fulfillment_order_id == fo_id
                )
            ).all()
            if open_fos == 1 and skus and all(skus):
                return name
    return None


def watch_board(station: Station) -> None:
    """Each time the board shows figures, how long after its change each audit event newly in them
    was made (the board's read and the events' ids come from one session)."""
    read = board_screen.board_figures
    seen = {"id": None}
    pending: list[Any] = []

    def figures(session: Any, *args: Any, **kwargs: Any) -> Any:
        newest = session.exec(select(func.max(AuditEvent.id))).one() or 0
        if seen["id"] is not None and newest > seen["id"]:
            pending.append(
                list(
                    session.exec(
                        select(AuditEvent.at).where(
                            col(AuditEvent.id) > seen["id"], col(AuditEvent.id) <= newest
                        )
                    )
                )
            )
        seen["id"] = newest
        return read(session, *args, **kwargs)

    show = board_screen.BoardScreen.show

    def shown(screen: Any, *args: Any) -> None:
        show(screen, *args)
        now = datetime.now(UTC)
        while pending:
            station.latencies += [(now - at).total_seconds() for at in pending.pop()]

    board_screen.board_figures = figures  # type: ignore[assignment]
    board_screen.BoardScreen.show = shown  # type: ignore[method-assign]


async def main(role: str, code: str, speed: float) -> None:
    runtime = Runtime.start(Settings())
    with runtime.cache.reads() as session:
        from oms_tui.cache.models import Staff

        staff = session.get(Staff, code)
    receiving = role == "receiving"  # syncs as `oms-tui` does: in a process of its own
    app = OmsApp(runtime, live=receiving, staff=staff, hear_others=True, live_process=receiving)
    loop = asyncio.get_running_loop()
    try:
        async with app.run_test(size=SIZE) as pilot:
            station = Station(app, pilot, role, code, speed)
            if role == "board":
                watch_board(station)
            # Each waits at its own screen: while another works alone, the others idle as on a floor
            # (not on the queue they start on, which reads again at every change the one working makes).
            await station.press(ROLE_SCREEN.get(role, "f2"))
            print(json.dumps({"ready": True}), flush=True)
            while command := json.loads(
                await loop.run_in_executor(None, sys.stdin.readline) or '{"quit": true}'
            ):
                if command.get("quit"):
                    break
                station.latencies, station.actions, station.refused = [], 0, 0
                station.shipped, station.waited, station.refusals = 0, 0, Counter()
                await station.work(command["work"])
                report = {
                    "phase": command["phase"],
                    "latencies": station.latencies,
                    "actions": station.actions,
                    "refused": station.refused,
                    "refusals": station.refusals,
                    "shipped": station.shipped,
                    "waited": station.waited,
                }
                print(json.dumps(report), flush=True)
    finally:
        runtime.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
