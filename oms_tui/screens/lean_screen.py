"""A Screen that repaints only what changed when focus moves or its title changes.

Textual's Screen repaints every line of itself when focus moves or its title or subtitle changes:
15 ms at 120x36, on the key that moved focus (Enter in a filter box) or the read that brought a new
count. The widgets that show those repaint themselves: the one focused, the one it left, the header.

A worker of the screen that fails is handed to the app (`WorkFailed`), which says what failed.
Screens that read again every few seconds (`read_again_in`) do so only while shown: a screen made
ahead of time, or left for another, reads once when it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual import events, on
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from oms_tui.screens.messages import WorkFailed

Result = TypeVar("Result")


class LeanScreen(Screen[Result]):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    read_when_shown: Callable[[], object] | None = None  # came due while another screen was shown

    def read_again_in(self, seconds: float, read: Callable[[], object]) -> Timer:
        """`read` in `seconds` if this screen is shown then, else as soon as it is shown again."""
        return self.set_timer(seconds, lambda: self.read_due(read))

    def read_due(self, read: Callable[[], object]) -> None:
        if self.is_current:
            read()
        else:
            self.read_when_shown = read

    @on(events.ScreenResume)
    def _read_if_due(self) -> None:
        read, self.read_when_shown = self.read_when_shown, None
        if read is not None:
            read()

    @on(Worker.StateChanged)
    def hand_failure_to_app(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(WorkFailed(event.worker, self.title or type(self).__name__))
