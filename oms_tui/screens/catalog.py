"""Every screen the app offers, in the Footer's order; the first is where the app opens.

A screen's module is imported when the screen is first made, not at start-up: the app starts with
the first screen's code alone (its keys, names and titles are here), and makes the others after its
first frame (`OmsApp.prepare_screens`).
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


def entry(key: str, name: str, title: str, module: str) -> ScreenEntry:
    return ScreenEntry(key, name, title, made_by(module), module)


QUEUES = entry("f2", "queues", "Queues", "queue_screen")
EXCEPTIONS = entry("f3", "exceptions", "Exceptions", "exceptions_screen")
BOARD = entry("f4", "board", "Board", "board_screen")
PICK = entry("f5", "pick", "Pick", "pick_screen")
PACK = entry("f6", "pack", "Pack", "pack_screen")
RETURNS = entry("f7", "returns", "Returns", "returns_screen")

SCREENS: tuple[ScreenEntry, ...] = (
    QUEUES,
    EXCEPTIONS,
    BOARD,
    PICK,
    PACK,
    RETURNS,
)  # add a screen: one more entry
OPENED_OVER = ("order_screen", "search_screen", "help_screen")  # opened over the screens: loaded ahead too
