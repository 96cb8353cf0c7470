"""Where is my order? Results as you type, over every order (shipped and cancelled too).

The box keeps the focus: typing searches (in a worker, a moment after the last key), up and down
move through the results, Enter opens the highlighted order. A scanner typing an order number and
Enter opens it at once, without waiting for the pause.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from oms_tui.cache.database import Cache
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.orders.search import MIN_INDEXED, SearchHit, search_orders
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.messages import StaffChanged
from oms_tui.screens.order_screen import OrderScreen, words
from oms_tui.widgets.fitted_table import FittedTable, Row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.shell_header import ShellHeader
from oms_tui.widgets.table_columns import Column

HINT = "Order number, customer, email, phone, SKU, barcode or tracking number (3 letters or more)"


COLUMNS = (  # the order, who, and what matched first; a narrow screen hides the payment first
    Column("Order"),
    Column("Placed", priority=3),
    Column("Customer", min_width=12, max_width=28),
    Column("Status", priority=2),
    Column("Payment", priority=4),
    Column("Matched", min_width=16, max_width=48),
)


class SearchScreen(LeanScreen[None]):
    DEBOUNCE = 0.15  # seconds after the last key
    AUTO_FOCUS = "#query"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="search.back"),
        Binding("down", "move(1)", "Next", show=False, id="search.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.up"),
        Binding("enter", "open", "Open order", id="search.open"),
    ]
    DEFAULT_CSS = """
    SearchScreen #summary { height: 1; padding: 0 2; color: $text-muted; }
    SearchScreen #results { height: 1fr; }
    """

    class Found(Message):
        def __init__(self, text: str, hits: list[SearchHit]) -> None:
            super().__init__()
            self.text, self.hits = text, hits

    def __init__(self, cache: Cache, desk: OrderDesk, clock: Callable[[], datetime], text: str = "") -> None:
        super().__init__()
        self.cache, self.desk, self.clock, self.initial = cache, desk, clock, text
        self.hits: list[SearchHit] = []
        self.shown_for: str | None = None  # the text the results on screen answer
        self.open_when_found = False
        self.pending: Timer | None = None

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        yield Input(self.initial, placeholder=HINT, id="query")
        # quotes what was typed: plain text, not markup
        yield Static(
            "Every order, shipped and cancelled too: type part of what you know.", id="summary", markup=False
        )
        yield FittedTable(COLUMNS, id="results", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Find an order"
        table = self.query_one(DataTable)
        table.can_focus = False  # the box keeps the focus; up and down move the highlight
        if self.initial:
            self.search(self.initial)

    @on(Input.Changed, "#query")
    def typed(self, event: Input.Changed) -> None:
        if self.pending is not None:
            self.pending.stop()
        if self.DEBOUNCE:
            self.pending = self.set_timer(self.DEBOUNCE, lambda: self.search(event.value))
        else:  # no pause: search at every key
            self.search(event.value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="search")
    def search(self, text: str) -> None:
        try:
            with self.cache.reads() as session:
                hits = search_orders(session, text)
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self.notify, str(exc).splitlines()[0], severity="error")
            return
        self.post_message(self.Found(text, hits))

    @on(StaffChanged)
    def staff_changed(self, message: StaffChanged) -> None:
        """Another person signed in at this station: what happens here next is theirs."""
        self.desk = OrderDesk(self.desk.station, message.staff)

    @on(Found)
    def found(self, message: Found) -> None:
        if message.text != self.query_one("#query", Input).value:
            return  # an answer to what was typed before: a newer search is on its way
        self.hits, self.shown_for = message.hits, message.text
        now = self.clock()
        rows: list[Row] = []
        for hit in message.hits:
            status = Text("cancelled", "red") if hit.cancelled else Text(words(hit.fulfillment_status))
            cells = (
                hit.name,
                hit.created_at.strftime("%d %b %Y") if (now - hit.created_at).days > 0 else "today",
                hit.customer or hit.email,
                status,
                words(hit.financial_status),
                Text(hit.matched, "dim"),
            )
            rows.append((cells, hit.order_id))
        self.query_one(FittedTable).set_rows(rows)
        summary = self.query_one("#summary", Static)
        if not message.text.strip():
            summary.update("Every order, shipped and cancelled too: type part of what you know.")
        elif not message.hits and len(message.text.strip()) < MIN_INDEXED:
            summary.update(f"Type {MIN_INDEXED} characters or more, or a whole order number")
        elif not message.hits:
            summary.update(f"No order matches {message.text.strip()!r}")
        else:
            count = f"{len(message.hits)} order{'s' if len(message.hits) > 1 else ''}"
            newest = " (the newest; type more to narrow)" if len(message.hits) >= 50 else ", newest first"
            summary.update(f"{count} match {message.text.strip()!r}{newest} · ↑↓ choose · Enter opens")
        if self.open_when_found:
            self.open_when_found = False
            self.action_open()

    @on(Input.Submitted, "#query")
    def submitted(self) -> None:
        self.action_open()

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_open(self) -> None:
        text = self.query_one("#query", Input).value
        if self.shown_for != text:  # Enter before the results arrived (a scanner): open them when they do
            self.open_when_found = True
            if self.pending is not None:
                self.pending.stop()
            self.search(text)
            return
        if not self.hits:
            self.notify(f"No order matches {text.strip()!r}", severity="warning")
            return
        hit = self.hits[min(max(self.query_one(DataTable).cursor_row, 0), len(self.hits) - 1)]
        self.app.push_screen(OrderScreen(self.cache, self.desk, self.clock, hit.order_id))
