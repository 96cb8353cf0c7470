"""A Screen that repaints only what changed when focus moves or its title changes.

Textual's Screen repaints every line of itself when focus moves or its title or subtitle changes:
15 ms at 120x36, on the key that moved focus (Enter in a filter box) or the read that brought a new
count. The widgets that show those repaint themselves: the one focused, the one it left, the header.
"""

from __future__ import annotations

from typing import TypeVar

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

Result = TypeVar("Result")


class LeanScreen(Screen[Result]):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
