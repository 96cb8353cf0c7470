"""The work queue: open fulfillment orders, most urgent and oldest first, searchable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input

from oms_tui.cache.database import Cache
from oms_tui.floor.queues import QueueRow, count_open_work, open_work
from oms_tui.screens.messages import LiveUpdated
from oms_tui.screens.registry import ScreenEntry
from oms_tui.widgets.shell_header import ShellHeader

PAGE = 200


def age(created: datetime, now: datetime) -> str:
    minutes = max(0, int((now - created).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


class QueueScreen(Screen[None]):
    AUTO_FOCUS = "#queue"
    BINDINGS = [
        # Priority: the key must not also reach the search box it focuses.
        Binding("slash", "search", "Search", id="queue.search", priority=True),
        Binding("escape", "clear_search", "Clear", show=False, id="queue.clear"),
        Binding("r", "refresh", "Refresh", id="queue.refresh"),
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up"),
    ]
    DEFAULT_CSS = """
    QueueScreen #search { display: none; }
    QueueScreen #search.-shown { display: block; }
    QueueScreen DataTable { height: 1fr; }
    """

    def __init__(self, cache: Cache, clock: Callable[[], datetime], sla_hours: float) -> None:
        super().__init__()
        self.cache, self.clock, self.sla_hours = cache, clock, sla_hours
        self.search_text = ""

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        yield Input(placeholder="Order number, customer, email, SKU or tracking number", id="search")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="queue")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Work queue"
        table = self.query_one(DataTable)
        for label, key in (
            ("", "flag"),
            ("Order", "order"),
            ("Customer", "customer"),
            ("Units", "units"),
            ("Status", "status"),
            ("Location", "location"),
            ("Age", "age"),
            ("Tags", "tags"),
        ):
            table.add_column(label, key=key)
        self.action_refresh()

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        if message.update.changed:
            self.action_refresh()

    def action_refresh(self) -> None:
        with self.cache.reads() as session:
            rows = open_work(session, limit=PAGE, search=self.search_text)
            total = count_open_work(session, search=self.search_text)
        self.show(rows, total)

    def show(self, rows: list[QueueRow], total: int) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = self.clock()
        for row in rows:
            late = (now - row.created_at).total_seconds() > self.sla_hours * 3600
            flag = "!" if row.priority == 0 else ("late" if late else "")
            table.add_row(
                flag,
                row.order_name,
                row.customer[:28],
                str(row.units),
                row.status.replace("_", " ").lower(),
                row.location,
                age(row.created_at, now),
                ", ".join(row.tags),
                key=row.fulfillment_order_id,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        shown = f", the first {len(rows)} shown" if total > len(rows) else ""
        matching = f" matching {self.search_text!r}" if self.search_text else ""
        self.sub_title = f"{total} open{matching}{shown}"

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-shown")
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value, self.search_text = "", ""
        search.remove_class("-shown")
        self.query_one(DataTable).focus()
        self.action_refresh()

    @on(Input.Submitted, "#search")
    def run_search(self, event: Input.Submitted) -> None:
        self.search_text = event.value.strip()
        self.query_one(DataTable).focus()
        self.action_refresh()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()


SCREEN = ScreenEntry(
    "f2",
    "queues",
    "Queues",
    lambda context: QueueScreen(context.cache, context.clock, context.settings.sla_hours),
)
