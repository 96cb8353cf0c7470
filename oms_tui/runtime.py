"""Wiring from settings to running parts: the cache, the store (real or the embedded simulator), the
client, and the live loop that syncs and pushes the outbox. Shared by the app and the CLI.

The store client, sync engine and outbox (HTTP, GraphQL, payload models: a third of the app's start)
are imported when the live loop starts, after the first screen is up."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from pydantic import SecretStr, ValidationError
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from oms_tui.cache.change_signal import EVERYTHING
from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import BinLocation, ChangeFeedEntry
from oms_tui.cache.types import utcnow
from oms_tui.config import APP_NAME, Settings, SettingsFileError, default_database_url
from oms_tui.floor.actions.staff import seed_demo_staff
from oms_tui.floor_settings import FloorSettings
from oms_tui.store.api_notices import status_text
from oms_tui.store.errors import StoreAuthError, StoreError
from oms_tui.store.streams import STREAMS
from oms_tui.store.sync_lock import SyncBusy

if TYPE_CHECKING:
    import httpx

    from oms_tui.carriers.base import Carrier
    from oms_tui.floor.actions.actor import Actor
    from oms_tui.floor.labels.desk import LabelDesk
    from oms_tui.mail.server import MailServer
    from oms_tui.sim.mailbox import Mailbox
    from oms_tui.sim.store import SimStore
    from oms_tui.store.client import Client, StoreClient
    from oms_tui.store.outbox import OutboxPusher
    from oms_tui.store.sync import StreamCounts, SyncEngine

log = logging.getLogger(__name__)

DEMO_ORDERS = 400
DEMO_LIVE_RATE = 0.2  # events per second: a lively but readable shop
DEMO_SENDER = "Demo Shop <shop@demo-shop.example>"
STOP_CHECK_S = 0.1  # how soon a live loop notices `stop`
MAX_RETRY_DELAY_S = 300.0


def retry_delay(poll_interval: float, failures: int) -> float:
    """The wait before the next pass: `poll_interval`, doubled per failed pass in a row, at most 5 min."""
    return min(poll_interval * 2**failures, max(poll_interval, MAX_RETRY_DELAY_S))


def demo_shelves(store: SimStore) -> list[BinLocation]:
    """The demo warehouses' shelves: a product's colours side by side in one aisle, its sizes one
    above the other (`B-14-3`), so pick lists walk a real route."""
    from oms_tui.sim.catalogue import COLOURS, SIZES  # the catalogue's order: product, colour, size

    shelves = []
    for index, variant in enumerate(store.variants):
        if not variant.requires_shipping:
            continue
        product, rest = divmod(index, len(COLOURS) * len(SIZES))
        colour, size = divmod(rest, len(SIZES))
        code = f"{chr(ord('A') + product // 4)}-{product % 4 * 6 + colour + 1}-{size + 1}"
        shelves += [BinLocation(location_id=where, sku=variant.sku, code=code) for where in store.locations]
    return shelves


def demo_ship_from(store: SimStore) -> dict[str, dict[str, str]]:
    """The demo shop's locations' addresses, as `ship_from` settings (by location name)."""
    found = {
        location.name: {
            "name": location.name,
            "street1": location.address.address1 or "",
            "city": location.address.city or "",
            "state": location.address.province_code or "",
            "zip": location.address.zip or "",
            "country": location.address.country_code or "US",
            "phone": location.address.phone or "",
        }
        for location in store.locations.values()
    }
    return found | {"default": next(iter(found.values()))} if found else {}


def demo_shop_path(database_url: str) -> Path | None:
    """Where the demo shop is kept: beside a SQLite cache file, else in the user data folder (one per
    database URL); None for an in-memory cache, which a restart forgets as well."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return Path(url.database).with_name(Path(url.database).name + ".demo-shop")
    key = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(platformdirs.user_data_dir(APP_NAME)) / f"demo-shop-{key}"


def token_in_settings() -> SecretStr | None:
    """The token as the environment and the settings file say now: it may have been rotated since
    the start. None when they name none, or cannot be read at the moment (a file being edited)."""
    try:
        return Settings().shopify_token
    except (ValidationError, SettingsFileError, OSError):
        return None


