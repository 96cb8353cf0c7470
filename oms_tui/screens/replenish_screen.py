"""Replenishment, opened from the command palette: the pick bins below their minimum and the reserve
bins that refill them, in walking order: a pick list of its own.

A manager says here which bins are reserve bins (`b`) and a pick bin's own minimum (`m`), for the
highlighted refill's pick bin or any bin typed; both are floor data of ours, written at once."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from oms_tui.actions.permissions import Permission, allowed, refusal
from oms_tui.cache.database import Cache
from oms_tui.cache.enums import BinRole
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import ActionRefused, Actor
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.stock.bin_stock import set_bin_minimum, set_bin_role
from oms_tui.floor.stock.replenish import Refill, refills
from oms_tui.floor.stock.stock_changes import location_of
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.text_modal import TextModal
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
        Binding("b", "bin_role", "Bin role", tooltip="pick or reserve (managers)", id="replenish.bin_role"),
        Binding(
            "m",
            "bin_minimum",
            "Bin minimum",
            tooltip="a pick bin's own (managers)",
            id="replenish.bin_minimum",
        ),
        Binding("escape", "app.pop_screen", "Back", id="replenish.back"),
    ]
    DEFAULT_CSS = """
    ReplenishScreen #summary { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ReplenishScreen FittedTable { height: 1fr; }
    """

    def __init__(self, cache: Cache, settings: Settings) -> None:
        super().__init__()
        self.cache, self.settings = cache, settings
        self.found: list[Refill] = []

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
            with self.cache.reads() as session:
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
        self.found = found
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

    # --- a manager's settings of a bin ----------------------------------------------------------------
    def action_bin_role(self) -> None:
        def chosen(code: str, choice: Choice | None) -> None:
            if choice is not None:
                role, actor = BinRole(choice.value), self.actor
                self.write(lambda s, where: set_bin_role(s, actor, where, code, role), f"{code}: {role} bin")

        def asked(code: str) -> None:
            options = [
                ("Pick: pickers take from it", BinRole.PICK.value),
                ("Reserve: it refills pick bins", BinRole.RESERVE.value),
            ]
            self.app.push_screen(ChoiceModal(f"Bin {code} is a", options), lambda c: chosen(code, c))

        self.ask_bin("Set a bin's role", asked)

    def action_bin_minimum(self) -> None:
        default = self.settings.replenish_minimum

        def typed(code: str, text: str | None) -> None:
            if text is None:
                return
            if text.strip() and not text.strip().isdigit():
                self.notify(
                    f"{text.strip()!r}: a whole number, or nothing", title="Not set", severity="error"
                )
                return
            minimum, actor = (int(text) if text.strip() else None), self.actor
            said = f"{code}: minimum {default} (default)" if minimum is None else f"{code}: minimum {minimum}"
            self.write(lambda s, where: set_bin_minimum(s, actor, where, code, minimum), said)

        def asked(code: str) -> None:
            modal = TextModal(f"Bin {code}: its minimum", placeholder=f"nothing: the setting's ({default})")
            self.app.push_screen(modal, lambda text: typed(code, text))

        self.ask_bin("Set a pick bin's minimum", asked)

    @property
    def actor(self) -> Actor:
        return floor_app(self.app).desk.actor

    def ask_bin(self, title: str, then: Callable[[str], None]) -> None:
        """Which bin (the highlighted refill's pick bin, unless another is typed), for a manager only."""
        staff = floor_app(self.app).desk.staff
        if not allowed(staff, Permission.SET_BINS):
            self.notify(refusal(staff, Permission.SET_BINS), title="Not allowed", severity="error")
            return
        table = self.query_one("#refills", FittedTable)
        highlighted = self.found[table.cursor_row].pick_bin if self.found and table.cursor_row >= 0 else ""

        def typed(code: str | None) -> None:
            if code and code.strip():
                then(code.strip().upper())

        hint = "A bin code · Enter · Esc to cancel"
        self.app.push_screen(TextModal(title, highlighted, placeholder="A-01-1", hint=hint), typed)

    @work(thread=True, exit_on_error=False, group="replenish-bins")
    def write(self, act: Callable[[Session, str], object], done: str) -> None:
        """The change in one transaction at the station's location; a refusal changes nothing."""
        try:
            with self.cache.sessions() as session:
                act(session, location_of(session, self.settings.stock_location).id)
                session.commit()
        except ActionRefused as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not set", severity="error")
            return
        self.app.call_from_thread(self.notify, done, title="Bin set")
        self.app.call_from_thread(self.load)
