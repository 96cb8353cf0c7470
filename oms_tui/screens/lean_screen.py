"""A Screen that repaints only what changed when focus moves or its title changes.

Textual's Screen repaints every line of itself when focus moves or its title or subtitle changes:
15 ms at 120x36, on the key that moved focus (Enter in a filter box) or the read that brought a new
count. The widgets that show those repaint themselves: the one focused, the one it left, the header.

A worker of the screen that fails is handed to the app (`WorkFailed`), which says what failed.
Screens that read again every few seconds (`read_again_in`) do so only while shown: a screen made
ahead of time, or left for another, reads once when it is shown again. So with changes heard from
the floor (`hear`): the screen on show is told at once, of the kinds it shows (`LIVE_KINDS`); one
not on show is told once it is shown again, of all it missed in one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar, TypeVar

from textual import events, on
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from oms_tui.cache.change_signal import EVERYTHING
from oms_tui.runtime import LiveUpdate
from oms_tui.screens.messages import LiveUpdated, WorkFailed

Result = TypeVar("Result")


class LeanScreen(Screen[Result]):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    read_when_shown: Callable[[], object] | None = None  # came due while another screen was shown
    LIVE_KINDS: ClassVar[frozenset[str]] = EVERYTHING  # the kinds of change that alter what it shows
    missed: LiveUpdate | None = None  # the changes heard while another screen was shown, as one

    def hear(self, update: LiveUpdate) -> None:
        """A change of the cache (a sync, another station): told now if shown, else once shown."""
        if not update.changed or not update.kinds & self.LIVE_KINDS:
            return
        if self.is_current:
            self.post_message(LiveUpdated(update))
        elif self.missed is None:
            self.missed = update
        else:
            self.missed = replace(update, kinds=self.missed.kinds | update.kinds)

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
        missed, self.missed = self.missed, None
        if missed is not None:
            self.post_message(LiveUpdated(missed))

    @on(Worker.StateChanged)
    def hand_failure_to_app(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(WorkFailed(event.worker, self.title or type(self).__name__))
