"""Receiving returns: the queue of open returns, and the receiving view of one.

Scan an order number or a return label (or pick a row, Enter) to open a return; scan each item that
came back; decide per item: restock to a bin, damaged, missing; finish. A wrong item blocks until
acknowledged. Every step is written to the cache with its audit event off the UI thread, one after
another in the order they came (scans may arrive back to back), so leaving the return, switching staff
or a restart loses nothing: opening it again resumes it. Finishing records the dispositions and the
close for the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Static

from oms_tui.cache.change_signal import RETURNS, SYNC
from oms_tui.cache.database import Cache
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import ActionRefused
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.floor.orders.lookup import NotFound
from oms_tui.floor.returns.receiving import ReceivedElsewhere, decide, finish, leave, open_receiving, scan
from oms_tui.floor.returns.returns import (
    DAMAGED,
    MISSING,
    RESTOCK,
    QueuedReturn,
    Receiving,
    ReturnItem,
    open_returns,
    shelves_for,
)
from oms_tui.floor.stock.damaged import returned_to_stock
from oms_tui.runtime import one_line
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.messages import LiveUpdated, Scanned
from oms_tui.screens.queue_screen import age
from oms_tui.screens.registry import ScreenContext
from oms_tui.screens.step_queue import StepQueue
from oms_tui.widgets.blocking_error import block
from oms_tui.widgets.fitted_table import FittedTable, Row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.shell_header import ShellHeader
from oms_tui.widgets.table_columns import Column

REFRESH_SECONDS = 60.0  # for ages and lateness, which time changes; data changes are heard
OUTCOME_STYLE = {RESTOCK: "green", DAMAGED: "yellow", MISSING: "red"}
RECEIVING_ACTIONS = ("restock", "quality_check", "damaged", "missing", "finish", "leave")


@dataclass(frozen=True)
class Stepped:
    """What a step left: the return as it now stands (None: back to the queue), and what to tell."""

    receiving: Receiving | None
    highlight: str | None = None
    problem: tuple[str, str, str] | None = None  # title, message, hint: blocks until acknowledged
    note: str | None = None  # a refusal: nothing was written
    done: str | None = None  # the return was finished or left


# One step in its own transaction, given the open return's id (None: none open).
Step = Callable[[Session, str | None], Stepped]


# By content; a narrow screen hides the highest priority numbers first.
QUEUE_COLUMNS = (
    Column("Return", max_width=14),
    Column("Order", max_width=12),
    Column("Customer", min_width=12, max_width=28),
    Column("Age", priority=3),
    Column("Units", priority=2),
    Column("Label", priority=2),
    Column("Reasons", min_width=16, priority=2, flex=True),
)
ITEM_COLUMNS = (
    Column("SKU", max_width=24),
    Column("Item", min_width=14, max_width=40),
    Column("Expected"),
    Column("Received"),
    Column("Decision", min_width=10, max_width=30),
    Column("Customer's reason", min_width=16, priority=2, flex=True),
)


class ReturnsScreen(LeanScreen[None]):
    LIVE_KINDS = frozenset({RETURNS, SYNC})
    AUTO_FOCUS = "#queue"
    BINDINGS = [
        Binding("r", "restock", "Restock", id="returns.restock"),
        Binding("u", "quality_check", "Restock for QC", id="returns.quality_check"),
        Binding("d", "damaged", "Damaged", id="returns.damaged"),
        Binding("m", "missing", "Missing", id="returns.missing"),
        Binding("f", "finish", "Finish", id="returns.finish"),
        Binding("escape", "leave", "Back to queue", id="returns.leave"),
        Binding("j,down", "cursor_down", "Down", show=False, id="returns.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="returns.up"),
    ]
    DEFAULT_CSS = """
    ReturnsScreen #prompt { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ReturnsScreen DataTable { height: 1fr; }
    ReturnsScreen #items { display: none; }
    ReturnsScreen.receiving #items { display: block; }
    ReturnsScreen.receiving #queue { display: none; }
    ReturnsScreen #detail { height: 4; padding: 0 1; background: $boost; }
    """

    def __init__(self, cache: Cache, clock: Callable[[], datetime], rules: RuleSettings) -> None:
        super().__init__()
        self.cache, self.clock, self.rules = cache, clock, rules
        self.receiving: Receiving | None = None
        self.steps = StepQueue[Step](self, self.run_one, "returns-steps")
        self.queued: dict[str, QueuedReturn] = {}
        self.next_load: Timer | None = None
        self.for_quality: set[str] = set()  # lines restocked into quality control, not for sale yet

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The receiving keys only while receiving (the Footer shows what applies)."""
        if action in RECEIVING_ACTIONS:
            return self.receiving is not None
        return True

    @property
    def desk(self) -> OrderDesk:
        desk: OrderDesk = self.app.desk  # type: ignore[attr-defined]  # the signed-in person
        return desk

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        yield Static("", id="prompt")
        yield FittedTable(QUEUE_COLUMNS, cursor_type="row", zebra_stripes=True, id="queue")
        yield FittedTable(ITEM_COLUMNS, cursor_type="row", zebra_stripes=True, id="items")
        yield Static("", id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Returns"
        self._show_queue_mode()
        self.load()

    # --- the queue ------------------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, exclusive=True, group="returns-queue")
    def load(self) -> None:
        try:
            with self.cache.reads() as session:
                queued = open_returns(session)
        except SQLAlchemyError:  # said by the app; tried again by itself
            self.app.call_from_thread(self.load_later)
            raise
        self.app.call_from_thread(self.show_queue, queued)

    def show_queue(self, queued: list[QueuedReturn]) -> None:
        self.queued = {row.return_id: row for row in queued}
        now = self.clock()
        self.query_one("#queue", FittedTable).set_rows([
            ((row.name, row.order_name, row.customer or "", age(row.created_at, now), str(row.units),
              row.tracking, row.reasons), row.return_id)
            for row in queued
        ])  # fmt: skip
        if self.receiving is None:
            self.sub_title = f"{len(queued)} open"
        self.load_later()

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        """Another station or a sync changed the returns or their orders."""
        self.load()

    def load_later(self) -> None:
        if self.next_load is not None:
            self.next_load.stop()
        self.next_load = self.read_again_in(REFRESH_SECONDS, self.load)

    @on(DataTable.RowSelected, "#queue")
    def _picked(self, event: DataTable.RowSelected) -> None:
        picked = event.row_key.value
        if picked:
            self.run_step(lambda session, _: Stepped(open_receiving(session, self.desk, picked, by_id=True)))

    # --- steps, one at a time off the UI thread, in the order they came --------------------------------
    @on(Scanned)
    def scanned(self, event: Scanned) -> None:
        if self.desk.staff is None:
            return  # not ours: the app signs in a badge
        event.stop()
        code = event.code
        self.run_step(lambda session, return_id: self._scan(session, return_id, code))

    def _scan(self, session: Session, return_id: str | None, code: str) -> Stepped:
        """An item of the open return; with none open, the return this code names."""
        if return_id is None:
            return Stepped(open_receiving(session, self.desk, code))
        scanned = scan(session, self.desk, return_id, code)
        if scanned.wrong is not None:
            wrong = ("Wrong item", scanned.wrong, "Set it aside: it is not part of this return.")
            return Stepped(scanned.receiving, problem=wrong)
        return Stepped(scanned.receiving, scanned.item.line_id if scanned.item else None)

    def on_open_return(self, step: Callable[[Session, str], Stepped]) -> None:
        """A step on the open return as the steps before it leave it (a scan may be finishing it)."""

        def on_current(session: Session, return_id: str | None) -> Stepped:
            if return_id is None:
                raise ActionRefused("No return open: scan an order number or a return label first")
            return step(session, return_id)

        self.run_step(on_current)

    def run_step(self, step: Step) -> None:
        self.steps.add(step)

    def run_one(self, step: Step) -> None:
        """In the steps' worker thread: the step, then shown (before the next step reads `receiving`)."""
        self.app.call_from_thread(self.stepped, self.step_result(step))

    def step_result(self, step: Step) -> Stepped:
        current = self.receiving  # as the steps before this one left it
        try:
            with self.cache.sessions() as session:
                result = step(session, current.return_id if current else None)
                session.commit()
        except ReceivedElsewhere as exc:
            held = ("Received elsewhere", str(exc), "Finish or leave it there (Esc) first.")
            return Stepped(current, problem=held)
        except (ActionRefused, NotFound) as exc:  # NotPermitted included: nothing was written
            return Stepped(current, note=str(exc))
        except SQLAlchemyError as exc:
            saving = ("Could not save", one_line(exc), "Nothing was lost: try the step again")
            return Stepped(current, problem=saving)
        return result

    def stepped(self, result: Stepped) -> None:
        if result.note:
            self.notify(result.note, severity="error")
        if result.done:
            self.notify(result.done)
            self._back_to_queue()
        elif result.receiving is not None and self.receiving is None:
            self.start(result.receiving)
        elif result.receiving is not None:
            self.receiving = result.receiving
            self.show_items(result.highlight)
        if result.problem is not None:
            block(self.app, *result.problem)

    def start(self, opened: Receiving) -> None:
        self.receiving = opened
        self.add_class("receiving")
        self.refresh_bindings()
        self._show_receiving_prompt()
        self.show_items()
        self.query_one("#items", DataTable).focus()

    # --- the receiving view -----------------------------------------------------------------------------
    def show_items(self, highlight: str | None = None) -> None:
        receiving = self.receiving
        if receiving is None:
            return
        table = self.query_one("#items", FittedTable)
        keep = highlight or self._current_line()
        rows: list[Row] = []
        for item in receiving.items:
            done = item.received == item.expected
            rows.append((
                (item.sku or "", item.title, str(item.expected),
                 Text(str(item.received), style="bold green" if done else "bold" if item.received else ""),
                 Text(item.shown_outcome, style=OUTCOME_STYLE.get(item.outcome or "", "")), item.reason),
                item.line_id,
            ))  # fmt: skip
        table.set_rows(rows)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        counted = sum(item.received for item in receiving.items)
        expected = sum(item.expected for item in receiving.items)
        self.sub_title = (
            f"receiving {receiving.name} ({receiving.order_name}): {counted} of {expected} counted"
        )
        detail = Text()
        detail.append(
            f"{receiving.customer or 'Customer unknown'} · label {', '.join(receiving.tracking) or 'none'}"
        )
        if receiving.shipped_at is not None:
            days = (self.clock() - receiving.shipped_at).days
            late = days > self.rules.return_window_days
            detail.append(f" · shipped {days} days ago", style="bold yellow" if late else "")
            detail.append(f" (past the {self.rules.return_window_days:g}-day return window)" if late else "")
        detail.append("\n")
        if receiving.unexpected:
            detail.append(f"Not on this return: {', '.join(receiving.unexpected)}\n", style="bold red")
        undecided = len(receiving.undecided)
        detail.append(
            f"{undecided} item(s) still need a decision" if undecided else "Every item decided: f to finish",
            style="yellow" if undecided else "bold green",
        )
        self.query_one("#detail", Static).update(detail)

    def _current_line(self) -> str | None:
        table = self.query_one("#items", DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(value) if value else None

    def _current_item(self) -> ReturnItem | None:
        line = self._current_line()
        if self.receiving is None or line is None:
            return None
        return next((item for item in self.receiving.items if item.line_id == line), None)

    def _decide(self, outcome: str, bin_code: str | None = None, location_id: str | None = None) -> None:
        item = self._current_item()
        if item is None:
            return
        line = item.line_id

        def deciding(session: Session, return_id: str) -> Stepped:
            decided = decide(session, self.desk, return_id, line, outcome, bin_code, location_id)
            return Stepped(decided)  # the cursor stays where the keys since have moved it

        self.on_open_return(deciding)

    def action_damaged(self) -> None:
        self._decide(DAMAGED)

    def action_missing(self) -> None:
        self._decide(MISSING)

    def action_restock(self) -> None:
        item = self._current_item()
        if item is not None:
            self.choose_shelf(item)

    def action_quality_check(self) -> None:
        """Restocked, then held in quality control until someone checks it (moved at finish)."""
        item = self._current_item()
        if item is not None:
            self.for_quality.add(item.line_id)
            self.choose_shelf(item)

    @work(thread=True, exit_on_error=False, group="returns-shelves")
    def choose_shelf(self, item: ReturnItem) -> None:
        with self.cache.reads() as session:
            shelves = shelves_for(session, item.sku)
        places = {str(n): shelf for n, shelf in enumerate(shelves)}

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                shelf = places[choice.value]
                self._decide(RESTOCK, shelf.bin_code, shelf.location_id)

        options = [(shelf.label, key) for key, shelf in places.items()]
        self.app.call_from_thread(
            self.app.push_screen, ChoiceModal(f"Restock {item.sku or item.title} to", options), chosen
        )

    def action_finish(self) -> None:
        self.on_open_return(self._finish)

    def _finish(self, session: Session, return_id: str) -> Stepped:
        finished, _, findings = finish(session, self.desk, return_id, self.rules, self.clock())
        returned_to_stock(session, self.desk.actor, finished, self.for_quality)
        raised = f"; {len(findings)} exception(s) raised" if findings else ""
        return Stepped(None, done=f"{finished.name} received and closed{raised}")

    def action_leave(self) -> None:
        """Back to the queue; what was counted stays in the cache for whoever opens the return next."""
        if self.receiving is not None:

            def leaving(session: Session, return_id: str) -> Stepped:
                leave(session, self.desk, return_id)
                return Stepped(None, done="Left: its counts are kept")

            self.on_open_return(leaving)

    def _back_to_queue(self) -> None:
        self.receiving = None
        self.for_quality.clear()
        self.remove_class("receiving")
        self.refresh_bindings()
        self._show_queue_mode()
        self.query_one("#queue", DataTable).focus()
        self.load()

    def _show_queue_mode(self) -> None:
        self.query_one("#prompt", Static).update("Scan an order number or a return label to open its return")
        self.query_one("#detail", Static).update("Enter opens the highlighted return.")

    def _show_receiving_prompt(self) -> None:
        self.query_one("#prompt", Static).update(
            "Scan each item that came back · r restock · d damaged · m missing · f finish · Esc back"
        )

    def action_cursor_down(self) -> None:
        self._table().action_cursor_down()

    def action_cursor_up(self) -> None:
        self._table().action_cursor_up()

    def _table(self) -> DataTable[object]:
        return self.query_one("#items" if self.receiving else "#queue", DataTable)


def make_screen(context: ScreenContext) -> ReturnsScreen:
    """The returns, made when first shown (`catalog.py` gives its key and title)."""
    return ReturnsScreen(context.cache, context.clock, context.floor.rules)
