"""Replenishment, opened from the command palette: the pick bins below their minimum and the reserve
bins that refill them, in walking order: a pick list of its own."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from oms_tui.cache.database import Cache
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import ActionRefused
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.stock.replenish import Refill, refills
from oms_tui.floor.stock.stock_changes import location_of
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.widgets.fitted_table import FittedTable
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.table_columns import Column

COLUMNS = (
    Column("From", max_width=14),
    Column("Units", justify="right"),
    Column("SKU", max_width=24),
    Column("To pick bin", max_width=14),
    Column("Holds", justify="right"),
    Column("Minimum", justify="right", priority=2),
)


class ReplenishScreen(LeanScreen[None]):
    BINDINGS = [
        Binding("r", "reload", "Read again", id="replenish.reload"),
        Binding("escape", "app.pop_screen", "Back", id="replenish.back"),
    ]
    DEFAULT_CSS = """
    ReplenishScreen #summary { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ReplenishScreen FittedTable { height: 1fr; }
    """

    def __init__(self, cache: Cache, settings: Settings) -> None:
        super().__init__()
        self.cache, self.settings = cache, settings

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        yield FittedTable(COLUMNS, cursor_type="row", zebra_stripes=True, id="refills")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Replenishment"
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="replenish")
    def load(self) -> None:
        walk = WalkRule.of(self.settings.pick_walk, self.settings.pick_zones)
        try:
            with self.cache.sessions() as session:
                found = refills(
                    session,
                    location_of(session, self.settings.stock_location).id,
                    self.settings.replenish_minimum,
                    walk,
                )
        except ActionRefused as exc:
            self.app.call_from_thread(self.show, [], str(exc))
            return
        self.app.call_from_thread(self.show, found, "")

    def show(self, found: list[Refill], problem: str) -> None:
        rows = [
            (
                (r.take_from, str(r.units), r.sku, r.pick_bin, str(r.holds), str(r.minimum)),
                f"{r.take_from} {r.sku}",
            )
            for r in found
        ]
        self.query_one("#refills", FittedTable).set_rows(rows)
        summary = problem or f"{len({r.pick_bin for r in found})} pick bin(s) below their minimum"
        self.query_one("#summary", Static).update(summary)
