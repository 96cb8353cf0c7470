"""Wiring from settings to running parts: the cache, the store (real or the embedded simulator), the
client, and the live loop that syncs and pushes the outbox. Shared by the app and the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import ChangeFeedEntry
from oms_tui.cache.types import utcnow
from oms_tui.config import Settings
from oms_tui.floor.exception_rules import RuleSettings
from oms_tui.floor.exceptions import run_pass
from oms_tui.store.api_notices import status_text
from oms_tui.store.client import StoreClient
from oms_tui.store.errors import StoreAuthError, StoreError
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import StreamCounts, SyncEngine
from oms_tui.store.sync_lock import SyncBusy

log = logging.getLogger(__name__)

DEMO_ORDERS = 400
DEMO_LIVE_RATE = 0.2  # events per second: a lively but readable shop
STOP_CHECK_S = 0.1  # how soon a live loop notices `stop`
MAX_RETRY_DELAY_S = 300.0


def retry_delay(poll_interval: float, failures: int) -> float:
    """The wait before the next pass: `poll_interval`, doubled per failed pass in a row, at most 5 min."""
    return min(poll_interval * 2**failures, max(poll_interval, MAX_RETRY_DELAY_S))


def one_line(exc: BaseException) -> str:
    """The exception's type and the first line of its message (SQL errors run to many lines)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


@dataclass(frozen=True)
class LiveUpdate:
    text: str
    changed: bool = False
    error: bool = False


@dataclass
class Runtime:
    settings: Settings
    cache: Cache
    shop_url: str
    token: SecretStr
    transport: httpx.AsyncBaseTransport | None = None
    on_close: list[Callable[[], None]] = field(default_factory=list)
    feed_seen: int = 0  # the newest change feed entry this station has shown
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # the wait between passes

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        """Open the cache and find the store; with no shop configured, start the simulator."""
        cache = open_cache(settings.database_url)
        if not settings.demo:
            if settings.shopify_token is None:
                cache.close()
                raise ValueError("OMS_SHOP_URL is set but OMS_SHOPIFY_TOKEN is not")
            assert settings.shop_url is not None
            return cls(settings, cache, settings.shop_url, settings.shopify_token)
        from oms_tui.sim.server import run_in_thread
        from oms_tui.sim.store import SimStore

        # The Plus plan's bucket, so the demo's first sync takes seconds rather than minutes.
        store = SimStore(orders=DEMO_ORDERS, seed=7)
        server = run_in_thread(store, plan="plus", live=True, live_rate=DEMO_LIVE_RATE)
        runtime = cls(settings, cache, server.url, SecretStr(server.token))
        runtime.on_close.append(server.stop)
        return runtime

    @property
    def store_label(self) -> str:
        return "demo store (simulator)" if self.settings.demo else self.shop_url.removeprefix("https://")

    def client(self) -> StoreClient:
        return StoreClient(
            self.shop_url,
            self.token,
            api_version=self.settings.api_version,
            transport=self.transport,
        )

    async def live_loop(
        self, report: Callable[[LiveUpdate], object], stop: threading.Event | None = None
    ) -> None:
        """Sync, push the outbox, wait; until cancelled, `stop` is set or the store refuses the token.

        `stop` may be set from any thread: it cancels the pass in flight (its requests included)
        within a tenth of a second, so quitting never waits for the network. The next start resumes.
        """
        passes = asyncio.create_task(self._passes(report))
        try:
            while not passes.done() and not (stop and stop.is_set()):
                await asyncio.wait([passes], timeout=STOP_CHECK_S)
        finally:
            passes.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await passes

    async def _passes(self, report: Callable[[LiveUpdate], object]) -> None:
        def progress(stream: str, counts: StreamCounts) -> None:
            if counts.created or counts.updated:
                changes = counts.created + counts.updated
                report(LiveUpdate(f"syncing {stream.replace('_', ' ')}: {changes} changes", changed=True))

        async with self.client() as client:
            engine = SyncEngine(client, self.cache, on_progress=progress)
            pusher = OutboxPusher(client, self.cache)
            failures = 0
            while True:
                try:
                    report(await self.one_pass(engine, pusher))
                    failures = 0
                except StoreAuthError as exc:  # retrying with the same token cannot help
                    report(LiveUpdate(f"store refused the token: {exc}", error=True))
                    return
                except Exception as exc:  # a bug or a broken cache must not stop syncing until restart
                    failures += 1
                    delay = retry_delay(self.settings.poll_interval, failures)
                    log.warning(
                        "sync pass failed (%s); retrying in %gs",
                        one_line(exc),
                        delay,
                        exc_info=log.isEnabledFor(logging.DEBUG),
                    )
                    report(LiveUpdate(f"sync failed ({one_line(exc)}); retrying in {delay:g}s", error=True))
                await self.sleep(retry_delay(self.settings.poll_interval, failures))

    async def one_pass(self, engine: SyncEngine, pusher: OutboxPusher) -> LiveUpdate:
        try:
            pushed = await pusher.push_ready()
            summary = await engine.run_once()
        except SyncBusy:
            return LiveUpdate("another station is syncing; following its changes", changed=self._feed_moved())
        except StoreAuthError:
            raise
        except StoreError as exc:
            log.warning("sync failed: %s", exc)
            self.check_exceptions()
            return LiveUpdate(f"store unreachable, working offline: {exc}", error=True)
        self.check_exceptions()
        changed = summary.total("created") + summary.total("updated") + pushed.done
        text = f"synced {summary.total('created')} new, {summary.total('updated')} changed"
        if pushed.done or pushed.failed:
            text += f"; sent {pushed.done}, rejected {pushed.failed}"
        said = engine.client.take_notices() if isinstance(engine.client, StoreClient) else []
        text += status_text(self.cache, said)  # deprecations and versions, recorded and shown
        return LiveUpdate(text, changed=bool(changed), error=bool(summary.errors or pushed.failed))

    def check_exceptions(self) -> None:
        """Run the exception rules over what changed; a failure is logged, the live loop goes on."""
        rules = RuleSettings(sla_hours=self.settings.sla_hours, carrier=self.settings.carrier)
        try:
            run_pass(self.cache, rules, utcnow())
        except SQLAlchemyError as exc:
            log.warning("exception rules failed: %s", exc)

    def _feed_moved(self) -> bool:
        """Whether the syncing station recorded changes since this station last looked."""
        with self.cache.reads() as session:
            latest = session.exec(select(func.max(ChangeFeedEntry.id))).one() or 0
        moved, self.feed_seen = latest != self.feed_seen, latest
        return moved

    def close(self) -> None:
        for stop in self.on_close:
            stop()
        self.cache.close()
