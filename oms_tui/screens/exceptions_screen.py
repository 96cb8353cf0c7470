"""The exception pane: what needs a person, most severe first; filter by kind, claim, resolve, open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Label, Select, Static

from oms_tui.cache.change_signal import EXCEPTIONS, SYNC
from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import FloorException, Order
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.exceptions.records import ExceptionRefused, claim, open_by_kind, open_exceptions, resolve
from oms_tui.floor.exceptions.rules import KIND_LABELS, fix_for, label
from oms_tui.floor.exceptions.short_choices import choices as short_choices
from oms_tui.floor.exceptions.short_choices import choose
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.exception_dialog import ExceptionDialog
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.message_flow import follow_up, write_message
from oms_tui.screens.messages import LiveUpdated, OpenOrder
from oms_tui.screens.queue_screen import age
from oms_tui.screens.registry import ScreenContext
from oms_tui.widgets.fitted_table import FittedTable, Row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.shell_header import ShellHeader
from oms_tui.widgets.table_columns import Column

MESSAGE_KINDS = (ExceptionKind.MESSAGE_FAILED, ExceptionKind.MESSAGE_UNKNOWN)
SHOWN = 500  # the most severe and oldest; the title says how many there are in all
REFRESH_SECONDS = 60.0  # for ages and lateness, which time changes; data changes are heard
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}
COLUMNS = (  # the problem before its fix: the line under the table says the fix in full
    Column(""),
    Column("Kind"),
    Column("Order"),
    Column("Age", priority=3),
    Column("Owner", max_width=20, priority=2),
    Column("Problem", min_width=24, max_width=90, flex=True),
    Column("Suggested fix", min_width=24, priority=4, flex=True),
)


@dataclass(frozen=True)
class Shown:
    row: FloorException
    order_name: str


class ExceptionsScreen(LeanScreen[None]):
    AUTO_FOCUS = "#exceptions"
    LIVE_KINDS = frozenset({EXCEPTIONS, SYNC})
    BINDINGS = [
        Binding("f", "filter", "Filter", id="exceptions.filter"),
        Binding("c", "claim", "Claim", id="exceptions.claim"),
        Binding("r", "resolve", "Resolve", id="exceptions.resolve"),
        Binding("o", "open_order", "Open order", id="exceptions.open"),  # Enter too (the table's)
        Binding("e", "message", "Email", tooltip="write to the customer", id="exceptions.message"),
        # Short stock's choices (hold, move, ship partial): said in the row's fix, not in the footer
        Binding("s", "short", "Short stock", show=False, id="exceptions.short"),
        Binding("j,down", "cursor_down", "Down", show=False, id="exceptions.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="exceptions.up"),
    ]
    DEFAULT_CSS = """
    ExceptionsScreen #filters { height: 1; padding: 0 1; margin-bottom: 1; }
    ExceptionsScreen #filters Label { padding: 0 1 0 0; }
    ExceptionsScreen #kind { width: 1fr; max-width: 40; }
    ExceptionsScreen DataTable { height: 1fr; }
    ExceptionsScreen #detail { height: auto; max-height: 5; padding: 0 1; background: $boost; }
    """

    def __init__(
        self, cache: Cache, clock: Callable[[], datetime], station: str, staff_code: str = ""
    ) -> None:
        super().__init__()
        self.cache, self.clock, self.station, self.staff_code = cache, clock, station, staff_code
        self.kind: str | None = None
        self.shown: dict[int, Shown] = {}
        self.next_load: Timer | None = None

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        with Horizontal(id="filters"):
            yield Label("Kind")
            yield Select[str]([], prompt="every kind", id="kind", compact=True)
        yield FittedTable(COLUMNS, cursor_type="row", zebra_stripes=True, id="exceptions")
        yield Static("", id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Exceptions"
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="exceptions")
    def load(self) -> None:
        """Read off the UI thread; show it, then come back after a while (never piling up)."""
        try:
            with self.cache.reads() as session:
                rows = open_exceptions(session, self.kind, limit=SHOWN)
                counts = open_by_kind(session)
                order_ids = {row.order_id for row in rows if row.order_id}
                found = session.exec(select(Order.id, Order.name).where(col(Order.id).in_(order_ids)))
                names = dict(found.all())
        except SQLAlchemyError:  # said by the app; tried again by itself
            self.app.call_from_thread(self.load_later)
            raise
        shown = [Shown(row, names.get(row.order_id or "", "")) for row in rows]
        self.app.call_from_thread(self.show, shown, counts)

    def show(self, shown: list[Shown], counts: dict[str, int]) -> None:
        table = self.query_one(FittedTable)
        keep = self._highlighted()
        self.shown = {item.row.id or 0: item for item in shown}
        now = self.clock()
        rows: list[Row] = []
        for item in shown:
            row = item.row
            style = SEVERITY_STYLE.get(row.severity, "")
            cells = (
                Text("●", style=style),
                Text(label(row.kind), style=style),
                item.order_name,
                age(row.created_at, now),
                row.owner or "",
                row.message.removeprefix(f"{item.order_name}: ") if item.order_name else row.message,
                fix_for(row.kind, row.fix),
            )
            rows.append((cells, str(row.id)))
        table.set_rows(rows)
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        self._update_filter(counts)
        total = sum(counts.values()) if self.kind is None else counts.get(self.kind, 0)
        more = f", the {len(shown)} most urgent shown" if total > len(shown) else ""
        self.sub_title = f"{total} open{more}"
        self._show_detail()
        self.load_later()

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        """Another station or a sync changed the exceptions or the orders they name."""
        self.load()

    def load_later(self) -> None:
        if self.next_load is not None:
            self.next_load.stop()
        self.next_load = self.read_again_in(REFRESH_SECONDS, self.load)

    def _update_filter(self, counts: dict[str, int]) -> None:
        select_widget = self.query_one("#kind", Select)
        kinds = [kind for kind in KIND_LABELS if kind in counts] + sorted(set(counts) - set(KIND_LABELS))
        if self.kind and self.kind not in kinds:
            kinds.append(self.kind)
        options = [(f"{label(kind)} ({counts.get(kind, 0)})", kind) for kind in kinds]
        with self.prevent(Select.Changed):
            select_widget.set_options(options)
            select_widget.value = self.kind if self.kind else Select.NULL

    @on(Select.Changed, "#kind")
    def kind_chosen(self, event: Select.Changed) -> None:
        self.kind = None if event.value is Select.NULL else str(event.value)
        self.query_one(DataTable).focus()
        self.load()

    @on(DataTable.RowHighlighted)
    def _highlight(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        item = self._current()
        detail = self.query_one("#detail", Static)
        if item is None:
            detail.update("Nothing needs a person right now." if not self.shown else "")
            return
        row = item.row
        who = f" · owner {row.owner}" if row.owner else " · nobody has claimed it"
        text = Text.assemble((f"{label(row.kind)}", SEVERITY_STYLE.get(row.severity, "")), f"{who}\n")
        text.append(f"{row.message}\n")
        text.append(f"Fix: {fix_for(row.kind, row.fix)}", style="italic")
        detail.update(text)

    def _highlighted(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def _current(self) -> Shown | None:
        ident = self._highlighted()
        return self.shown.get(ident) if ident is not None else None

    def action_filter(self) -> None:
        select_widget = self.query_one("#kind", Select)
        select_widget.focus()
        select_widget.action_show_overlay()

    def action_claim(self) -> None:
        item = self._current()
        if item is None:
            return
        if self.staff_code:
            self.write(item.row.id or 0, self.staff_code, "")
            return
        self.app.push_screen(ExceptionDialog(f"Claim: {item.row.message}"), self._answered(item))

    def action_resolve(self) -> None:
        item = self._current()
        if item is None:
            return
        self.app.push_screen(
            ExceptionDialog(f"Resolve: {item.row.message}", staff_code=self.staff_code, ask_note=True),
            self._answered(item),
        )

    def _answered(self, item: Shown) -> Callable[[tuple[str, str] | None], None]:
        def write_answer(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.write(item.row.id or 0, *answer)

        return write_answer

    @work(thread=True, exit_on_error=False, group="exception-writes")
    def write(self, exception_id: int, staff_code: str, note: str) -> None:
        """Claim (no note) or resolve (with a note), as `staff_code`; refused ones say why in one line."""
        try:
            with self.cache.sessions() as session:
                person = active_staff(session, staff_code)
                if note:
                    resolve(session, exception_id, staff_code=person.code, station=self.station, note=note)
                else:
                    claim(session, exception_id, staff_code=person.code, station=self.station)
                session.commit()
        except (ExceptionRefused, StaffError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.staff_code = person.code
        self.app.call_from_thread(self.load)

    def action_short(self) -> None:
        """For short stock: hold it as out of stock, move it where the stock is, or ship it partial."""
        item = self._current()
        if item is None or item.row.kind != "short_stock" or item.row.id is None:
            self.notify("s is for short stock: choose an exception of that kind", severity="warning")
            return
        exception_id = item.row.id
        with self.cache.reads() as session:
            offered = short_choices(session, exception_id)

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                self.choose_short(exception_id, choice.value)

        options = [(choice.label, choice.value) for choice in offered]
        self.app.push_screen(ChoiceModal(f"Short stock: {item.row.message}", options), chosen)

    @work(thread=True, exit_on_error=False, group="exception-writes")
    def choose_short(self, exception_id: int, value: str) -> None:
        staff = floor_app(self.app).desk.staff
        try:
            with self.cache.sessions() as session:
                said = choose(
                    session, Actor(self.station, staff.code if staff else None), exception_id, value
                )
                session.commit()
        except ExceptionRefused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, said, title="Short stock")
        self.app.call_from_thread(self.load)

    @on(DataTable.RowSelected)
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open_order()

    def action_open_order(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.row.order_id is None:
            self.notify("This exception is not about an order", severity="warning")
            return
        self.post_message(OpenOrder(item.row.order_id))

    def action_message(self) -> None:
        """Write to the order's customer (the template the kind calls for); on a message that failed
        or whose outcome is unknown: send it again, or mark it sent."""
        item = self._current()
        if item is None or item.row.order_id is None:
            self.notify("This exception is not about an order", severity="warning")
            return
        subject = item.row.subject or ""
        if item.row.kind in MESSAGE_KINDS and subject.removeprefix("message:").isdigit():
            follow_up(self, int(subject.removeprefix("message:")), then=self.load)
        else:
            write_message(self, item.row.order_id, item.row.kind, then=self.load)

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()


def make_screen(context: ScreenContext) -> ExceptionsScreen:
    """The exceptions, made when first shown (`catalog.py` gives its key and title)."""
    return ExceptionsScreen(context.cache, context.clock, context.settings.station)
