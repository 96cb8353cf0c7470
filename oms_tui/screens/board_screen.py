"""The manager's board: a live status screen for the wall, readable from across the floor.

Unattended: it reads its figures off the UI thread and comes back after a while, never piling up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from oms_tui.cache.database import Cache
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.cache.ship_by import ShipByPolicy
from oms_tui.floor.exceptions.rules import label
from oms_tui.floor.queues.board import HOURS, BoardFigures, Work, board_figures
from oms_tui.floor.queues.cutoffs import WARN_BEFORE, CarrierCutoff
from oms_tui.floor.queues.stages import Stage
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.messages import LiveUpdated
from oms_tui.screens.queue_screen import age
from oms_tui.screens.read_in_turn import ReadInTurn
from oms_tui.screens.registry import ScreenContext
from oms_tui.sync_health import SyncHealth, ago
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.same_content import update
from oms_tui.widgets.shell_header import ShellHeader
from oms_tui.widgets.sized_panel import SizedPanel
from oms_tui.widgets.stage_tile import StageTile

REFRESH_SECONDS = 60.0  # for ages and lateness, which time changes; data changes are heard
LATE_SHOWN = 40  # as many as a wall screen shows; a small one says how many more there are
LOW = 30  # rows: below this the tiles' numbers are plain text, one line high
STALE_SYNC = timedelta(minutes=15)
# (queue, caption, short caption for narrow tiles, note under the number)
STAGES = (
    (Stage.READY_TO_PICK, "ready to pick", "to pick", ""),
    (Stage.PICKING, "picking", "picking", ""),
    (Stage.READY_TO_PACK, "ready to pack", "to pack", ""),
    (Stage.ON_HOLD, "on hold", "on hold", ""),
    (Stage.EXCEPTIONS, "exceptions", "issues", "open"),
    (Stage.SHIPPED_TODAY, "shipped", "shipped", "today"),
)
ALERT_STAGES = {Stage.EXCEPTIONS, Stage.ON_HOLD}


W = TypeVar("W", bound=Widget)


def titled(widget: W, title: str) -> W:
    widget.border_title = title
    return widget


class BoardScreen(LeanScreen[None]):
    DEFAULT_CSS = """
    BoardScreen #tiles { height: 5; }
    /* a small terminal: the numbers in plain text, one line, and longer lists */
    BoardScreen.-low #tiles, BoardScreen.-low StageTile { height: 3; }
    BoardScreen StageTile { width: 1fr; }
    BoardScreen #middle { height: 2fr; }
    BoardScreen #bottom { height: 1fr; min-height: 9; }
    BoardScreen .panel {
        border: round $primary 50%; border-title-color: $text; padding: 0 1; width: 1fr; height: 100%;
    }
    BoardScreen #throughput-panel { width: 3fr; }
    BoardScreen #late { width: 2fr; }
    BoardScreen #cutoffs { width: 2fr; }
    BoardScreen #throughput { height: 1fr; min-height: 1; }
    BoardScreen #axis { height: 1; color: $text-muted; }
    BoardScreen #rate { height: 1; }
    BoardScreen #work { width: 2fr; }
    """

    def __init__(
        self,
        cache: Cache,
        clock: Callable[[], datetime],
        sla_hours: float,
        ship_by: ShipByPolicy | None = None,
    ) -> None:
        super().__init__()
        self.cache, self.clock, self.sla = cache, clock, timedelta(hours=sla_hours)
        self.ship_by = ship_by if ship_by and ship_by.methods else None  # no methods: no cut-offs panel
        self.cutoffs: tuple[CarrierCutoff, ...] = ()
        self.next_load: Timer | None = None
        self.reads = ReadInTurn(self.read_figures)
        self.failing: tuple[str, ...] = ()  # sync streams failing, as of the last figures
        self.reconciled: ReconcileRun | None = None  # the last reconcile, as of the last figures
        self.sync_panel = titled(Static("", id="sync-health", classes="panel"), "Sync")  # held: see compose

    def compose(self) -> ComposeResult:
        yield ShellHeader(self.clock)
        with Horizontal(id="tiles"):
            for n, (_, caption, short, note) in enumerate(STAGES):
                yield StageTile(caption, short, note, id=f"stage-{n}")
        # Panels titled as they are made: a board closed while it starts has nothing to look up.
        with Horizontal(id="middle"):
            with Vertical(id="throughput-panel", classes="panel") as throughput:
                throughput.border_title = f"Shipped per hour, last {HOURS} h"
                yield Sparkline([0] * HOURS, id="throughput")
                yield Static("", id="axis")
                yield Static("", id="rate")
            yield titled(SizedPanel(id="late", classes="panel"), "Late")
            if self.ship_by is not None:
                yield titled(Static("", id="cutoffs", classes="panel"), "Due before cut-off")
        with Horizontal(id="bottom"):
            yield titled(SizedPanel(id="work", classes="panel"), "Work today")
            yield titled(SizedPanel(id="by-kind", classes="panel"), "Exceptions")
            yield self.sync_panel
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Floor board"
        self.watch(self.app, "health", self.show_sync)
        self.set_interval(1, self.show_sync)  # the sync's age grows between reads
        if self.ship_by is not None:
            self.set_interval(1, self.show_cutoffs)  # the countdowns run between reads
        self.load()

    def load(self) -> None:
        """Read the figures now, or right after the read under way (`ReadInTurn`)."""
        self.reads.ask()

    @work(thread=True, exit_on_error=False, group="board")
    def read_figures(self) -> None:
        now = self.clock()
        try:
            with self.cache.reads() as session:
                figures = board_figures(session, now, self.sla, late_shown=LATE_SHOWN, ship_by=self.ship_by)
        except SQLAlchemyError:  # said by the app; a wall screen tries again by itself
            self.app.call_from_thread(self.read_failed)
            raise
        self.app.call_from_thread(self.show, figures, now)

    def read_failed(self) -> None:
        self.reads.done(read_again=False)
        self.load_later()

    def show_sync(self) -> None:
        """The header's own figures (the app's sync health), with the streams the cache says fail."""
        health = getattr(self.app, "health", None)
        if isinstance(health, SyncHealth):
            update(self.sync_panel, _sync(health, self.failing, self.clock(), self.reconciled))

    def show_cutoffs(self) -> None:
        if self.ship_by is not None:
            update(self.query_one("#cutoffs", Static), cutoff_lines(self.cutoffs, self.clock()))

    def on_resize(self) -> None:
        self.set_class(self.size.height < LOW, "-low")

    def show(self, figures: BoardFigures, now: datetime) -> None:
        self.reads.done()
        for n, (stage, *_) in enumerate(STAGES):
            count = figures.stages[stage]
            self.query_one(f"#stage-{n}", StageTile).show(count, alert=stage in ALERT_STAGES and count > 0)
        self.query_one("#throughput", Sparkline).data = figures.throughput
        update(self.query_one("#axis", Static), _axis(now))
        update(self.query_one("#rate", Static), _rate(figures.throughput, figures.labels_today))
        # each list cut to its panel's rows, saying how many more there are
        self.query_one("#late", SizedPanel).show(lambda room: _late(figures, now, room))
        self.query_one("#work", SizedPanel).show(
            lambda room: _work(figures.stations, figures.staff, room), (figures.stations, figures.staff)
        )
        self.query_one("#by-kind", SizedPanel).show(
            lambda room: _by_kind(figures.exceptions, room), figures.exceptions
        )
        self.failing, self.cutoffs, self.reconciled = figures.failing, figures.cutoffs, figures.reconciled
        self.show_sync()
        self.show_cutoffs()
        self.sub_title = f"{now.astimezone():%a %d %b %H:%M}"
        self.load_later()

    @on(LiveUpdated)
    def live_updated(self, message: LiveUpdated) -> None:
        """Another station or a sync changed the cache."""
        self.load()

    def load_later(self) -> None:
        if self.next_load is not None:
            self.next_load.stop()
        self.next_load = self.read_again_in(REFRESH_SECONDS, self.load)


def countdown(left: timedelta) -> str:
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return "now"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m" if hours else f"{rest // 60}m {rest % 60:02d}s"


def cutoff_lines(cutoffs: tuple[CarrierCutoff, ...], now: datetime) -> Text:
    """Each carrier's next cut-off: its time, the orders still due by it, the time left."""
    text = Text()
    for cutoff in cutoffs:
        left = cutoff.left(now)
        soon = left <= WARN_BEFORE
        text.append(f"{cutoff.carrier:<8}", style="bold")
        text.append(f" {cutoff.cutoff.astimezone():%a %H:%M}", style="dim")
        text.append(f" {len(cutoff.due):>4} due", style="bold red" if soon and cutoff.due else "bold")
        text.append(f"  {countdown(left)}\n", style="yellow" if soon else "")
    if not cutoffs:
        text.append("no collections ahead", style="dim")
    return text


