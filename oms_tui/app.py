"""The Textual app: screens over the cache; sync and outbox run in a background thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from oms_tui.cache.models import Staff
from oms_tui.config import Settings
from oms_tui.floor.lookup import NotFound, find_order
from oms_tui.floor.order_desk import OrderDesk
from oms_tui.floor.staff import active_staff
from oms_tui.palette import OrderCommands
from oms_tui.runtime import LiveUpdate, Runtime, one_line
from oms_tui.screens.catalog import SCREENS
from oms_tui.screens.help_screen import HelpScreen
from oms_tui.screens.messages import LiveUpdated, OpenOrder
from oms_tui.screens.order_prompt import OrderPrompt
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.registry import ScreenContext, ScreenEntry
from oms_tui.screens.search_screen import SearchScreen
from oms_tui.sync_health import StoredHealth, SyncHealth, read_stored_health, with_update

HEALTH_EVERY_S = 5.0  # the outbox and notices also change without a sync (actions on this station)


def local_now() -> datetime:
    """Now, in this machine's time zone: the header shows the floor's own time."""
    return datetime.now().astimezone()


class LiveReport(Message):
    """From the live loop's thread to the app."""

    def __init__(self, update: LiveUpdate) -> None:
        super().__init__()
        self.update = update


def screen_bindings(entries: Iterable[ScreenEntry]) -> list[Binding]:
    """One key per screen, from anywhere (ids `screens.<name>`, for keymaps)."""
    return [
        Binding(entry.key, f"show_screen('{entry.name}')", entry.title, id=f"screens.{entry.name}")
        for entry in entries
    ]