def one_line(exc: BaseException) -> str:
    """The exception's type and the first line of its message (SQL errors run to many lines)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


@dataclass(frozen=True)
class LiveUpdate:
    text: str
    changed: bool = False
    error: bool = False
    reachable: bool | None = None  # whether the store answered; None when this pass did not find out
    progress: bool = False  # a page of a pass in flight, not the end of a pass
    kinds: frozenset[str] = EVERYTHING  # what changed (`oms_tui.cache.change_signal`'s kinds)


def progress_text(stream: str, counts: StreamCounts) -> str:
    """A pass in flight, stream by stream: 'syncing orders (2/4): 250 read, 250 new, 0 changed'."""
    read = counts.created + counts.updated + counts.unchanged
    step = f"{STREAMS.index(stream) + 1}/{len(STREAMS)}" if stream in STREAMS else "…"
    changes = f"{counts.created} new, {counts.updated} changed"
    return f"syncing {stream.replace('_', ' ')} ({step}): {read} read, {changes}"


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
    demo_store: SimStore | None = None  # the embedded simulator's shop, in demo mode
    simulated: bool = False  # the store is the embedded simulator (the demo): so is the label service
    wake: threading.Event = field(default_factory=threading.Event)  # set: the next pass starts now
    reread_token: Callable[[], SecretStr | None] = token_in_settings  # after the store refused ours
    started: datetime = field(default_factory=utcnow)  # the first scheduled reconcile counts from here
    reconcile_asked: threading.Event = field(
        default_factory=threading.Event
    )  # set: reconcile after this pass
    demo_mailbox: Mailbox | None = None  # the demo's mailbox, when no mail server is set
    _mail_lock: threading.Lock = field(default_factory=threading.Lock)
    _demo_mail_server: MailServer | None = None

    def __post_init__(self) -> None:
        self.cache.ship_by = self.floor.ship_by  # sync and the outbox write orders' ship-by with it

    @cached_property
    def floor(self) -> FloorSettings:
        """The floor's rules, walking order and scanner, as this station's settings make them."""
        return FloorSettings(self.settings)

    @classmethod
    def start(cls, settings: Settings, *, app_start: bool = False) -> Runtime:
        """Open the cache and find the store; with no shop configured, start the simulator.

        A cache that does not exist is an error, but at the app's start (`app_start`) at the default
        location: the first start of a new station."""
        create = app_start and settings.database_url == default_database_url()
        cache = open_cache(settings.database_url, create=create, listen_url=settings.listen_url)
        if not settings.demo:
            if settings.shopify_token is None:
                cache.close()
                raise ValueError("OMS_SHOP_URL is set but OMS_SHOPIFY_TOKEN is not")
            assert settings.shop_url is not None
            return cls(settings, cache, settings.shop_url, settings.shopify_token)
        from oms_tui.sim.saved_shop import SavedShopFile
        from oms_tui.sim.server import run_in_thread
        from oms_tui.sim.store import SimStore

        # Kept beside the cache, so a restart serves the shop the cache was synced from.
        path = demo_shop_path(settings.database_url)
        saved = SavedShopFile(path) if path else None
        if saved:
            store = saved.open(DEMO_ORDERS, seed=7)
        else:
            store = SimStore(orders=DEMO_ORDERS, seed=7, floor_ages=True)
        with cache.sessions() as session:  # the demo's floor team and shelves: a first start can work
            seed_demo_staff(session, settings.station)
            if session.exec(select(BinLocation).limit(1)).first() is None:
                session.add_all(demo_shelves(store))
            session.commit()
        if not settings.ship_from:  # the demo shop's warehouses send its labels
            settings = settings.model_copy(update={"ship_from": demo_ship_from(store)})
        # The Plus plan's bucket, so the demo's first sync takes seconds rather than minutes.
        from oms_tui.sim.carrier.state import CarrierSim
        from oms_tui.sim.mailbox import Mailbox

        # What the demo sends stays beside the shop, read at the simulator's /__mail; its labels too.
        box = Mailbox(path.with_name(path.name + "-mail") if path else None)
        carrier = CarrierSim(seed=7, path=path.with_name(path.name + ".labels.json") if path else None)
        server = run_in_thread(
            store,
            plan="plus",
            live=True,
            live_rate=DEMO_LIVE_RATE,
            saved=saved,
            mailbox=box,
            carrier=carrier,
        )
        runtime = cls(
            settings,
            cache,
            server.url,
            SecretStr(server.token),
            demo_store=store,
            simulated=True,
            demo_mailbox=box,
        )
        runtime.on_close.append(server.stop)
        return runtime

    @property
    def store_label(self) -> str:
        return "demo store (simulator)" if self.settings.demo else self.shop_url.removeprefix("https://")

    def client(self, transport: httpx.AsyncBaseTransport | None = None) -> StoreClient:
        from oms_tui.store.client import StoreClient

        return StoreClient(
            self.shop_url,
            self.token,
            api_version=self.settings.api_version,
            transport=transport or self.transport,
        )

    def mail_server(self) -> MailServer:
        """Where messages to customers go: the settings' mail server; in the demo with none set, the
        demo's mailbox (started at the first message). Raises MailSetupError (one line) otherwise."""
        from oms_tui.mail.server import MailServer, MailSetupError, configured_server

        server = configured_server(self.settings)
        if server is not None:
            return server
        if self.demo_mailbox is None:
            raise MailSetupError("no mail server is set: set smtp_host and smtp_from (see the README)")
        with self._mail_lock:
            if self._demo_mail_server is None:
                from oms_tui.sim.mailbox import MailboxServer

                running = MailboxServer(self.demo_mailbox).start()
                self.on_close.append(running.stop)
                sender = self.settings.smtp_from or DEMO_SENDER
                self._demo_mail_server = MailServer(running.host, running.port, sender, starttls=False)
            return self._demo_mail_server

    @cached_property
    def label_carrier(self) -> Carrier:
        """The label service (raises `label_service.NoLabelService` when there is none)."""
        from oms_tui.label_service import label_carrier

        return label_carrier(self.settings, self.shop_url if self.simulated else None)

    def label_desk(self, actor: Actor) -> LabelDesk:
        """The label workflow for `actor`, its purchases and voids delivered at once by this station."""
        from oms_tui.floor.labels.desk import LabelDesk
        from oms_tui.store.outbox import OutboxPusher

        carrier = self.label_carrier

        async def deliver(action_id: int) -> str:  # carrier actions only: no store connection needed
            return await OutboxPusher(None, self.cache, carrier=carrier).deliver_now(action_id)

        return LabelDesk(self.cache, carrier, self.settings, actor, deliver)

    def _carrier_if_any(self) -> Carrier | None:
        from oms_tui.label_service import NoLabelService

        try:
            return self.label_carrier
        except NoLabelService:
            return None  # label actions wait in the outbox for a station that has one

    def sync_now(self) -> None:
        """Cut the live loop's wait short (from any thread): the next pass starts at once, or right
        after the one in flight."""
        self.wake.set()

    async def live_loop(
        self, report: Callable[[LiveUpdate], object], stop: threading.Event | None = None
    ) -> None:
        """Sync, push the outbox, wait; until cancelled or `stop` is set.

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
        from oms_tui.store.outbox import OutboxPusher
        from oms_tui.store.sync import SyncEngine

        def progress(stream: str, counts: StreamCounts) -> None:
            if counts.created or counts.updated:  # pages with news: screens refresh as they land
                text = progress_text(stream, counts)
                report(LiveUpdate(text, changed=True, reachable=True, progress=True))

        failures = 0
        while True:  # a client per token: a refused one may be replaced in the settings meanwhile
            token = self.token
            async with self.client(self._watched(report)) as client:
                engine = SyncEngine(client, self.cache, on_progress=progress)
                pusher = OutboxPusher(client, self.cache, carrier=self._carrier_if_any())
                while token == self.token:
                    refused = False
                    try:
                        report(await self.one_pass(engine, pusher))
                        failures = 0
                    except StoreAuthError as exc:  # tried again: the token may be rotated meanwhile
                        failures, refused = failures + 1, True
                        delay = retry_delay(self.settings.poll_interval, failures)
                        text = f"store refused the token: {exc}; trying again in {delay:g}s (or Sync now)"
                        report(LiveUpdate(text, error=True, reachable=True))
                    except Exception as exc:  # a bug or a broken cache must not stop syncing until restart
                        failures += 1
                        delay = retry_delay(self.settings.poll_interval, failures)
                        log.warning(
                            "sync pass failed (%s); retrying in %gs",
                            one_line(exc),
                            delay,
                            exc_info=log.isEnabledFor(logging.DEBUG),
                        )
                        text = f"sync failed ({one_line(exc)}); retrying in {delay:g}s"
                        report(LiveUpdate(text, error=True))
                    await self._pause(retry_delay(self.settings.poll_interval, failures))
                    if refused and not self.settings.demo:
                        self.token = self.reread_token() or self.token

    def _watched(self, report: Callable[[LiveUpdate], object]) -> httpx.AsyncBaseTransport:
        """The store's transport, telling the header at the first failed connection (the client
        keeps retrying, for tens of seconds, before the pass ends)."""
        import httpx

        from oms_tui.store.reachability import WatchedTransport

        answering = True

        def seen(answered: bool, why: str) -> None:
            nonlocal answering
            if answering and not answered:
                text = f"could not connect ({why}); retrying"
                report(LiveUpdate(text, error=True, reachable=False, progress=True))
            answering = answered

        return WatchedTransport(self.transport or httpx.AsyncHTTPTransport(), seen)

    async def _pause(self, seconds: float) -> None:
        """`sleep` between passes, ended early by `sync_now`."""
        waiting = asyncio.ensure_future(self.sleep(seconds))
        try:
            while not waiting.done() and not self.wake.is_set():
                await asyncio.wait([waiting], timeout=STOP_CHECK_S)
        finally:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        self.wake.clear()

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
            return LiveUpdate(f"working offline: {exc}", error=True, reachable=False)
        self.check_exceptions()
        changed = summary.total("created") + summary.total("updated") + pushed.done
        text = f"synced {summary.total('created')} new, {summary.total('updated')} changed"
        if pushed.done or pushed.failed:
            text += f"; sent {pushed.done}, rejected {pushed.failed}"
        from oms_tui.store.client import StoreClient

        client, said, asked = engine.client, [], self.settings.api_version
        if isinstance(client, StoreClient):
            said, asked = client.take_notices(), client.api_version
        text += status_text(self.cache, said, asked)  # deprecations and versions, recorded and shown
        text += await self.reconcile_if_due(engine.client)
        return LiveUpdate(
            text, changed=bool(changed), error=bool(summary.errors or pushed.failed), reachable=True
        )

    def reconcile_now(self) -> None:
        """Have the next pass reconcile (from any thread), and start it at once."""
        self.reconcile_asked.set()
        self.wake.set()

    async def reconcile_if_due(self, client: Client) -> str:
        """After a pass that held the sync lock: reconcile when asked or every `reconcile_every_hours`;
        what it found, for the status line. A run that fails is recorded; the live loop goes on."""
        from oms_tui.store.reconcile.schedule import SCHEDULED, due, run_scheduled

        asked = self.reconcile_asked.is_set()
        every = timedelta(hours=self.settings.reconcile_every_hours)
        if not asked and not due(self.cache, utcnow(), every, self.started):
            return ""
        self.reconcile_asked.clear()
        try:
            report = await run_scheduled(
                client, self.cache, self.settings.station, "palette" if asked else SCHEDULED
            )
        except SyncBusy:
            return "; another station is reconciling"
        except Exception as exc:  # recorded with the run; syncing goes on
            log.warning("reconcile failed: %s", one_line(exc))
            return f"; reconcile failed ({one_line(exc)})"
        self.check_exceptions()
        left = f", {report.left} left" if report.left else ""
        return f"; reconciled {report.days_checked} days: {len(report.differences)} differences{left}"

    def check_exceptions(self) -> None:
        """Run the managers' order rules and the exception rules over what changed, and void the labels
        that will no longer ship (an order cancelled or held since); a failure is logged, the live loop
        goes on."""
        from oms_tui.floor.actions.actor import Actor
        from oms_tui.floor.exceptions.records import run_pass  # the rules: not at the start
        from oms_tui.floor.labels.records import void_unused
        from oms_tui.floor.messages.sending import settle_stale  # the mail client: not at the start

        try:
            if self.floor.order_rules:
                from oms_tui.floor.rules.rules_pass import run_rules_pass

                actor = Actor(self.settings.station, self.settings.rules_staff)
                run_rules_pass(self.cache, self.floor.order_rules, actor)
            run_pass(self.cache, self.floor.rules, utcnow())
            settle_stale(self.cache, utcnow())  # messages whose station stopped mid-send
        except Exception as exc:  # the pass's sync is committed: a bug in the rules must not fail it
            log.warning(
                "exception rules failed (%s)", one_line(exc), exc_info=log.isEnabledFor(logging.DEBUG)
            )
        try:
            with self.cache.sessions() as session:
                void_unused(session, Actor(self.settings.station))
                session.commit()
        except (SQLAlchemyError, ValueError) as exc:
            log.warning("voiding unused labels failed: %s", exc)

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