def _axis(now: datetime) -> Text:
    first = now.astimezone() - timedelta(hours=HOURS - 1)
    return Text.assemble(f"{first:%H}:00", " … ", f"now {now.astimezone():%H:%M}")


def _rate(hours: list[int], labels: tuple[int, dict[str, Decimal]] = (0, {})) -> Text:
    total, peak = sum(hours), max(hours)
    text = Text.assemble(
        ("this hour ", "dim"),
        (str(hours[-1]), "bold"),
        ("  ·  total ", "dim"),
        (str(total), "bold"),
        ("  ·  peak ", "dim"),
        (f"{peak}/h", "bold"),
    )
    bought, cost = labels
    if bought:  # a floor that buys its labels here: how many today, and what they cost
        spent = ", ".join(f"{amount:.2f} {currency}".strip() for currency, amount in sorted(cost.items()))
        text.append_text(Text.assemble(("  ·  labels today ", "dim"), (f"{bought} ({spent})", "bold")))
    return text


def _more(hidden: int, what: str = "") -> Text:
    return Text(f"… {hidden} more{what}", style="italic")


def _late(figures: BoardFigures, now: datetime, room: int) -> Text:
    text = Text.assemble(
        ("late ", "dim"),
        (str(figures.late), "bold red" if figures.late else "bold"),
        ("   at risk ", "dim"),
        (str(figures.at_risk), "bold yellow" if figures.at_risk else "bold"),
        "\n",
    )
    orders = figures.late_orders
    shown = orders if len(orders) < room else orders[: max(0, room - 2)]  # a line for the count
    for order in shown:
        text.append(f"{order.name:<7}", style="bold")
        text.append(f" {age(order.due, now):>4} late", style="red")
        text.append(f"  {order.owner or '-'}\n", style="dim")
    if len(shown) < len(orders):
        text.append_text(_more(len(orders) - len(shown)))
    if not orders:
        text.append("nothing late", style="green")
    return text


