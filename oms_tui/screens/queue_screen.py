"""The work queues: a tab per stage, most urgent first, filtered by location, status, tag and channel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, Tab, Tabs

from oms_tui.cache.change_signal import EVERYTHING, REPORTS, RETURNS, SYNC
from oms_tui.cache.database import Cache
from oms_tui.cache.models import FulfillmentOrder, Location, Order
from oms_tui.cache.priority import RUSH_TAGS
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.queues.channels import channel_label, channels
from oms_tui.floor.queues.claims import claim_next, claims_mark
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queue_source import QueueSource
from oms_tui.floor.queues.queues import QueueRow
from oms_tui.floor.queues.stages import FO_STATUSES, Stage
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.messages import LiveUpdated, OpenOrder
from oms_tui.screens.registry import ScreenContext
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.shell_header import ShellHeader
from oms_tui.widgets.table_columns import Cell, Column
from oms_tui.widgets.virtual_table import VirtualTable

STAGE_KEYS = {str(n): stage for n, stage in enumerate(Stage, start=1)}
SHORT_NAMES = {  # the tabs' names when the whole names do not fit on one line (80 columns)
    Stage.READY_TO_PICK: "to pick",
    Stage.READY_TO_PACK: "to pack",
    Stage.EXCEPTIONS: "issues",
    Stage.SHIPPED_TODAY: "shipped",
}
TABS = Binding.Group("Tabs")  # a footer short of room shows "] [ Tabs"
# Other stations' claims show as they are made (their commits are heard: `LiveUpdated`); this slow
# look catches the claims that lapse, which no station writes.
CLAIMS_EVERY_S = 30.0
COLUMNS = [  # by content; a narrow screen hides the highest priority numbers first
    Column("Order", max_width=12),
    Column("Status", priority=3),
    Column("Age", justify="right", priority=4),
    Column("SLA", justify="right"),
    Column("Customer", min_width=14, max_width=28),
    Column("Items", justify="right", priority=2),
    Column("Location", min_width=10, max_width=24, priority=5),
    Column("Tags", min_width=6, max_width=40, priority=2),
    Column("Who", min_width=8, max_width=20, priority=3),
]


def tab_id(stage: Stage) -> str:
    return stage.value.replace(" ", "-")


def tab_labels(short: bool) -> list[str]:
    names = ((SHORT_NAMES.get(stage, stage.value) if short else stage.value) for stage in Stage)
    return [f"{n} {name.capitalize()}" for n, name in enumerate(names, 1)]


def age(created: datetime, now: datetime) -> str:
    return span(now - created)


def span(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


URGENCY_STYLE = {"late": "bold red", "due soon": "yellow", "on time": "green"}


def sla_cell(row: QueueRow, now: datetime, sla_hours: float) -> Text:
    """Time left until its ship-by time: amber within a quarter of the SLA of it, red once late."""
    if row.status in ("CLOSED", "CANCELLED"):
        return Text("")
    left, urgency = row.time_left(now), row.urgency(now, timedelta(hours=sla_hours / 4))
    return Text(f"late {span(-left)}" if urgency == "late" else span(left), style=URGENCY_STYLE[urgency])


def tags_cell(tags: Sequence[str]) -> Text:
    text = Text()
    for n, tag in enumerate(tags):
        text.append(", " if n else "")
        text.append(tag, style="bold magenta" if tag.casefold() in RUSH_TAGS else "")
    return text


class QueueScreen(LeanScreen[None]):
    LIVE_KINDS = EVERYTHING - {RETURNS, REPORTS}  # the queues count no report figure
    CSS_PATH = "queue_screen.tcss"
    AUTO_FOCUS = "#queue"
    BINDINGS = [
        # `/` is the app's search (any order, the same on every screen); this narrows the tab shown.
        Binding(
            "t",
            "filter_text",
            "Filter by text",
            show=False,
            tooltip="this tab's orders matching a number, customer, email, SKU or tracking; Enter applies",
            id="queue.filter_text",
        ),
        Binding("escape", "clear_search", "Clear", show=False, id="queue.clear"),
        Binding("f", "filters", "Filter", id="queue.filter"),
        Binding("r", "refresh", "Refresh", show=False, id="queue.refresh"),  # the queue follows changes
        Binding("c", "claim_next", "Claim next", tooltip="the next work to pick, yours", id="queue.claim"),
        Binding("right_square_bracket", "next_stage", "Next tab", id="queue.next_tab", group=TABS),
        Binding("left_square_bracket", "previous_stage", "Previous tab", id="queue.previous_tab", group=TABS),
        *(
            Binding(
                key,
                f"stage('{stage.value}')",
                stage.value.capitalize(),
                show=False,
                id=f"queue.{tab_id(stage)}",
            )
            for key, stage in STAGE_KEYS.items()
        ),
    ]

    def __init__(self, cache: Cache, clock: Callable[[], datetime], sla_hours: float) -> None:
        super().__init__()
        self.cache, self.clock, self.sla_hours = cache, clock, sla_hours
        self.stage = Stage.READY_TO_PICK
        self.filters = QueueFilter()
        self.claims_seen: tuple[int, datetime | None] | None = None
        self.choices: dict[str, list[tuple[str, str]]] = {}  # each filter's options, as last read
        self.choices_asked = False

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        labels = tab_labels(short=False)
        yield Tabs(*(Tab(label, id=tab_id(stage)) for label, stage in zip(labels, Stage, strict=True)))
        with Horizontal(id="filters"):
            yield Select[str]([], prompt="Any location", id="location", compact=True)
            yield Select[str](
                [(s.replace("_", " ").lower(), s) for s in FO_STATUSES],
                prompt="Any status",
                id="status",
                compact=True,
            )
            yield Input(placeholder="Tag", id="tag", compact=True)
            yield Select[str]([], prompt="Any channel", id="channel", compact=True)
        yield Input(placeholder="Order number, customer, email, SKU or tracking number", id="search")
        yield VirtualTable[QueueRow](COLUMNS, self.format_row, id="queue")
        yield KeyFooter()

    def on_resize(self) -> None:
        """Every tab on the line: the short names when the whole ones do not fit."""
        whole = tab_labels(short=False)
        short = sum(len(label) + 2 for label in whole) > self.size.width  # a tab: a space each side
        for tab, label in zip(self.query(Tab), tab_labels(short), strict=True):
            if tab.label_text != label:  # a new label lays the tabs out again: not at every resize
                tab.label = label

    def on_mount(self) -> None:
        self.title = "Queues"
        self.show_queue()  # the filters' choices are read once the queue is (`show_count`)
        self.set_interval(CLAIMS_EVERY_S, self.watch_claims)

    @property
    def table(self) -> VirtualTable[QueueRow]:
        return self.query_one("#queue", VirtualTable)

    def format_row(self, row: QueueRow) -> list[Cell]:
        now = self.clock()
        return [
            Text(row.order_name, style="bold" if row.priority == 0 else ""),
            row.status.replace("_", " ").lower(),
            age(row.created_at, now),
            sla_cell(row, now, self.sla_hours),
            row.customer,
            str(row.items),
            row.location,
            tags_cell(row.tags),
            row.holder or "",
        ]

    def show_queue(self) -> None:
        self.table.show(QueueSource(self.cache.reads, self.stage, self.filters, self.clock))

    def data_changed(self) -> None:
        """Sync changed the cache: re-read what is on screen (coalesced by the table)."""
        self.table.data_changed()

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        self.data_changed()
        if SYNC in message.update.kinds:  # a first sync brings locations and channels after it shows
            self.load_choices()

    @work(thread=True, exit_on_error=False, exclusive=True, group="claims-seen")
    def watch_claims(self) -> None:
        """Claims lapse without a write: re-read what is on screen when who holds what changed."""
        with self.cache.reads() as session:
            mark = claims_mark(session, self.clock())
        if self.claims_seen is not None and mark != self.claims_seen:
            self.app.call_from_thread(self.data_changed)
        self.claims_seen = mark

    @on(VirtualTable.RowSelected, "#queue")
    def open_row(self, event: VirtualTable.RowSelected) -> None:
        row = self.table.row_at(self.table.cursor)
        if row is not None and row.key == event.key:
            self.post_message(OpenOrder(row.order_id))

    @on(VirtualTable.Reloaded, "#queue")
    def show_count(self, event: VirtualTable.Reloaded) -> None:
        matching = f" matching {self.filters.search!r}" if self.filters.search else ""
        self.sub_title = f"{event.total} {self.stage.value}{matching}"
        if not self.choices_asked:  # once the first rows are read: a person reads them first
            self.choices_asked = True
            self.load_choices()

    @on(VirtualTable.ReadFailed, "#queue")
    def show_failure(self, event: VirtualTable.ReadFailed) -> None:
        self.notify(event.error, title="Could not read the queue", severity="error")

    @work(thread=True, exit_on_error=False, exclusive=True, group="choices")
    def load_choices(self) -> None:
        """The locations and channels to filter by (from the cache: they are the store's)."""
        with self.cache.reads() as session:
            found = session.exec(
                select(Location.name, Location.id).where(col(Location.is_active)).order_by(Location.name)
            )
            locations = [(name, ident) for name, ident in found]
            sources = sorted(((channel_label(c), c) for c in channels(session)), key=lambda o: o[0].lower())
        self.app.call_from_thread(self.set_choices, "#location", locations)
        self.app.call_from_thread(self.set_choices, "#channel", sources)

    def set_choices(self, selector: str, options: list[tuple[str, str]]) -> None:
        """New options for a filter, the one chosen kept while it is still offered."""
        choices = self.query_one(selector, Select)
        if self.choices.get(selector) == options:
            return  # as they were: the list a person may have open stays as it is
        self.choices[selector] = options
        chosen = choices.value
        with choices.prevent(Select.Changed):
            choices.set_options(options)
            if chosen in {value for _, value in options}:
                choices.value = chosen
        if choices.value != chosen:  # what was chosen is gone: the queue shows without it
            self.set_filters(**{"location_id" if selector == "#location" else "channel": None})

    # --- stages -------------------------------------------------------------------------------------

    def action_stage(self, stage: str) -> None:
        self.query_one(Tabs).active = tab_id(Stage(stage))

    def action_next_stage(self) -> None:
        self.query_one(Tabs).action_next_tab()

    def action_previous_stage(self) -> None:
        self.query_one(Tabs).action_previous_tab()

    @on(Tabs.TabActivated)
    def stage_chosen(self, event: Tabs.TabActivated) -> None:
        stage = Stage(event.tab.id.replace("-", " ")) if event.tab.id else Stage.READY_TO_PICK
        if stage != self.stage:
            self.stage = stage
            self.show_queue()
        self.table.focus()

    # --- filters and search -----------------------------------------------------------------------

    def action_filters(self) -> None:
        self.query_one("#location", Select).focus()

    def set_filters(self, **changes: str | None) -> None:
        filters = QueueFilter(**{**self.filters.__dict__, **changes})
        if filters != self.filters:
            self.filters = filters
            self.show_queue()

    @on(Select.Changed, "#location")
    def location_chosen(self, event: Select.Changed) -> None:
        self.set_filters(location_id=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#status")
    def status_chosen(self, event: Select.Changed) -> None:
        self.set_filters(status=None if event.value is Select.NULL else str(event.value))

    @on(Select.Changed, "#channel")
    def channel_chosen(self, event: Select.Changed) -> None:
        self.set_filters(channel=None if event.value is Select.NULL else str(event.value))

    @on(Input.Submitted, "#tag")
    def tag_entered(self, event: Input.Submitted) -> None:
        """A tag is matched whole, so it applies once typed (Enter), not at every letter."""
        self.set_filters(tag=event.value.strip())
        self.table.focus()

    @on(Input.Changed, "#tag")
    def tag_cleared(self, event: Input.Changed) -> None:
        if not event.value.strip():
            self.set_filters(tag="")

    def action_filter_text(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-shown")
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.remove_class("-shown")
        self.table.focus()
        self.set_filters(search="")

    @on(Input.Submitted, "#search")
    def run_search(self, event: Input.Submitted) -> None:
        self.table.focus()
        self.set_filters(search=event.value.strip())

    def action_refresh(self) -> None:
        self.table.data_changed()

    # --- claims -------------------------------------------------------------------------------------

    def action_claim_next(self) -> None:
        desk = floor_app(self.app).desk
        if desk.staff is None:
            self.notify("Sign in first: work is claimed in a person's name", severity="warning")
            return
        self.claim(desk)

    @work(thread=True, exit_on_error=False, group="claim")
    def claim(self, desk: OrderDesk) -> None:
        assert desk.staff is not None
        try:
            with self.cache.sessions() as session:
                claims = claim_next(
                    session,
                    staff_code=desk.staff.code,
                    station=desk.station,
                    now=self.clock(),
                    lease=floor_app(self.app).lease,
                )
                names = session.exec(
                    select(Order.name)
                    .join(FulfillmentOrder, col(FulfillmentOrder.order_id) == Order.id)
                    .where(col(FulfillmentOrder.id).in_([c.fulfillment_order_id for c in claims]))
                ).all()
                session.commit()
        except (ValueError, SQLAlchemyError) as exc:  # refused (StaffError), or not recorded at all
            self.app.call_from_thread(
                self.notify, str(exc).splitlines()[0], title="Not claimed", severity="error"
            )
            return
        if not claims:
            self.app.call_from_thread(self.notify, "Nothing is ready to pick", severity="warning")
            return
        until = claims[0].lease_until.astimezone()
        self.app.call_from_thread(
            self.notify, f"{', '.join(names)} claimed by {desk.staff.name} until {until:%H:%M}"
        )
        self.app.call_from_thread(self.data_changed)


def make_screen(context: ScreenContext) -> QueueScreen:
    """The queues, made when first shown (`catalog.py` gives its key and title)."""
    return QueueScreen(context.cache, context.clock, context.settings.sla_hours)
