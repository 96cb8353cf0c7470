"""The Textual app: screens over the cache; sync and outbox run in a background thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from importlib import import_module
from typing import Any, ClassVar

from sqlalchemy.exc import SQLAlchemyError
from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from oms_tui.actions.permissions import Permission, allowed
from oms_tui.app_changes import Hearing, ListenState, OthersChanged, watch_changes
from oms_tui.app_failures import FailureHandlingApp, log_to_file
from oms_tui.app_staff import StationStaff
from oms_tui.cache.change_signal import HEALTH, ChangeWatcher
from oms_tui.cache.models import Staff
from oms_tui.cache.outage import is_outage
from oms_tui.collector import settle as settle_collector
from oms_tui.config import Settings
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.staff import active_staff, record_sign_in
from oms_tui.floor.orders.lookup import NotFound, find_order
from oms_tui.floor.orders.scan_codes import Named, ScanTarget, identify
from oms_tui.floor.queues.claims import heartbeat
from oms_tui.live_process import AVAILABLE as live_process_available
from oms_tui.live_process import LiveProcess
from oms_tui.palette import OrderCommands
from oms_tui.runtime import LiveUpdate, Runtime, one_line
from oms_tui.scan_input import ScanInput
from oms_tui.screens.catalog import OPENED_OVER, SCREENS
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.messages import LiveUpdated, OpenOrder, Scanned
from oms_tui.screens.registry import ScreenContext, ScreenEntry
from oms_tui.sync_health import StoredHealth, SyncHealth, read_stored_health, with_update
from oms_tui.widgets.blocking_error import BlockingError

HEALTH_EVERY_S = 5.0  # the outbox and notices also change without a sync (actions on this station)
# The header's figures (the last sync, the outbox) are read again at most this often when told of
# changes: a busy floor moves them several times a second, and every station reads them.
HEALTH_NEWS_EVERY_S = 1.0
PREPARE_QUIET_S = 0.5  # a screen is made ahead only after this long without a key: keys never queue behind it


def local_now() -> datetime:
    """Now, in this machine's time zone: the header shows the floor's own time."""
    return datetime.now().astimezone()


class LiveReport(Message):
    """From the live loop's thread to the app."""

    def __init__(self, update: LiveUpdate) -> None:
        super().__init__()
        self.update = update


class ScreensLoaded(Message):
    """The code of the screens not shown yet is imported: they can be made."""


SCREEN_KEYS = Binding.Group("Screens")  # a footer short of room shows them as "F2 F3 … Screens"


def screen_bindings(entries: Iterable[ScreenEntry]) -> list[Binding]:
    """One key per screen, from anywhere (ids `screens.<name>`, for keymaps)."""
    return [
        Binding(
            entry.key,
            f"show_screen('{entry.name}')",
            entry.title,
            id=f"screens.{entry.name}",
            group=SCREEN_KEYS,
        )
        for entry in entries
    ]