def _work(stations: list[Work], staff: list[Work], room: int) -> Table:
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column("who", ratio=1, no_wrap=True)
    table.add_column("shipped", justify="right")
    table.add_column("actions", justify="right")
    rows: list[tuple[Text | str, ...]] = [
        (Text("station", style="dim"), Text("shipped", style="dim"), Text("actions", style="dim")),
        *((w.who, str(w.shipped), str(w.actions)) for w in stations),
        (Text("staff", style="dim"), "", ""),
        *((w.who, str(w.shipped), str(w.actions)) for w in staff),
    ]
    for row in rows if len(rows) <= room else [*rows[: room - 1], (_more(len(rows) - room + 1), "", "")]:
        table.add_row(*row)
    return table


def _by_kind(counts: dict[str, int], room: int) -> Table | Text:
    if not counts:
        return Text("none open", style="green")
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column("kind", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("count", justify="right")
    kinds = list(counts.items())
    shown = kinds if len(kinds) <= room else kinds[: room - 1]
    for kind, count in shown:
        table.add_row(label(kind), str(count))
    if len(shown) < len(kinds):
        rest = kinds[len(shown) :]
        table.add_row(_more(len(rest), " kinds"), str(sum(count for _, count in rest)))
    return table


def _sync(
    health: SyncHealth, failing: tuple[str, ...], now: datetime, reconciled: ReconcileRun | None = None
) -> Text:
    text = Text()
    last = health.stored.last_sync
    if last is None:
        text.append("never synced\n", style="bold red")
    else:
        text.append("synced ", style="dim")
        text.append(f"{ago(last, now)} ago\n", style="bold red" if now - last > STALE_SYNC else "bold green")
    if health.reachable is False:
        text.append("store unreachable\n", style="bold red")
    for stream in failing:
        text.append(f"failing: {stream}\n", style="red")
    outbox = health.stored.outbox
    text.append("outbox ", style="dim")
    text.append(f"{outbox} waiting\n" if outbox else "empty\n")
    if reconciled is not None and reconciled.finished_at is not None:
        text.append("reconciled ", style="dim")
        text.append(f"{ago(reconciled.finished_at, now)} ago: {reconciled.days_checked} days, ")
        if reconciled.error:
            text.append("stopped\n", style="bold red")
        elif reconciled.left:
            text.append(f"{reconciled.left} differences left\n", style="bold red")
        elif reconciled.repaired:
            text.append(f"{reconciled.repaired} repaired\n", style="yellow")
        else:
            text.append("clean\n", style="bold green")
        text.append(f"  {reconciled.points} points, {reconciled.seconds:.0f}s\n", style="dim")
    if health.stored.notices:
        text.append(f"API notices: {len(health.stored.notices)}", style="yellow")
    return text


def make_screen(context: ScreenContext) -> BoardScreen:
    """The board, made when first shown (`catalog.py` gives its key and title)."""
    return BoardScreen(context.cache, context.clock, context.settings.sla_hours, context.floor.ship_by)
