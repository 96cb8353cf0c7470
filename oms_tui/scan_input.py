"""Scan anywhere: the app's keys pass through here before any binding or widget sees them.

A scanner's burst becomes one call of `on_scan(code)` (the app posts `Scanned` to the active screen),
whatever has the focus; every other key is handled as usual, a moment later when it could have started
a scan (`floor.scan_burst`).
Held keys go back in their order through the app's own key handling (`deliver`), so nothing is lost.

The pause that ends a burst is noticed by a timer that posts to the app's queue rather than acting at
once: keys that came before it are in the queue ahead of it and are judged by their timestamps first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.timer import Timer

from oms_tui.floor.orders.scan_burst import ScanBurst


class BurstPaused(events.Event):
    """No key for a scan gap since the key numbered `seen` was held."""

    def __init__(self, seen: int) -> None:
        super().__init__()
        self.seen = seen


class ScanInput:
    def __init__(
        self,
        app: App[Any],
        deliver: Callable[[events.Event], Awaitable[None]],
        on_scan: Callable[[str], None],
        *,
        gap_ms: float,
        min_length: int,
    ) -> None:
        """`deliver`: the app's usual handling of an input event (`App.on_event`)."""
        self.app, self.deliver, self.on_scan = app, deliver, on_scan
        self.burst: ScanBurst[events.Key] = ScanBurst(gap_ms / 1000, min_length)
        self.pressed = 0  # keys seen, to tell a stale pause from the latest one
        self.timer: Timer | None = None

    @property
    def holding(self) -> bool:
        """Keys are held back, not yet known to be typing or a scan."""
        return self.burst.holding

    async def intercept(self, event: events.Event) -> bool:
        """Handle `event` if it is a key from the terminal (or a pause after one); False: not ours."""
        if isinstance(event, BurstPaused):
            if event.seen == self.pressed:
                await self._type(self.burst.paused())
            return True
        if not isinstance(event, events.Key) or event.is_forwarded:
            return False
        self.pressed += 1
        character = event.character if event.is_printable else None
        verdict = self.burst.press(event, event.time, character=character, enter=event.key == "enter")
        await self._type(verdict.typed)
        if verdict.scan is not None:
            self.on_scan(verdict.scan)
        if self.burst.holding:
            self._wait_for_pause()
        return True

    async def _type(self, keys: list[events.Key]) -> None:
        for key in keys:
            await self.deliver(key)

    def _wait_for_pause(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        seen = self.pressed
        self.timer = self.app.set_timer(self.burst.gap, lambda: self.app.post_message(BurstPaused(seen)))
