"""Scan input benchmark: what telling scans from typing costs, and whether any character is lost.

Two headless apps take the same bursts (12 characters and Enter, stamped 0 ms apart, as a USB scanner
types): a bare Textual app whose screen echoes what it is typed until Enter (the baseline), and the same
app with the scan layer in front (`oms_tui.scan_input`), whose screen receives each burst as one scan.
Measured: burst-to-code latency (the burst posted to the screen having its code) over `--bursts`
single bursts, p50 and p95 for each app; then 1,000 bursts back to back, and every character counted
(`dropped_chars`: sent minus received, in scans or typed). Last line: one JSON object.

Usage: .venv/bin/python bench/scan_input.py [--bursts 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import string
import time
from statistics import quantiles
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Label

from oms_tui.scan_input import ScanInput

GAP_MS = 40.0
BACK_TO_BACK = 1_000


class Echo(App[None]):
    """The baseline: keys go straight to the screen, which collects them until Enter."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.typed: list[str] = []
        self.got_code = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Label("echo")

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            self.code("".join(self.typed))
            self.typed = []
        elif event.character:
            self.typed.append(event.character)

    def code(self, code: str) -> None:
        self.codes.append(code)
        self.got_code.set()


class Scanning(Echo):
    """The same app with the scan layer in front of its keys."""

    def __init__(self) -> None:
        super().__init__()
        self.scan_input = ScanInput(self, super().on_event, self.code, gap_ms=GAP_MS, min_length=3)

    async def on_event(self, event: events.Event) -> None:
        if not await self.scan_input.intercept(event):
            await super().on_event(event)


def bursts(count: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choices(string.ascii_uppercase + string.digits, k=12)) for _ in range(count)]


def post(app: App[Any], code: str) -> None:
    at = time.monotonic()
    for character in code:
        key = events.Key(character, character)
        key.time = at
        app.post_message(key)
    enter = events.Key("enter", "\r")
    enter.time = at
    app.post_message(enter)


async def latencies(app: Echo, codes: list[str]) -> list[float]:
    measured = []
    async with app.run_test(headless=True):
        for code in codes:
            app.got_code.clear()
            started = time.perf_counter()
            post(app, code)
            await app.got_code.wait()
            measured.append((time.perf_counter() - started) * 1000)
        assert app.codes == codes, "a burst was not read back as sent"
    return measured


async def dropped(app: Echo, codes: list[str]) -> int:
    async with app.run_test(headless=True) as pilot:
        for code in codes:
            post(app, code)
        for _ in range(1000):
            if len(app.codes) == len(codes):
                break
            await pilot.pause(0.01)
        await pilot.pause(GAP_MS / 1000 * 2)  # anything held back goes on as typing
        received = sum(len(code) + 1 for code in app.codes) + len(app.typed)
    assert app.codes == codes, "back-to-back bursts were not each one scan"
    return sum(len(code) + 1 for code in codes) - received


def p(values: list[float], n: int) -> float:
    return round(quantiles(values, n=100)[n - 1], 3)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=500)
    args = parser.parse_args()
    codes = bursts(args.bursts, random.Random(3))
    bare = await latencies(Echo(), codes)
    scanning = await latencies(Scanning(), codes)
    lost = await dropped(Scanning(), bursts(BACK_TO_BACK, random.Random(5)))
    figures = {
        "bursts": args.bursts,
        "bare_p50_ms": p(bare, 50),
        "bare_p95_ms": p(bare, 95),
        "scan_p50_ms": p(scanning, 50),
        "scan_p95_ms": p(scanning, 95),
        "scan_ratio_p95": round(p(scanning, 95) / p(bare, 95), 2),
        "back_to_back_bursts": BACK_TO_BACK,
        "dropped_chars": lost,
    }
    print(f"bare echo app:   p50 {figures['bare_p50_ms']} ms, p95 {figures['bare_p95_ms']} ms a burst")
    print(f"with scan layer: p50 {figures['scan_p50_ms']} ms, p95 {figures['scan_p95_ms']} ms a burst")
    print(f"{BACK_TO_BACK} bursts back to back: {lost} characters dropped")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
