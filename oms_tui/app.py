"""The Textual app: screens over the cache; sync and outbox run in a background thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from oms_tui.cache.models import Staff
from oms_tui.cache.sync_state import pending_outbox
from oms_tui.cache.types import utcnow
from oms_tui.config import Settings
from oms_tui.floor.order_desk import OrderDesk
from oms_tui.floor.staff import active_staff
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.screens.search_screen import SearchScreen
from oms_tui.widgets.sync_status import SyncStatus


class LiveUpdated(Message):
    def __init__(self, update: LiveUpdate) -> None:
        super().__init__()
        self.update = update


class OmsApp(App[None]):
    TITLE = "oms-tui"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("slash", "search", "Search", id="app.search"),
    ]

    def __init__(
        self,
        runtime: Runtime,
        *,
        live: bool = True,
        clock: Callable[[], datetime] = utcnow,
        staff: Staff | None = None,
    ) -> None:
        """`staff`: the person signed in at this station (their role decides what they may do)."""
        super().__init__()
        self.runtime, self.live, self.clock = runtime, live, clock
        self.desk = OrderDesk(runtime.settings.station, staff)
        self.stopping = threading.Event()

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.runtime.cache, self.clock, self.runtime.settings.sla_hours))
        self.call_after_refresh(self._show_status, None)
        if self.live:
            self.run_live()

    @work(thread=True, exclusive=True, group="live")
    def run_live(self) -> None:
        """Sync and push in a loop, off the UI thread; each pass reports back as a message."""

        def report(update: LiveUpdate) -> None:
            self.post_message(LiveUpdated(update))

        try:
            asyncio.run(self.runtime.live_loop(report, self.stopping))
        except Exception as exc:  # one line, no traceback: a frame's locals could hold request headers
            report(LiveUpdate(f"sync stopped ({type(exc).__name__}: {exc}); restart to retry", error=True))

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        self._show_status(message.update)
        if message.update.changed and isinstance(self.screen, QueueScreen):
            self.screen.action_refresh()
        elif message.update.changed and isinstance(self.screen, OrderScreen):
            self.screen.action_reload()

    def _show_status(self, update: LiveUpdate | None) -> None:
        for status in self.screen.query(SyncStatus):
            status.store = self.runtime.store_label
            status.station = self.runtime.settings.station
            with self.runtime.cache.sessions() as session:
                status.pending = pending_outbox(session)
            if update is not None:
                status.state, status.failed = update.text, update.error
            elif not self.live:
                status.state = "not syncing"

    def action_search(self) -> None:
        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(self.runtime.cache, self.desk, self.clock))

    def open_order(self, order_id: str) -> None:
        self.push_screen(OrderScreen(self.runtime.cache, self.desk, self.clock, order_id))

    def action_help(self) -> None:
        self.notify("/ search · r refresh · j/k move · q quit", title="Keys", timeout=6)

    def on_unmount(self) -> None:
        self.stopping.set()


def run_app(settings: Settings) -> None:
    runtime = Runtime.start(settings)
    try:
        staff = None
        if settings.staff:
            with runtime.cache.sessions() as session:
                staff = active_staff(session, settings.staff)  # StaffError: one line, the app not started
        OmsApp(runtime, staff=staff).run()
    finally:
        runtime.close()
