"""A Screen that repaints only what changed when focus moves or its title changes.

Textual's Screen repaints every line of itself when focus moves or its title or subtitle changes:
15 ms at 120x36, on the key that moved focus (Enter in a filter box) or the read that brought a new
count. The widgets that show those repaint themselves: the one focused, the one it left, the header.

A worker of the screen that fails is handed to the app (`WorkFailed`), which says what failed.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from oms_tui.screens.messages import WorkFailed

Result = TypeVar("Result")


class LeanScreen(Screen[Result]):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)

    @on(Worker.StateChanged)
    def hand_failure_to_app(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(WorkFailed(event.worker, self.title or type(self).__name__))
