"""Every screen the app offers, in the Footer's order; the first is where the app opens.

A screen's module is imported when the screen is first made, not at start-up: the app starts with
the first screen's code alone (its keys, names and titles are here).
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

from textual.screen import Screen

from oms_tui.screens.registry import ScreenContext, ScreenEntry


def made_by(module: str) -> Callable[[ScreenContext], Screen[Any]]:
    """`make_screen` of `oms_tui.screens.<module>`, imported at the first call."""

    def make(context: ScreenContext) -> Screen[Any]:
        screen: Screen[Any] = import_module(f"oms_tui.screens.{module}").make_screen(context)
        return screen

    return make


QUEUES = ScreenEntry("f2", "queues", "Queues", made_by("queue_screen"))
EXCEPTIONS = ScreenEntry("f3", "exceptions", "Exceptions", made_by("exceptions_screen"))
BOARD = ScreenEntry("f4", "board", "Board", made_by("board_screen"))
PICK = ScreenEntry("f5", "pick", "Pick", made_by("pick_screen"))
PACK = ScreenEntry("f6", "pack", "Pack", made_by("pack_screen"))
RETURNS = ScreenEntry("f7", "returns", "Returns", made_by("returns_screen"))

SCREENS: tuple[ScreenEntry, ...] = (
    QUEUES,
    EXCEPTIONS,
    BOARD,
    PICK,
    PACK,
    RETURNS,
)  # add a screen: one more entry
