"""Every screen the app offers, in the Footer's order; the first is where the app opens."""

from oms_tui.screens import (
    board_screen,
    exceptions_screen,
    pack_screen,
    pick_screen,
    queue_screen,
    returns_screen,
)
from oms_tui.screens.registry import ScreenEntry

SCREENS: tuple[ScreenEntry, ...] = (  # add a screen: one more entry here
    queue_screen.SCREEN,
    exceptions_screen.SCREEN,
    board_screen.SCREEN,
    pick_screen.SCREEN,
    pack_screen.SCREEN,
    returns_screen.SCREEN,
)
