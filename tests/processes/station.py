"""One station in a process of its own: `python -m tests.processes.station push|sync`.

Settings come from the environment (OMS_SHOP_URL, OMS_SHOPIFY_TOKEN, OMS_DATABASE_URL, ...), as for
`oms-tui`. `push` keeps pushing the shared outbox until nothing waits, stepping aside while another
station holds the sync lock; `sync` runs one sync pass. Tests kill these processes with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from sqlalchemy.exc import OperationalError
from sqlmodel import col, update

from oms_tui.cache.models import OutboxAction
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from oms_tui.store.sync_lock import SyncBusy


async def push(runtime: Runtime) -> None:
    async with runtime.client() as client:
        pusher = OutboxPusher(client, runtime.cache)
        while True:
            _due_now(runtime)
            try:
                if (await pusher.push_ready()).waiting == 0:
                    return
            except SyncBusy:
                pass
            await asyncio.sleep(0.01)


async def sync(runtime: Runtime) -> None:
    async with runtime.client() as client:
        await SyncEngine(client, runtime.cache).run_once()


def _due_now(runtime: Runtime) -> None:
    """Skip the backoff between attempts (as `oms-tui outbox retry` does), so tests need not wait."""
    # Another station's update may deadlock with this one: it does the same, so skip.
    with runtime.cache.sessions() as session, contextlib.suppress(OperationalError):
        session.exec(
            update(OutboxAction)
            .where(col(OutboxAction.next_attempt_at).is_not(None))
            .values(next_attempt_at=None)
        )  # type: ignore[call-overload]
        session.commit()


def main() -> None:
    runtime = Runtime.start(Settings())
    try:
        asyncio.run({"push": push, "sync": sync}[sys.argv[1]](runtime))
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
