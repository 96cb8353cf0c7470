"""The manager's numbers on screen: orders picked and packed, on-time shipments and exceptions as
charts in the terminal (plotext), and the work of each person (or each hour, day or week) as a table.

A span of today by hour (`d`), seven days by day (`w`) or thirteen weeks by week (`q`); `[` and `]`
move it back and forth, `p` turns the table between people and periods, `s` to the span's label
spend by day (or week), then by carrier and service, each with its total. It reads the summary tables
only (`floor.reports`), off the UI thread, again every minute. Opened over the other screens, for
managers and support; the board shows it without anyone's own numbers (a wall or a browser anyone
may see).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from oms_tui.cache.database import Cache
from oms_tui.floor.reports import queries
from oms_tui.floor.reports.queries import ExceptionRow, Grouping, OnTimeRow, WorkRow
from oms_tui.floor.reports.spend import SpendRow, label_spend, totals
from oms_tui.floor.reports.text_tables import SPEND_COLUMNS, minutes, rate, spend_cells
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.widgets.key_footer import KeyFooter

REFRESH_SECONDS = 60.0


@dataclass(frozen=True)
class Span:
    name: str
    days: int  # how many days it covers, ending on its last day
    by: Grouping

    def first(self, last: date) -> date:
        return last - timedelta(days=self.days - 1)


TABLES = ("work", "spend", "services")  # what the table shows, in the order `s` turns through
SPANS = {"d": Span("Day", 1, "hour"), "w": Span("Week", 7, "day"), "q": Span("Quarter", 91, "week")}
COLUMNS = (
    "picked",
    "units",
    "time/order",
    "packed",
    "units",
    "time/order",
    "mis-scans /100u",
    "short picks /100u",
)


@dataclass(frozen=True)
class Figures:
    periods: list[WorkRow]
    people: list[WorkRow]
    on_time: list[OnTimeRow]
    exceptions: list[ExceptionRow]
    spend: list[SpendRow]  # by day (or week)
    services: list[SpendRow]  # by carrier and service


def daily(by: Grouping) -> Literal["day", "week"]:
    """How the day-based figures (on-time, exceptions, label spend) are grouped for a span."""
    return "week" if by == "week" else "day"


def read_figures(cache: Cache, first: date, last: date, by: Grouping) -> Figures:
    with cache.reads() as session:
        days = daily(by)
        return Figures(
            queries.worked(session, first, last, by),
            queries.worked(session, first, last, "person"),
            queries.shipments(session, first, last, days),
            queries.exceptions(session, first, last, days),
            label_spend(session, first, last, days),
            label_spend(session, first, last, "service"),
        )


def short_label(label: str, by: Grouping) -> str:
    """What fits under a bar: the hour, the day of the month, the week."""
    return {"hour": label[-5:-3], "day": label[-2:], "week": label[5:]}.get(by, label)


def cells(row: WorkRow) -> tuple[str, ...]:
    picking, packing = row.picking, row.packing
    units = row.units_picked + row.units_packed
    mis = 100 * (row.pick_mis_scans + row.pack_mis_scans) / units if units else None
    return (
        row.label,
        str(picking.orders),
        str(picking.units),
        minutes(picking.seconds_per_order),
        str(packing.orders),
        str(packing.units),
        minutes(packing.seconds_per_order),
        rate(mis),
        rate(picking.short_picks_per_100),
    )


class ReportsScreen(LeanScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="reports.close"),
        Binding("d", "span('d')", "Day", id="reports.day"),
        Binding("w", "span('w')", "Week", id="reports.week"),
        Binding("q", "span('q')", "Quarter", id="reports.quarter"),
        Binding("left_square_bracket", "move(-1)", "Earlier", id="reports.earlier"),
        Binding("right_square_bracket", "move(1)", "Later", id="reports.later"),
        Binding("p", "people", "People/periods", id="reports.people"),
        Binding(
            "s",
            "spend",
            "Spend",
            tooltip="label spend: by period, by carrier and service, then the work again",
            id="reports.spend",
        ),
    ]
    DEFAULT_CSS = """
    ReportsScreen #range { height: 1; padding: 0 1; text-style: bold; }
    ReportsScreen #charts { grid-size: 2 2; height: 2fr; }
    ReportsScreen PlotextPlot { border: round $primary 50%; border-title-color: $text; }
    ReportsScreen DataTable { height: 1fr; border: round $primary 50%; border-title-color: $text; }
    """

    def __init__(self, cache: Cache, clock: Callable[[], datetime], people: bool = True) -> None:
        """`people`: whether each person's numbers may be shown (not on the board: anyone sees it)."""
        super().__init__()
        self.cache, self.clock, self.people = cache, clock, people
        self.span, self.last, self.by_person = SPANS["w"], clock().date(), people
        self.table_shows = TABLES[0]
        self.figures: Figures | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="range")
        with Grid(id="charts"):
            for ident, title in (
                ("orders", "Orders picked / packed"),
                ("units", "Units picked / packed"),
                ("on-time", "Shipped on time %"),
                ("exceptions", "Exceptions opened / closed"),
            ):
                plot = PlotextPlot(id=ident)
                plot.border_title = title
                yield plot
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.read()

    def action_span(self, key: str) -> None:
        self.span, self.last = SPANS[key], self.clock().date()
        self.read()

    def action_move(self, steps: int) -> None:
        self.last += timedelta(days=steps * self.span.days)
        self.read()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.people or action != "people"

    def action_people(self) -> None:
        self.by_person = not self.by_person
        self.table_shows = "work"
        self.show_table()

    def action_spend(self) -> None:
        self.table_shows = TABLES[(TABLES.index(self.table_shows) + 1) % len(TABLES)]
        self.show_table()

    def read(self) -> None:
        first = self.span.first(self.last)
        grouping = f"by {self.span.by}" if self.span.by != "hour" else "by hour"
        self.query_one("#range", Static).update(f"{self.span.name}: {first} to {self.last} (UTC), {grouping}")
        self.load(first, self.last, self.span.by)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports")
    def load(self, first: date, last: date, by: Grouping) -> None:
        figures = read_figures(self.cache, first, last, by)
        self.app.call_from_thread(self.show, figures)

    def show(self, figures: Figures) -> None:
        self.figures = figures
        self.read_again_in(REFRESH_SECONDS, self.read)  # the numbers grow as the floor works
        by = self.span.by
        labels = [short_label(row.label, by) for row in figures.periods]
        self.bars(
            "orders",
            labels,
            [[r.orders_picked for r in figures.periods], [r.orders_packed for r in figures.periods]],
            ["picked", "packed"],
        )
        self.bars(
            "units",
            labels,
            [[r.units_picked for r in figures.periods], [r.units_packed for r in figures.periods]],
            ["picked", "packed"],
        )
        days = daily(by)
        self.bars(
            "on-time",
            [short_label(r.label, days) for r in figures.on_time],
            [[round(r.percent or 0, 1) for r in figures.on_time]],
            ["by the ship-by time"],
        )
        self.bars(
            "exceptions",
            [short_label(r.label, days) for r in figures.exceptions],
            [[r.opened for r in figures.exceptions], [r.closed for r in figures.exceptions]],
            ["opened", "closed"],
        )
        self.show_table()

    def bars(self, ident: str, labels: list[str], series: list[list[float]], names: list[str]) -> None:
        plot = self.query_one(f"#{ident}", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        if labels:
            plt.multiple_bar(labels, series, labels=names)  # type: ignore[call-arg]  # plotext's own name
        else:
            plt.title("nothing recorded")
        plot.refresh()

    def show_table(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if self.figures is None:
            return
        if self.table_shows == "work":
            self.show_work(table, self.figures)
        else:
            self.show_spend(table, self.figures, self.table_shows == "services")

    def show_work(self, table: DataTable[str], figures: Figures) -> None:
        rows = figures.people if self.by_person else figures.periods
        table.border_title = "By person" if self.by_person else f"By {self.span.by}"
        table.add_columns("person" if self.by_person else self.span.by, *COLUMNS)
        for row in rows:
            table.add_row(*cells(row))

    def show_spend(self, table: DataTable[str], figures: Figures, services: bool) -> None:
        spent = figures.services if services else figures.spend
        first = "service" if services else daily(self.span.by)
        table.border_title = f"Label spend by {'carrier and service' if services else first}"
        table.add_columns(first, *SPEND_COLUMNS)
        for row in (*spent, *totals(spent)):
            table.add_row(*spend_cells(row))
