"""Scale benchmark: from a reading written on the scale's port to the weight on the pack screen.

A serial scale speaking NCI is played on a pseudo-terminal; the pack screen of a headless `OmsApp`
(Pilot) reads it through its scale worker. For `--readings` readings, the fake scale answers the
station's next `W` with a new weight, stamped as it writes it; the reading counts as shown once the
pack screen's panel holds that weight and the screen has refreshed after it (`scale_read_ms`).
Baseline, in the same run: the same replies over a second pseudo-terminal read by a bare blocking
`os.read` in a thread (`pty_read_ms`): what the port itself costs. Goal: `scale_read_ms` p95 <= 50 ms.
Last line: one JSON object.

Usage: .venv/bin/python bench/scale.py [--readings 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
import tty
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
GOAL_MS = 50.0


def reply(grams: int) -> bytes:
    return f"\n{grams / 1000:8.3f}kg\r\n00\r\x03".encode()


class Scale:
    """An NCI scale on a pty: answers each `W<CR>` with the current reply; `written[grams]` is when
    the reply for that weight was first written."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        os.close(slave)
        self.grams = 0
        self.written: dict[int, float] = {}
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        heard = b""
        while not self.stop.is_set():
            try:
                heard += os.read(self.master, 64)
            except OSError:
                time.sleep(0.005)
                continue
            while b"\r" in heard:
                _, heard = heard.split(b"\r", 1)
                grams = self.grams
                self.written.setdefault(grams, time.perf_counter())
                os.write(self.master, reply(grams))


def pty_baseline(count: int) -> list[float]:
    """Milliseconds from writing a reply on a pty's master to a blocking read returning it."""
    master, slave = os.openpty()
    tty.setraw(slave)
    got: list[float] = []
    ready = threading.Event()

    def read() -> None:
        for _ in range(count):
            data = b""
            ready.set()
            while not data.endswith(b"\x03"):
                data += os.read(slave, 64)
            got.append(time.perf_counter())

    reader = threading.Thread(target=read)
    reader.start()
    sent = []
    for n in range(count):
        ready.wait()
        ready.clear()
        time.sleep(0.002)  # the reader is blocked in read, as the scale worker would be
        sent.append(time.perf_counter())
        os.write(master, reply(1000 + n))
        while len(got) <= n:
            time.sleep(0.0005)
    reader.join()
    os.close(master)
    os.close(slave)
    return [(done - start) * 1000 for start, done in zip(sent, got, strict=True)]


async def screen_latency(count: int, folder: Path) -> list[float]:
    from pydantic import SecretStr
    from textual.widgets import Static

    from oms_tui.app import OmsApp
    from oms_tui.cache.database import open_cache
    from oms_tui.cache.models import Role, Staff
    from oms_tui.config import Settings
    from oms_tui.runtime import Runtime

    scale = Scale()
    url = f"sqlite:///{folder / 'cache.sqlite3'}"
    settings = Settings(database_url=url, station="bench", scale="serial", scale_device=scale.device)
    runtime = Runtime(settings, open_cache(url, create=True), "https://sim.test", SecretStr("x"))
    with runtime.cache.sessions() as session:
        session.add(Staff(code="P01", name="Pat Packer", role=Role.PACKER, created_at=NOW))
        session.commit()
        packer = session.get(Staff, "P01")
    app = OmsApp(runtime, live=False, clock=lambda: NOW, staff=packer)
    shown: list[float] = []
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("f6")
        panel = app.screen.query_one("#shipping", Static)
        for n in range(count):
            grams = 1000 + n
            scale.grams = grams
            wanted = f"{grams:,} g"
            while wanted not in str(panel.render()):
                await asyncio.sleep(0.0005)
            refreshed = asyncio.Event()
            app.screen.call_after_refresh(refreshed.set)
            await refreshed.wait()
            shown.append((time.perf_counter() - scale.written[grams]) * 1000)
    scale.stop.set()
    return shown


def p(values: list[float], q: int) -> float:
    return quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--readings", type=int, default=200)
    args = parser.parse_args()
    baseline = pty_baseline(args.readings)
    with tempfile.TemporaryDirectory() as folder:
        screen = asyncio.run(screen_latency(args.readings, Path(folder)))
    figures: dict[str, Any] = {
        "readings": args.readings,
        "scale_read_ms_p50": round(p(screen, 50), 2),
        "scale_read_ms_p95": round(p(screen, 95), 2),
        "pty_read_ms_p50": round(p(baseline, 50), 3),
        "pty_read_ms_p95": round(p(baseline, 95), 3),
        "goal_ms": GOAL_MS,
    }
    figures["goal_met"] = figures["scale_read_ms_p95"] <= GOAL_MS
    print(f"{'':28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'pty read (baseline)':28}{figures['pty_read_ms_p50']:>10}{figures['pty_read_ms_p95']:>10}")
    print(
        f"{'scale reading on screen':28}{figures['scale_read_ms_p50']:>10}{figures['scale_read_ms_p95']:>10}"
    )
    print(f"goal: p95 <= {GOAL_MS:g} ms: {'met' if figures['goal_met'] else 'NOT met'}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
