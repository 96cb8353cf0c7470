"""The board alone, for a wall screen: no sign-in, no actions, nothing but the board and quitting
(`q`, as on every screen, or Ctrl+Q); `r` shows the Reports screen over it (Esc: the board again)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from oms_tui.app import OmsApp
from oms_tui.screens.catalog import BOARD
from oms_tui.screens.registry import ScreenEntry


class BoardApp(OmsApp, inherit_bindings=False):  # none of the app's keys (search, screens, go to order)
    SCREEN_ENTRIES: ClassVar[tuple[ScreenEntry, ...]] = (BOARD,)
    OPENED_OVER: ClassVar[tuple[str, ...]] = ()  # nothing opens over the board here
    ENABLE_COMMAND_PALETTE = False  # the palette opens orders and syncs: actions
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", show=False, id="app.quit"),  # a wall screen shows no keys
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("r", "reports", "Reports", show=False, id="board.reports"),  # Esc back to the board
    ]

    def action_reports(self) -> None:
        """The floor's numbers, read-only like the board; nobody's own (whoever passes sees the board)."""
        self.show_reports(people=False)

    def scanned(self, code: str) -> None:
        """A scan at the wall does nothing: no badge signs in, no order opens."""