class OmsApp(StationStaff):
    """The screens of `SCREEN_ENTRIES` (the first is where the app opens), each as a mode."""

    TITLE = "oms-tui"
    COMMANDS = App.COMMANDS | {OrderCommands}
    SCREEN_ENTRIES: ClassVar[tuple[ScreenEntry, ...]] = SCREENS
    OPENED_OVER: ClassVar[tuple[str, ...]] = OPENED_OVER  # their modules are loaded ahead too
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

    IDLE_CHECK_S: ClassVar[float] = 10.0  # how often idle sign-out looks at the last key's time

    def __init__(
        self,
        runtime: Runtime,
        *,
        live: bool = True,
        clock: Callable[[], datetime] = local_now,
        staff: Staff | None = None,
        sign_in_first: bool = False,
        driver_class: type[Driver] | None = None,
        prepare_screens: bool = False,
        hear_others: bool | None = None,
        live_process: bool = False,
    ) -> None:
        """`staff`: the person signed in at this station (their role decides what they may do).
        `sign_in_first`: with nobody signed in, open on the sign-in (as `oms-tui` does).
        `driver_class`: Textual's driver, for sessions in a browser (`oms_tui.web`).
        `prepare_screens`: after the first frame, make the other screens in the background (as
        `oms-tui` does), so that the first switch to one shows it at once.
        `hear_others`: hear other stations' changes (`live` says, unless told): a test's app without a sync
        watches only when the test is about that, so no reload lands in the middle of another test.
        `live_process`: the live loop in a process of its own (as `oms-tui` runs it), not in a thread
        (a test's runtime may hold a store transport that only this process can reach)."""
        super().__init__(driver_class=driver_class)
        self.runtime, self.live, self.clock = runtime, live, clock
        self.sign_in_first, self.prepare_screens = sign_in_first, prepare_screens
        self.hear_others = live if hear_others is None else hear_others
        self.live_process = LiveProcess(runtime) if live_process else None
        settings = runtime.settings
        self.desk = OrderDesk(settings.station, staff)  # the signed-in person: replaced at each sign-in
        self.scan_input = ScanInput(
            self,
            super().on_event,
            self.scanned,
            gap_ms=runtime.floor.scanner.gap_ms,
            min_length=runtime.floor.scanner.min_length,
        )
        self.last_input = clock()  # for idle sign-out
        self.last_input_at = 0.0  # time.monotonic() of the last key or mouse event
        self.stopping = threading.Event()
        self.watcher: ChangeWatcher | None = None  # other stations' changes, from the first frame
        self.hearing = Hearing(self, self.tell_heard)
        self.health_news = Hearing(self, lambda _kinds: self.read_health(), every=HEALTH_NEWS_EVERY_S)
        self.set_reactive(StationStaff.staff, staff.name if staff else None)
        self.entries = self.SCREEN_ENTRIES
        self.made: dict[str, Screen[Any]] = {}  # the screens made so far, by name: each gets live updates
        activity = "" if live else "not syncing"
        self.health = SyncHealth(runtime.settings.station, activity=activity, syncing=live)
        context = ScreenContext(runtime, clock)
        for entry in self.entries:
            self.add_mode(entry.name, partial(self._make, entry, context))

    def _make(self, entry: ScreenEntry, context: ScreenContext) -> Screen[Any]:
        screen = self.made[entry.name] = entry.make(context)
        return screen

    def on_mount(self) -> None:
        self.set_keymap(self.runtime.settings.keys)  # the station's own keys, by binding id
        self.switch_mode(self.entries[0].name)
        self.call_after_refresh(self._first_frame_shown)
        self.read_health()
        self.set_interval(HEALTH_EVERY_S, self.read_health)
        self.set_interval(self.lease.total_seconds() / 3, self.renew_claims)  # two beats may fail
        self.set_interval(self.IDLE_CHECK_S, self.sign_out_if_idle)
        if self.hear_others:
            self.watcher = watch_changes(self, self.runtime.cache)
        if self.sign_in_first and self.desk.staff is None:
            self.ask_sign_in(quietly=True)

    def _first_frame_shown(self) -> None:
        # What is made by the first frame lives as long as the app (oms_tui/collector.py). The
        # collector is on from here (`oms-tui` starts with it off: oms_tui/entry.py).
        settle_collector()
        if self.live:  # its thread imports the store client and syncs: not while the first frame is made
            self.run_live()
        if self.prepare_screens:
            self.load_screens()

    @work(thread=True, exclusive=True, exit_on_error=False, group="prepare-screens")
    def load_screens(self) -> None:
        """The code of the screens not shown yet, imported off the UI thread once the first frame is
        out (start-up stays lazy); then they are made one by one on the UI thread."""
        for module in [entry.module for entry in self.entries if entry.module] + list(self.OPENED_OVER):
            import_module(f"oms_tui.screens.{module}")
        self.post_message(ScreensLoaded())  # dropped quietly if the app has quit meanwhile

    @on(ScreensLoaded)
    def _make_next_screen(self) -> None:
        """One screen not made yet is made (composed, styled, its first read started) without being
        shown, then the next after the next frame; none while someone is pressing keys."""
        waiting = [entry for entry in self.entries if entry.name not in self.made]
        if not waiting:
            return
        busy = PREPARE_QUIET_S - (time.monotonic() - self.last_input_at)
        if busy > 0:
            self.set_timer(busy, self._make_next_screen)
            return
        shown = self.current_mode
        with self.batch_update():  # made and mounted, never drawn: what was shown is back at once
            self.switch_mode(waiting[0].name)
            self.switch_mode(shown)
        self.call_after_refresh(self._make_next_screen)

    async def on_event(self, event: events.Event) -> None:
        """Every key from the terminal goes through scan detection first (`scan_input`)."""
        if isinstance(event, events.InputEvent):
            self.last_input, self.last_input_at = self.clock(), time.monotonic()
        if not await self.scan_input.intercept(event):
            await super().on_event(event)

    # --- screens and keys ---------------------------------------------------------------------------
    def action_show_screen(self, name: str) -> None:
        """The screen the key names, not what was opened over it (an order, a search): those close,
        but a blocking error, which waits to be acknowledged."""
        self.switch_mode(name)
        while len(self.screen_stack) > 1 and not isinstance(self.screen, BlockingError):
            self.pop_screen()

    def action_count(self) -> None:
        from oms_tui.screens.count_screen import CountScreen  # opened from the palette: not needed at start

        self.push_screen(CountScreen(self.runtime.cache, self.runtime.settings))

    def action_replenish(self) -> None:
        from oms_tui.screens.replenish_screen import ReplenishScreen  # as the count screen

        self.push_screen(ReplenishScreen(self.runtime.cache, self.runtime.settings))

    def action_reports(self) -> None:
        if not allowed(self.desk.staff, Permission.VIEW_REPORTS):
            self.notify("Reports are for managers and support", title="Not allowed", severity="warning")
            return
        self.show_reports()

    def show_reports(self, people: bool = True) -> None:
        from oms_tui.screens.reports_screen import ReportsScreen  # charts (plotext): loaded when asked

        if not isinstance(self.screen, ReportsScreen):
            self.push_screen(ReportsScreen(self.runtime.cache, self.clock, people=people))

    def action_help(self) -> None:
        from oms_tui.screens.help_screen import HelpScreen  # screens not shown at start: imported when asked

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_inbound(self) -> None:
        from oms_tui.screens.inbound_screen import open_inbound  # the dock's screen: imported when asked

        open_inbound(self)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Sync now", "Sync with the store at once, without waiting", self.action_sync_now)
        yield SystemCommand(
            "Reconcile now",
            "Check the cache against the store's counts, day by day",
            self.action_reconcile_now,
        )
        yield SystemCommand("Go to order…", "Open an order by its number", self.action_go_to_order)
        yield SystemCommand("Switch staff", "Sign someone else in at this station", self.ask_sign_in)
        yield SystemCommand("Staff", "Who works here (a manager changes it)", self.action_staff)
        yield SystemCommand("Inbound", "Shipments on their way here: receive them", self.action_inbound)
        yield SystemCommand(
            "Stock count", "Count bins by scan (a zone, short picks, stale bins)", self.action_count
        )
        yield SystemCommand(
            "Replenishment", "Pick bins below their minimum, and what refills them", self.action_replenish
        )
        yield SystemCommand(
            "Reports", "Picked, packed, on time, exceptions (managers, support)", self.action_reports
        )
        if self.desk.staff is not None:
            name = self.desk.staff.name
            yield SystemCommand("Sign out", f"Sign {name} out", partial(self.sign_out, "asked"))
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
        (self.live_process or self.runtime).sync_now()
        self.health = replace(self.health, syncing=True)
        self.notify("Syncing now")

    def action_reconcile_now(self) -> None:
        if not self.live:
            self.notify("This station does not sync (started without the live loop)", severity="warning")
            return
        (self.live_process or self.runtime).reconcile_now()
        self.notify("Reconciling after this sync: the board's sync panel shows what it found")

    @work(thread=True, exit_on_error=False, exclusive=True, group="live")
    def run_live(self) -> None:
        """Sync and push in a loop, off the UI thread (or in a process of its own); each pass reports
        back as a message."""

        def report(update: LiveUpdate) -> None:
            self.post_message(LiveReport(update))

        try:  # the loop outlives failed passes; `stopping` (set on unmount) cancels it at once
            if self.live_process is not None:
                self.live_process.run(report, self.stopping)
            else:
                asyncio.run(self.runtime.live_loop(report, self.stopping))
        except Exception as exc:  # one line, no traceback: a frame's locals could hold request headers
            report(LiveUpdate(f"sync stopped ({one_line(exc)}); restart to retry", error=True))

    @on(LiveReport)
    def live_reported(self, message: LiveReport) -> None:
        self.health = with_update(self.health, message.update)
        self.health_news.heard(frozenset({HEALTH}))
        if message.update.changed and (kinds := message.update.kinds - {HEALTH}):
            self.hearing.heard(kinds)  # a first sync's pages land faster than screens read

    def tell_screens(self, update: LiveUpdate) -> None:
        """A change reaches the screens that show its kind: the one on show now, the others once
        shown (`LeanScreen.hear`)."""
        screens = list(self.made.values())
        # The one on show if opened over them (an order, a search); none once the app has closed
        # its screens, which a change heard as it quits may find.
        screens += [shown for shown in self.screen_stack[-1:] if shown not in screens]
        for screen in screens:
            if isinstance(screen, LeanScreen):
                screen.hear(update)
            elif update.changed:
                screen.post_message(LiveUpdated(update))

    @on(OthersChanged)
    def others_changed(self, message: OthersChanged) -> None:
        """Another station (or another connection of this one) committed a change."""
        if HEALTH in message.kinds:
            self.health_news.heard(frozenset({HEALTH}))
        if kinds := message.kinds - {HEALTH}:
            self.hearing.heard(kinds)

    def tell_heard(self, kinds: frozenset[str]) -> None:
        self.tell_screens(LiveUpdate("the floor changed", changed=True, kinds=kinds))

    @on(ListenState)
    def listen_state(self, message: ListenState) -> None:
        self.health = replace(self.health, listening=message.problem or "")

    @work(thread=True, exit_on_error=False, exclusive=True, group="health")
    def read_health(self) -> None:
        """Also the cache's probe: while it is unreachable, the read that reaches it again ends that."""
        try:
            stored = read_stored_health(self.runtime.cache, self.runtime.settings.api_version)
        except SQLAlchemyError as exc:
            if not is_outage(exc):
                raise
            self.runtime.cache.engine.dispose()  # the next try connects anew
            self.call_from_thread(self.cache_lost, exc)
            return
        self.call_from_thread(self._show_stored, stored)

    def _show_stored(self, stored: StoredHealth) -> None:
        if self.health.cache_down:  # back: every screen reads again what it could not meanwhile
            self.cache_back()
            self.tell_screens(LiveUpdate("the cache is reachable again", changed=True))
        self.health = replace(self.health, stored=stored)

    # --- claims ------------------------------------------------------------------------------------
    @property
    def lease(self) -> timedelta:
        return timedelta(minutes=self.runtime.settings.claim_lease_minutes)

    @work(thread=True, exit_on_error=False, exclusive=True, group="claims")
    def renew_claims(self) -> None:
        """Keep the signed-in person's claims while this station runs; if it crashes, they lapse."""
        if self.desk.staff is None:
            return
        try:
            with self.runtime.cache.sessions() as session:
                heartbeat(
                    session,
                    staff_code=self.desk.staff.code,
                    station=self.desk.station,
                    now=self.clock(),
                    lease=self.lease,
                )
                session.commit()
        except SQLAlchemyError as exc:  # the next beat tries again
            if is_outage(exc):
                self.call_from_thread(self.cache_lost, exc, "renewing your claims")
            else:
                self.call_from_thread(self.notify, f"claims not renewed: {one_line(exc)}", severity="warning")

    # --- go to order ---------------------------------------------------------------------------------
    def action_go_to_order(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.post_message(OpenOrder(name))

        from oms_tui.screens.order_prompt import OrderPrompt

        self.push_screen(OrderPrompt(), chosen)

    @on(OpenOrder)
    def order_asked(self, message: OpenOrder) -> None:
        self.look_up_order(message.order)

    @work(thread=True, exit_on_error=False, exclusive=True, group="order")
    def look_up_order(self, name: str) -> None:
        with self.runtime.cache.reads() as session:
            try:
                order = find_order(session, name)
            except NotFound as exc:
                self.call_from_thread(self.notify, str(exc), severity="warning")
                return
        self.call_from_thread(self.open_order, order.id)

    def open_order(self, order_id: str) -> None:
        from oms_tui.screens.order_screen import OrderScreen

        self.push_screen(OrderScreen(self.runtime.cache, self.desk, self.clock, order_id))

    def action_search(self) -> None:
        from oms_tui.screens.search_screen import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(self.runtime.cache, self.desk, self.clock))

    # --- scans ---------------------------------------------------------------------------------------
    def scanned(self, code: str) -> None:
        """A scanner's burst: a badge signs its person in from anywhere (but a blocking error, which
        must be acknowledged first); any other code goes to the active screen as `Scanned`."""
        if not isinstance(self.screen, BlockingError):
            try:
                with self.runtime.cache.reads() as session:
                    person = session.get(Staff, code.strip().upper())
            except SQLAlchemyError as exc:
                self.refuse(exc, "reading the scan")
                return
            if person is not None:
                if person.active:
                    self.sign_in(person, how="badge")
                else:
                    self.notify(f"{person.name} ({person.code}) no longer works here", severity="error")
                return
        self.screen.post_message(Scanned(code))

    @on(Scanned)
    def route_scan(self, message: Scanned) -> None:
        """No screen took the scan: open what it names."""
        self.identify_scan(message)

    @work(thread=True, exit_on_error=False, group="scan")
    def identify_scan(self, scan: Scanned) -> None:
        with self.runtime.cache.reads() as session:
            target = identify(session, scan.code)
        self.call_from_thread(self.open_scanned, scan, target)

    def open_scanned(self, scan: Scanned, target: ScanTarget) -> None:
        if target.order_id is not None:
            self.open_order(target.order_id)
        elif target.named is Named.ITEM:
            from oms_tui.screens.search_screen import SearchScreen

            self.push_screen(SearchScreen(self.runtime.cache, self.desk, self.clock, scan.code))
        else:
            self.notify(
                f"unknown code {scan.shown}: no order, badge, tracking number, SKU or barcode",
                severity="warning",
            )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice as plain text, whatever the caller asks: notices quote scans, typing and the
        store's messages, any of which may look like markup (and a screen's `notify` asks for it)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_unmount(self) -> None:
        self.stopping.set()
        if self.watcher is not None:
            self.watcher.stopping.set()  # its thread ends within its next wait

    def _fatal_error(self) -> None:
        """The crash dump without the frames' local variables, which hold the database password and
        the store token (conninfo, request headers). Textual 8 hard-codes `show_locals=True` here and
        offers no setting; tests/ui/test_crash_dump.py fails if this override stops taking effect."""
        import rich
        from rich.traceback import Traceback  # only on a crash: not among the start's imports

        self.bell()
        self.panic(Traceback(show_locals=False, width=None, suppress=[rich]))


def run_app(
    settings: Settings,
    *,
    board: bool = False,
    driver_class: type[Driver] | None = None,
    started: Callable[[OmsApp], None] | None = None,
) -> None:
    """The app, or with `board` the board alone (read-only, nobody signed in); `started` is handed
    the app before it runs."""
    runtime = Runtime.start(settings, app_start=True)
    FailureHandlingApp.log_file = FailureHandlingApp.log_file or log_to_file()
    try:
        if board:
            from oms_tui.board_app import BoardApp

            app: OmsApp = BoardApp(runtime, driver_class=driver_class, live_process=live_process_available)
        else:
            staff = None
            if settings.staff:
                with runtime.cache.sessions() as session:
                    staff = active_staff(session, settings.staff)  # StaffError: one line, not started
                    record_sign_in(session, settings.station, staff, "settings")
                    session.commit()
            app = OmsApp(
                runtime,
                staff=staff,
                sign_in_first=True,
                driver_class=driver_class,
                prepare_screens=True,
                live_process=live_process_available,
            )
        if started is not None:
            started(app)
        app.run()
    finally:
        runtime.close()
    if app.return_code:  # it ended on an error (Textual printed it): the shell must see that
        raise SystemExit(app.return_code)
