"""One pack station buying labels in a process of its own: `python -m tests.processes.labeler #1001 ...`.

Settings come from the environment, as for `oms-tui` (the shop, the label service, the cache, the
station and who is signed in). For each order it buys the label unless the order has a live one (at
this station or another), then tries one outbox round. Tests kill it with SIGKILL anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.labels.rules import LabelProblem
from oms_tui.runtime import Runtime
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync_lock import SyncBusy


async def buy_all(runtime: Runtime, names: list[str]) -> None:
    desk = runtime.label_desk(Actor(runtime.settings.station, runtime.settings.staff))
    for name in names:
        # bought elsewhere, being bought, or not confirmed yet: the outbox settles it
        with contextlib.suppress(LabelProblem):
            await desk.buy(name, weight_g=600)
    async with runtime.client() as client:
        with contextlib.suppress(SyncBusy):
            await OutboxPusher(client, runtime.cache, carrier=runtime.label_carrier).push_ready()


def main() -> None:
    runtime = Runtime.start(Settings())
    try:
        asyncio.run(buy_all(runtime, sys.argv[1:]))
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
