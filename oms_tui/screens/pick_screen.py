"""The picker's screen: their open pick list in walking order, counted by scanning.

Each scan (the app's `Scanned` message) counts one unit into its tote; a wrong item, an over-pick or
an unknown code stops the picker with a blocking error. A code typed on the keyboard (a label that will
not scan, or a scan whose Enter came late and so arrived as typing) counts the same once Enter ends it.
Scans are queued and counted one after the other (`StepQueue`), so a fast burst of scans is neither
dropped nor reordered. After each live update the screen looks for orders that left the list
(cancelled, held) and shows their put-back at once, blocking.

The counting worker keeps the sheet it counts against (`scan_sheet`) and updates it from each count
it writes, so a scan is one short write transaction with no read of the list; a fresh read (on
load) replaces it under the same lock, so the two never interleave.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from oms_tui.cache.change_signal import SYNC
from oms_tui.cache.database import Cache
from oms_tui.config import Settings
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import ActionRefused, Actor
from oms_tui.floor.picking.pick_batches import finish, start_batch, wave_shipping_methods
from oms_tui.floor.picking.pick_lists import PickRefused, open_pick_list
from oms_tui.floor.picking.pick_scans import (
    ScanResult,
    StaleSheet,
    awaiting_decision,
    count_scan,
    hold_short,
    open_list,
    ship_rest,
    short_pick,
)
from oms_tui.floor.picking.pick_sheet import PickSheet, SheetLine, read_sheet
from oms_tui.floor.picking.put_back import PutBack, pending_put_backs, put_back_done, withdraw_departed
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues import claims
from oms_tui.floor.queues.claims import ClaimRefused, Wave
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.messages import LiveUpdated, Scanned, StaffChanged
from oms_tui.screens.pick_papers import PickPapers, first_line
from oms_tui.screens.pick_view import COLUMNS, cursor_after, line_cells, summary, typing_line
from oms_tui.screens.read_in_turn import ReadInTurn
from oms_tui.screens.registry import ScreenContext
from oms_tui.screens.step_queue import StepQueue
from oms_tui.screens.stock_keys import ask_set_aside
from oms_tui.widgets.blocking_error import block
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.pick_lines import PickLines
from oms_tui.widgets.same_content import update
from oms_tui.widgets.shell_header import ShellHeader

WAVES = {
    "next": ("The next orders in the queue", None),
    "single": ("Single-item orders", Wave(single_item=True)),
    "rush": ("Rush orders", Wave(rush=True)),
}
Refusal = (PickRefused, ActionRefused, ClaimRefused, SQLAlchemyError)
Done = TypeVar("Done")  # what a step returns


class PickScreen(PickPapers):
    AUTO_FOCUS = "#lines"
    # A list changes under its picker only when the store's orders do (cancelled, held, edited). Others'
    # picks, packs and claims leave it alone: a busy floor claims something every second or so.
    LIVE_KINDS = frozenset({SYNC})
    DEFAULT_CSS = """
    PickScreen #summary { height: 1; padding: 0 1; background: $boost; }
    PickScreen #lines { height: 1fr; }
    PickScreen #last { height: 3; padding: 0 1; border-top: solid $primary 50%; }
    PickScreen #prompt { height: 1fr; content-align: center middle; text-style: bold; }
    """
    BINDINGS = [
        Binding("n", "new_batch('next')", "New batch", id="pick.new_batch"),
        Binding("w", "wave", "Wave", id="pick.wave"),
        Binding("s", "short", "Short", id="pick.short"),
        Binding("x", "damaged", "Damaged unit", id="pick.damaged"),
        Binding("d", "decide", "Decide short", id="pick.decide"),
        Binding("b", "put_back_done", "Put back done", id="pick.put_back"),
        Binding("c", "complete", "Complete", id="pick.complete"),
        Binding("e", "export", "Export", id="pick.export"),
        Binding("p", "print", "Print", id="pick.print"),
        Binding("r", "reload", "Refresh", id="pick.refresh"),
    ]

    class Loaded(Message):
        def __init__(
            self, sheet: PickSheet | None, put_backs: list[PutBack], note: str = "", decide: bool = False
        ) -> None:
            """`decide`: then ask for the short pick's decision (the sheet must show the short first)."""
            super().__init__()
            self.sheet, self.put_backs, self.note, self.decide = sheet, put_backs, note, decide

    class Counted(Message):
        def __init__(self, result: ScanResult, sheet: PickSheet) -> None:
            super().__init__()
            self.result, self.sheet = result, sheet

    class ReadDone(Message):
        """A read of the open list ended, shown or not."""

    class Refused(Message):
        def __init__(self, title: str, text: str) -> None:
            super().__init__()
            self.title, self.text = title, text

    def __init__(
        self, cache: Cache, settings: Settings, walk: WalkRule, clock: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self.cache, self.settings, self.clock = cache, settings, clock
        self.walk = walk
        self.sheet: PickSheet | None = None
        self.scans = StepQueue[tuple[str, int, Actor]](self, self.count_scan, "pick-scans")
        self.typed = ""  # a code being typed on the keyboard, counted at Enter
        self.count_lock = threading.Lock()  # held while a scan is counted or the sheet read afresh
        self.scan_sheet: PickSheet | None = None  # the list as last written or read
        # What to tell the picker after a step (and whether to ask the short's decision), shown by the
        # next read to begin after its commit: a reload in between (a change heard) must not drop it.
        self.after_steps: deque[tuple[str, bool]] = deque()
        self.reads = ReadInTurn(self.read_list)

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        yield Static("", id="summary")
        yield Static("", id="prompt")
        yield PickLines(COLUMNS, id="lines")
        yield Static("", id="last")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Pick"
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def on_screen_suspend(self) -> None:
        """A code half typed when the picker left is not counted later by surprise (shown again by
        now: the app only made another screen ahead, the picker is still here)."""
        if self.typed and not self.is_current:
            self.typed = ""
            self.query_one("#last", Static).update(typing_line(""), layout=False)

    # --- who works here ------------------------------------------------------------------------------
    @property
    def actor(self) -> Actor:
        return self.desk.actor

    @property
    def desk(self) -> OrderDesk:
        desk = self.app.desk  # type: ignore[attr-defined]
        assert isinstance(desk, OrderDesk)
        return desk

    @property
    def lease(self) -> timedelta:
        return timedelta(minutes=self.settings.claim_lease_minutes)

    # --- reading -------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load()

    @on(LiveUpdated)
    def live(self, event: LiveUpdated) -> None:
        event.stop()
        self.load()

    @on(StaffChanged)
    def staff_changed(self, event: StaffChanged) -> None:
        """Another person works here now: their open list (or the prompt)."""
        event.stop()
        self.load()

    def load(self) -> None:
        """Read the open list now, or right after the read under way (`ReadInTurn`)."""
        self.reads.ask()

    @on(ReadDone)
    def read_done(self, event: ReadDone) -> None:
        event.stop()
        self.reads.done()

    @work(thread=True, exit_on_error=False, group="pick-load")
    def read_list(self) -> None:
        try:
            self._read_list()
        finally:
            self.post_message(self.ReadDone())

    def _read_list(self) -> None:
        """The open list; orders that left it become put-backs (recorded here, shown blocking)."""
        steps = [self.after_steps.popleft() for _ in range(len(self.after_steps))]
        note = "; ".join(note for note, _ in steps if note)
        decide = any(decide for _, decide in steps)
        actor = self.actor
        if actor.staff_code is None:
            self.post_message(self.Loaded(None, [], note))
            return
        try:
            with self.count_lock, self.cache.sessions() as session:
                pick_list = open_pick_list(session, actor.staff_code)
                if pick_list is None or pick_list.id is None:
                    session.commit()
                    self.scan_sheet = None
                    self.post_message(self.Loaded(None, [], note))
                    return
                new = withdraw_departed(session, pick_list.id, actor)
                claims.heartbeat(
                    session,
                    staff_code=actor.staff_code,
                    station=actor.station,
                    now=self.clock(),
                    lease=self.lease,
                )
                session.commit()
                self.scan_sheet = sheet = read_sheet(session, pick_list.id)
                self.post_message(self.Loaded(sheet, new, note, decide))
        except Refusal as exc:
            self.post_message(self.Refused("Pick list", first_line(exc)))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.show(message.sheet)
        if message.note:
            self.notify(message.note)
        for task in message.put_backs:
            block(
                self.app,
                "Put back",
                task.describe(),
                "Return the units, then press b (put back done)" if task.returns else "",
            )
        if message.decide:
            self.action_decide()

    def show(self, sheet: PickSheet | None, changed: int | None = None) -> None:
        """Show the sheet; `changed`: the only stop that differs from the sheet shown (after a scan)."""
        shown, self.sheet = self.sheet, sheet
        table = self.query_one("#lines", PickLines)
        prompt = self.query_one("#prompt", Static)
        staff = self.desk.staff
        if sheet is None:
            table.display = False
            prompt.display = True
            update(self.query_one("#summary", Static), "")
            update(
                prompt,
                "Nobody is signed in: scan your badge to start picking"
                if staff is None
                else f"{staff.name}, no open pick list: press n for a new batch, w for a wave",
            )
            return
        prompt.display, table.display = False, True
        if self.focused is None:  # hiding the list (no open list) took the focus from it
            table.focus()
        update(self.query_one("#summary", Static), summary(sheet, staff), layout=False)  # no reflow
        if changed is not None and len(table.rows) == len(sheet.lines):
            rows = list(table.rows)
            index = next(n for n, line in enumerate(sheet.lines) if line.stop == changed)
            rows[index] = line_cells(sheet.lines[index])
            table.set_rows(rows)
        else:
            table.set_rows([line_cells(line) for line in sheet.lines])
        new_list = shown is None or shown.pick_list_id != sheet.pick_list_id
        cursor = cursor_after(sheet, changed) if changed is not None or new_list else None
        if cursor is not None:
            table.move_cursor(cursor)

    # --- scans ---------------------------------------------------------------------------------------
    @on(Scanned)
    def scanned(self, event: Scanned) -> None:
        event.stop()
        self.take(event.code)

    def take(self, code: str, typed: bool = False) -> None:
        """A scanned or typed code: counted in its turn, after the ones before it."""
        if self.sheet is None:
            shown = f"{'Typed' if typed else 'Scanned'} {code[:64]!r}"
            block(
                self.app,
                "No pick list",
                f"{shown} but there is no open pick list",
                "Sign in, then press n for a new batch" if self.desk.staff else "Scan your badge first",
            )
            return
        self.scans.add((code, self.sheet.pick_list_id, self.actor))

    def count_scan(self, scan: tuple[str, int, Actor]) -> None:
        """In the scans' worker thread: one code counted, in one transaction."""
        code, pick_list_id, actor = scan
        try:
            with self.count_lock, self.cache.sessions() as session:
                sheet = self.scan_sheet
                if sheet is None or sheet.pick_list_id != pick_list_id:
                    sheet = read_sheet(session, pick_list_id)
                try:
                    result, sheet = count_scan(session, sheet, code, actor)
                except StaleSheet:  # changed under it (another station, a put-back): read again
                    session.rollback()
                    open_list(session, pick_list_id)
                    result, sheet = count_scan(session, read_sheet(session, pick_list_id), code, actor)
                session.commit()
                self.scan_sheet = sheet
                self.post_message(self.Counted(result, sheet))
        except (StaleSheet, *Refusal) as exc:
            self.post_message(self.Refused("Scan not counted", first_line(exc)))

    def on_key(self, event: events.Key) -> None:
        """Typing a code: a printable key no binding takes starts it; once started every printable key
        is part of it (a code's letters are not commands); Enter counts it, Esc drops it."""
        if event.key == "enter":
            code, self.typed = self.typed.strip(), ""
            if code:
                self.take(code, typed=True)
            else:
                self.notify("Enter alone counts nothing: scan an item, or type its SKU or barcode first")
        elif self.typed and event.key == "escape":
            self.typed = ""
        elif self.typed and event.key == "backspace":
            self.typed = self.typed[:-1]
        elif event.is_printable and event.character and (self.typed or event.key not in self.active_bindings):
            self.typed += event.character
        else:
            return
        event.stop()
        event.prevent_default()
        self.query_one("#last", Static).update(typing_line(self.typed), layout=False)

    @on(Counted)
    def counted(self, message: Counted) -> None:
        result = message.result
        self.show(message.sheet, message.result.stop)
        last = self.query_one("#last", Static)
        if result.ok:
            last.update(Text.assemble(("✓ ", "bold green"), (result.message, "bold")), layout=False)
            return
        last.update(Text.assemble(("✗ ", "bold red"), (result.message, "bold red")), layout=False)
        block(self.app, str(result.problem).capitalize(), result.message, result.hint)

    @on(Refused)
    def refused(self, message: Refused) -> None:
        block(self.app, message.title, message.text)

    # --- keys ----------------------------------------------------------------------------------------
    def current_line(self) -> SheetLine | None:
        if self.sheet is None or not self.sheet.lines:
            return None
        row = self.query_one("#lines", PickLines).cursor
        return self.sheet.lines[min(max(row, 0), len(self.sheet.lines) - 1)]

    def action_new_batch(self, wave: str) -> None:
        self.new_batch(WAVES[wave][1])

    def new_batch(self, wave: Wave | None) -> None:
        if self.desk.staff is None:
            self.notify("Scan your badge first: a pick list belongs to a person", severity="warning")
            return
        self.write(
            lambda session: start_batch(
                session,
                self.actor,
                now=self.clock(),
                lease=self.lease,
                count=self.settings.pick_batch,
                walk=self.walk,
                wave=wave,
            ),
            "New batch",
            "new batch started",
        )

    @work(thread=True, exit_on_error=False, exclusive=True, group="pick-wave")
    def action_wave(self) -> None:
        """The waves to choose from: the fixed ones, then a carrier wave per shipping method in the
        work ready to pick (read off the UI thread: it counts the whole queue)."""
        try:
            with self.cache.reads() as session:
                methods = wave_shipping_methods(session, self.clock())
        except SQLAlchemyError as exc:
            self.post_message(self.Refused("Waves", first_line(exc)))
            return
        self.app.call_from_thread(self.ask_wave, methods)

    def ask_wave(self, methods: list[tuple[str, int]]) -> None:
        waves = {key: wave for key, (_, wave) in WAVES.items()}
        options = [(label, key) for key, (label, _) in WAVES.items()]
        for method, count in methods:
            waves[f"ship:{method}"] = Wave(shipping_method=method)
            options.append((f"{method} ({count} to pick)", f"ship:{method}"))

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                self.new_batch(waves[choice.value])

        self.app.push_screen(ChoiceModal(f"New batch of {self.settings.pick_batch}", options), chosen)

    def action_short(self) -> None:
        line = self.current_line()
        if self.sheet is None or line is None:
            return
        if not line.left:
            self.notify(f"{line.sku or line.title}: nothing left to pick on this line", severity="warning")
            return
        pick_list_id = self.sheet.pick_list_id

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                missing = int(choice.value)
                self.write(
                    lambda session: short_pick(session, pick_list_id, line.stop, self.actor, missing),
                    "Short pick",
                    "short pick recorded",
                    then_decide=True,
                )

        options = [
            (f"{n} missing" + (" (all left)" if n == line.left else ""), str(n))
            for n in range(line.left, 0, -1)
        ]
        title = f"Short: {line.sku or line.title} in {line.bin_code or '(no bin)'}"
        self.app.push_screen(ChoiceModal(title, options), chosen)

    def action_damaged(self) -> None:
        line = self.current_line()
        if self.sheet is not None and line is not None:
            ask_set_aside(self, self.sheet.pick_list_id, line, self.actor)

    def action_decide(self) -> None:
        """For each short order: ship the rest, or hold it (the store hears of the hold)."""
        if self.sheet is None:
            return
        undecided = awaiting_decision(self.sheet)
        if not undecided:
            self.notify("No short pick waiting for a decision")
            return
        fo_id = undecided[0]
        pick_list_id = self.sheet.pick_list_id
        name = next(
            t.order_name for line in self.sheet.lines for t in line.totes if t.fulfillment_order_id == fo_id
        )

        def chosen(choice: Choice | None) -> None:
            if choice is None:
                return
            if choice.value == "ship":
                self.write(
                    lambda s: ship_rest(s, pick_list_id, fo_id, self.actor),
                    "Ship the rest",
                    f"{name} ships short",
                )
            else:
                self.write(
                    lambda s: hold_short(s, pick_list_id, fo_id, self.actor),
                    "Hold",
                    lambda task: f"{task.describe()}, then press b" if task.returns else f"{name} held",
                )

        options = [
            ("Ship the rest (packing gets what was found)", "ship"),
            ("Hold the order (out of stock; units go back)", "hold"),
        ]
        self.app.push_screen(ChoiceModal(f"{name} is short", options), chosen)

    def action_put_back_done(self) -> None:
        if self.sheet is None:
            return
        pick_list_id = self.sheet.pick_list_id

        def done(session: Session) -> object:
            tasks = pending_put_backs(session, pick_list_id)
            if not tasks:
                raise PickRefused("nothing to put back")
            return put_back_done(session, pick_list_id, tasks[0].fulfillment_order_id, self.actor)

        self.write(done, "Put back", "put back done")

    def action_complete(self) -> None:
        if self.sheet is None:
            return
        pick_list_id = self.sheet.pick_list_id
        self.write(
            lambda s: finish(s, pick_list_id, self.actor, self.clock()),
            "Complete",
            f"pick list {pick_list_id} done",
        )

    @work(thread=True, exit_on_error=False, group="pick-actions")
    def write(
        self,
        act: Callable[[Session], Done],
        title: str,
        done: str | Callable[[Done], str],
        then_decide: bool = False,
    ) -> None:
        """One step in one transaction; a refusal changes nothing and is shown blocking. `done`: what
        to tell the picker then (or how to tell it from what the step returned)."""
        try:
            with self.cache.sessions() as session:
                result = act(session)
                session.commit()
        except Refusal as exc:
            self.post_message(self.Refused(title, first_line(exc)))
            return
        self.after_steps.append((done if isinstance(done, str) else done(result), then_decide))
        self.app.call_from_thread(self.load)


def make_screen(context: ScreenContext) -> PickScreen:
    """The pick screen, made when first shown (`catalog.py` gives its key and title)."""
    return PickScreen(context.cache, context.settings, context.floor.walk, context.clock)
