"""The first switch to each screen (F3 to F7, and `/`), with and without the screens made ahead.

`oms-tui` makes the screens not shown yet after its first frame (`OmsApp(prepare_screens=True)`); this
times each first F-key in a fresh child process, a few seconds after start (a person's first look at
the queue), as Pilot presses it: from the key to the app idle again with the screen drawn. Wall time
and the process's CPU time (steadier on a busy machine) are printed, median of `--runs` children.

Usage: PYTHONPATH=. .venv/bin/python bench/screens.py [--runs N] [--wait S] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
KEYS = ("f3", "f4", "f5", "f6", "f7", "slash")


async def child(url: str, prepare: bool, wait: float) -> dict[str, tuple[float, float]]:
    from pydantic import SecretStr

    from oms_tui.app import OmsApp
    from oms_tui.cache.database import open_cache
    from oms_tui.config import Settings
    from oms_tui.runtime import Runtime

    settings = Settings(database_url=url, station="bench", scan_gap_ms=0)
    runtime = Runtime(settings, open_cache(url), "https://sim.test", SecretStr("x"))
    app = OmsApp(runtime, live=False, clock=lambda: NOW, prepare_screens=prepare)
    timed: dict[str, tuple[float, float]] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await asyncio.sleep(wait)  # the person looks at the queue
        for key in KEYS:
            wall, cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            timed[key] = (time.perf_counter() - wall, time.process_time() - cpu)
            if key == "slash":
                await pilot.press("escape")
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait", type=float, default=4.0, help="seconds between start and the first key")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "oms-tui-bench")
    parser.add_argument("--child", choices=("ahead", "lazy"), help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.url, args.child == "ahead", args.wait))))
        return

    from tests.bulk_cache import prebuilt

    url = f"sqlite:///{prebuilt(args.cache_dir, 10_000, now=NOW)}"
    figures: dict[str, dict[str, list[float]]] = {}
    for mode in ("lazy", "ahead"):
        runs = []
        for _ in range(args.runs):
            command = [sys.executable, __file__, "--child", mode, "--url", url, "--wait", str(args.wait)]
            found = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
            runs.append(json.loads(found.stdout.strip().splitlines()[-1]))
        figures[mode] = {
            key: [round(statistics.median(run[key][n] for run in runs) * 1000) for n in (0, 1)]
            for key in KEYS
        }
        shown = ", ".join(f"{key} {wall} ms ({cpu} CPU)" for key, (wall, cpu) in figures[mode].items())
        print(f"first switch, screens {'made ahead' if mode == 'ahead' else 'made when shown'}: {shown}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
