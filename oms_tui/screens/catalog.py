"""Every screen the app offers, in the Footer's order; the first is where the app opens."""

from oms_tui.screens import queue_screen
from oms_tui.screens.registry import ScreenEntry

SCREENS: tuple[ScreenEntry, ...] = (queue_screen.SCREEN,)  # add a screen: one more entry here