class OmsApp(App[None]):
    """The screens of `SCREEN_ENTRIES` (the first is where the app opens), each as a mode."""

    TITLE = "oms-tui"
    COMMANDS = App.COMMANDS | {OrderCommands}
    SCREEN_ENTRIES: ClassVar[tuple[ScreenEntry, ...]] = SCREENS
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            tooltip="even while typing",
            id="app.quit_now",
        ),
        Binding("question_mark,f1", "help", "Help", tooltip="this list of keys", id="app.help"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            tooltip="go to order, sync now, screens, theme",
            id="app.commands",
        ),
        Binding("slash", "search", "Search", tooltip="find any order", id="app.search"),
        *screen_bindings(SCREENS),
    ]

    health: reactive[SyncHealth] = reactive(SyncHealth(""), init=False)
    staff: reactive[str | None] = reactive(None)  # the signed-in person (sign-in comes with its issue)

    def __init__(
        self,
        runtime: Runtime,
        *,
        live: bool = True,
        clock: Callable[[], datetime] = local_now,
        staff: Staff | None = None,
        driver_class: type[Driver] | None = None,
    ) -> None:
        """`staff`: the person signed in at this station (their role decides what they may do);
        `driver_class`: Textual's driver, for sessions in a browser (`oms_tui.web`)."""
        super().__init__(driver_class=driver_class)
        self.runtime, self.live, self.clock = runtime, live, clock
        self.desk = OrderDesk(runtime.settings.station, staff)  # what the signed-in person may do
        self.stopping = threading.Event()
        self.set_reactive(OmsApp.staff, staff.name if staff else None)
        self.entries = self.SCREEN_ENTRIES
        self.made: dict[str, Screen[Any]] = {}  # the screens made so far, by name: each gets live updates
        self.health = SyncHealth(runtime.settings.station, activity="" if live else "not syncing")
        context = ScreenContext(runtime, clock)
        for entry in self.entries:
            self.add_mode(entry.name, partial(self._make, entry, context))

    def _make(self, entry: ScreenEntry, context: ScreenContext) -> Screen[Any]:
        screen = self.made[entry.name] = entry.make(context)
        return screen

    def on_mount(self) -> None:
        self.switch_mode(self.entries[0].name)
        self.read_health()
        self.set_interval(HEALTH_EVERY_S, self.read_health)
        if self.live:
            self.run_live()

    # --- screens and keys ---------------------------------------------------------------------------
    def action_show_screen(self, name: str) -> None:
        self.switch_mode(name)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Sync now", "Sync with the store at once, without waiting", self.action_sync_now)
        yield SystemCommand("Go to order…", "Open an order by its number", self.action_go_to_order)
        for entry in self.entries:
            yield SystemCommand(
                f"{entry.title} screen",
                f"Show {entry.title} ({entry.key})",
                partial(self.switch_mode, entry.name),
            )
        yield SystemCommand("Keys", "Every key of this screen and the app's", self.action_help)
        # Textual's own (theme, quit, screenshot...), but its key panel: the help screen lists the keys
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")

    # --- sync ----------------------------------------------------------------------------------------
    def action_sync_now(self) -> None:
        if not self.live:
            self.notify("This station does not sync (started without the live loop)", severity="warning")
            return
        self.runtime.sync_now()
        self.notify("Syncing now")

    @work(thread=True, exclusive=True, group="live")
    def run_live(self) -> None:
        """Sync and push in a loop, off the UI thread; each pass reports back as a message."""

        def report(update: LiveUpdate) -> None:
            self.post_message(LiveReport(update))

        try:  # the loop outlives failed passes; `stopping` (set on unmount) cancels it at once
            asyncio.run(self.runtime.live_loop(report, self.stopping))
        except Exception as exc:  # one line, no traceback: a frame's locals could hold request headers
            report(LiveUpdate(f"sync stopped ({one_line(exc)}); restart to retry", error=True))

    @on(LiveReport)
    def live_reported(self, message: LiveReport) -> None:
        self.health = with_update(self.health, message.update)
        self.read_health()
        for screen in self.made.values():
            screen.post_message(LiveUpdated(message.update))
        if message.update.changed and isinstance(self.screen, OrderScreen):
            self.screen.action_reload()

    @work(thread=True, exclusive=True, group="health")
    def read_health(self) -> None:
        stored = read_stored_health(self.runtime.cache)
        self.call_from_thread(self._show_stored, stored)

    def _show_stored(self, stored: StoredHealth) -> None:
        self.health = replace(self.health, stored=stored)

    # --- go to order ---------------------------------------------------------------------------------
    def action_go_to_order(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.post_message(OpenOrder(name))

        self.push_screen(OrderPrompt(), chosen)

    @on(OpenOrder)
    def order_asked(self, message: OpenOrder) -> None:
        self.look_up_order(message.order)

    @work(thread=True, exclusive=True, group="order")
    def look_up_order(self, name: str) -> None:
        with self.runtime.cache.reads() as session:
            try:
                order = find_order(session, name)
            except NotFound as exc:
                self.call_from_thread(self.notify, str(exc), severity="warning")
                return
        self.call_from_thread(self.open_order, order.id)

    def open_order(self, order_id: str) -> None:
        self.push_screen(OrderScreen(self.runtime.cache, self.desk, self.clock, order_id))

    def action_search(self) -> None:
        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(self.runtime.cache, self.desk, self.clock))

    def on_unmount(self) -> None:
        self.stopping.set()


def run_app(
    settings: Settings,
    *,
    board: bool = False,
    driver_class: type[Driver] | None = None,
    started: Callable[[OmsApp], None] | None = None,
) -> None:
    """The app, or with `board` the board alone (read-only, nobody signed in); `started` is handed
    the app before it runs."""
    runtime = Runtime.start(settings)
    try:
        if board:
            from oms_tui.board_app import BoardApp

            app: OmsApp = BoardApp(runtime, driver_class=driver_class)
        else:
            staff = None
            if settings.staff:
                with runtime.cache.sessions() as session:
                    staff = active_staff(session, settings.staff)  # StaffError: one line, not started
            app = OmsApp(runtime, staff=staff, driver_class=driver_class)
        if started is not None:
            started(app)
        app.run()
    finally:
        runtime.close()
