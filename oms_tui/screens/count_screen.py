"""A cycle count by scan, opened from the command palette ("Stock count").

Type what to count and Enter: a zone (`A`), `short` (bins of SKUs short-picked this week), `stale`
(bins not counted for the set number of days) or bin codes. Then scan a bin, then each unit in it (or
scan a SKU and type the number, Enter); scanning the next bin (or Enter, or ctrl+b) closes the bin. A
bin beyond the tolerance is counted again; ctrl+s sends the count. A SKU whose stock moved at the
store meanwhile is re-based and shown to be counted again, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import CountLineState
from oms_tui.config import Settings
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import ActionRefused
from oms_tui.floor.stock.count_scans import BinTally, close_bin, open_bin, sku_of
from oms_tui.floor.stock.counts import Scope, finish_count, lines_of, rebase_refused, start_count
from oms_tui.floor.stock.stock_changes import location_of
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.messages import Scanned
from oms_tui.screens.step_queue import StepQueue
from oms_tui.widgets.fitted_table import FittedTable, Row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.table_columns import Column

SHORT_DAYS = 7.0
COLUMNS = (
    Column("Bin", max_width=14),
    Column("SKU", max_width=24),
    Column("Expected", justify="right"),
    Column("Counted", justify="right"),
    Column("State"),
    Column("Note", flex=True, priority=2),
)
Step = Callable[[Session], str | None]  # what to tell the counter (None: nothing new)
REFRESH_SECONDS = 5.0  # a result the store refused shows without a key pressed


@dataclass
class Shown:
    rows: list[Row]
    prompt: str
    note: str | None


class CountScreen(LeanScreen[None]):
    AUTO_FOCUS = "#entry"
    BINDINGS = [
        # The entry box has the keys: letters are typed into it, so these are control keys.
        Binding("ctrl+b", "close_bin", "Close bin", id="count.close"),
        Binding("ctrl+s", "finish", "Send count", id="count.finish"),
        Binding("escape", "app.pop_screen", "Back", id="count.back"),
    ]
    DEFAULT_CSS = """
    CountScreen #prompt { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    CountScreen FittedTable { height: 1fr; }
    CountScreen #note { height: 2; padding: 0 1; }
    """

    def __init__(self, cache: Cache, settings: Settings) -> None:
        super().__init__()
        self.cache, self.settings = cache, settings
        self.count_id: int | None = None
        self.tally: BinTally | None = None
        self.steps = StepQueue[Step](self, self.run_one, "count-steps")

    @property
    def desk(self) -> OrderDesk:
        desk: OrderDesk = self.app.desk  # type: ignore[attr-defined]  # the signed-in person
        return desk

    def compose(self) -> ComposeResult:
        yield Static("What to count: a zone (A), short, stale, or bin codes - then Enter", id="prompt")
        yield FittedTable(COLUMNS, cursor_type="row", zebra_stripes=True, id="lines")
        yield Static("", id="note")
        yield Input(placeholder="zone, short, stale, bins - or a number for the last SKU", id="entry")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Stock count"
        self.set_interval(REFRESH_SECONDS, self._refresh)

    def _refresh(self) -> None:
        if self.count_id is not None and self.is_current and not self.steps.running:
            self.steps.add(lambda session: None)

    # --- input: scans and typed entries, one step at a time in order ----------------------------------
    @on(Scanned)
    def scanned(self, event: Scanned) -> None:
        event.stop()
        code = event.code
        self.steps.add(lambda session: self._code(session, code))

    @on(Input.Submitted, "#entry")
    def typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if not text:  # Enter on its own: the bin is done
            self.action_close_bin()
            return
        if self.count_id is None:
            self.steps.add(lambda session: self._start(session, text))
        elif text.isdigit():
            self.steps.add(lambda session: self._number(int(text)))
        else:
            self.steps.add(lambda session: self._code(session, text))

    def action_close_bin(self) -> None:
        self.steps.add(self._close)

    def action_finish(self) -> None:
        self.steps.add(self._finish)

    def run_one(self, step: Step) -> None:
        """In the steps' worker: the step in its own transaction, then the count as it stands."""
        try:
            with self.cache.sessions() as session:
                note = step(session)
                session.commit()
        except ActionRefused as exc:
            note = str(exc)
        except SQLAlchemyError as exc:
            note = f"not saved: {str(exc).splitlines()[0]}"
        with self.cache.sessions() as session:
            shown = self._shown(session, note)
            session.commit()  # results the store refused, re-based while shown
        self.app.call_from_thread(self.show, shown)

    # --- steps ----------------------------------------------------------------------------------------
    def _start(self, session: Session, text: str) -> str:
        words = text.split()
        stale = float(self.settings.count_stale_days)
        scope = (
            Scope(short_days=SHORT_DAYS)
            if text.lower() == "short"
            else Scope(stale_days=stale)
            if text.lower() == "stale"
            else Scope(zone=words[0])
            if len(words) == 1 and "-" not in words[0]
            else Scope(bins=tuple(words))
        )
        count = start_count(
            session, self.desk.actor, location_of(session, self.settings.stock_location).id, scope
        )
        self.count_id = count.id
        return f"count {count.id}: {count.scope}"

    def _code(self, session: Session, code: str) -> str:
        if self.count_id is None:
            return "type what to count first"
        opened = open_bin(session, self.count_id, code)
        if opened is not None:
            note = self._close(session) if self.tally is not None else ""
            self.tally = opened
            return f"{note} bin {opened.code} open: scan each unit".strip()
        if self.tally is None:
            return f"{code!r} is no bin of this count: scan a bin first"
        sku = sku_of(session, code)
        if sku is None:
            return f"unknown code {code!r}: scan the unit again or type its SKU"
        if sku not in self.tally.skus:
            return f"{sku} is not in bin {self.tally.code} by our records: set it aside"
        self.tally.add(sku)
        return f"{sku}: {self.tally.units[sku]} in {self.tally.code}"

    def _number(self, units: int) -> str:
        if self.tally is None or self.tally.last is None:
            return "scan a SKU first, then type how many"
        sku = self.tally.set_last(units)
        return f"{sku}: {units} in {self.tally.code}"

    def _close(self, session: Session) -> str:
        if self.tally is None or self.count_id is None:
            return "no bin open"
        tally, self.tally = self.tally, None
        lines = close_bin(session, self.desk.actor, self.count_id, tally, self.settings.count_tolerance)
        again = [line for line in lines if line.state == CountLineState.RECOUNT]
        if again:
            return f"bin {tally.code}: count it again ({again[0].note})"
        return f"bin {tally.code} counted"

    def _finish(self, session: Session) -> str:
        if self.count_id is None:
            return "nothing to send"
        note = self._close(session) if self.tally is not None else ""
        sent = finish_count(session, self.desk.actor, self.count_id)
        moved = [line for line in lines_of(session, self.count_id) if line.state == CountLineState.REBASED]
        if moved:
            return f"{note} {len(sent)} sent; stock moved at the store: count {moved[0].code} again".strip()
        return f"{note} count sent: {len(sent)} SKU(s) to the store".strip()

    def _shown(self, session: Session, note: str | None) -> Shown:
        if self.count_id is None:
            return Shown([], "What to count: a zone (A), short, stale, or bin codes - then Enter", note)
        rebase_refused(session, self.count_id)  # results the store refused: counted again
        lines = lines_of(session, self.count_id)
        rows: list[Row] = [
            (
                (
                    line.code,
                    line.sku,
                    "?" if line.expected is None else str(line.expected),
                    "" if line.counted is None else str(line.counted),
                    line.state.value,
                    line.note or "",
                ),
                f"{line.code} {line.sku}",
            )
            for line in lines
        ]
        left = sum(line.state not in (CountLineState.COUNTED, CountLineState.SENT) for line in lines)
        where = f"bin {self.tally.code} open" if self.tally else "scan a bin"
        return Shown(rows, f"Count {self.count_id}: {where} - {left} line(s) to count", note)

    def show(self, shown: Shown) -> None:
        self.query_one("#lines", FittedTable).set_rows(shown.rows)
        self.query_one("#prompt", Static).update(shown.prompt)
        if shown.note is not None:
            self.query_one("#note", Static).update(shown.note)
