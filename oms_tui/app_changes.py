"""What other stations change reaches this station's screens (`oms_tui.cache.change_signal`).

The watcher's thread posts `OthersChanged`; the app re-reads its health on a change of the outbox or
the sync's state and tells its screens on any other (`LiveUpdated`, as after a sync that changed
something). While changes are polled rather than heard, the header says so (`SyncHealth.listening`).

A busy floor commits many times a second, and each screen reads again what it shows when told. So the
app tells what it heard at most every `TELL_EVERY_S` (`Hearing`): the first change at once, those
heard meanwhile together once that time is up. The header's health is read again the same way, at
most every second (`oms_tui.app.HEALTH_NEWS_EVERY_S`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer

from oms_tui.cache.change_signal import ChangeWatcher

# Other stations' changes reach the screens at most this often: within a second, as the floor expects,
# and a station no longer reads (and draws) again at every commit of sixteen others.
TELL_EVERY_S = 0.3

if TYPE_CHECKING:
    from textual.app import App

    from oms_tui.cache.database import Cache


class OthersChanged(Message):
    def __init__(self, kinds: frozenset[str]) -> None:
        super().__init__()
        self.kinds = kinds


class ListenState(Message):
    def __init__(self, problem: str | None) -> None:
        super().__init__()
        self.problem = problem  # None: changes are heard again


def watch_changes(app: App[Any], cache: Cache) -> ChangeWatcher:
    """A started watcher posting to `app` (post_message is safe from its thread, and a no-op once
    the app has closed)."""

    def changed(kinds: frozenset[str]) -> None:
        app.post_message(OthersChanged(kinds))

    def state(problem: str | None) -> None:
        app.post_message(ListenState(problem))

    return ChangeWatcher(cache.listen_url, changed, state).start()


class Hearing:
    """Changes heard, told on at most every `every` seconds (timers on the app's loop)."""

    def __init__(
        self, app: App[Any], tell: Callable[[frozenset[str]], object], every: float = TELL_EVERY_S
    ) -> None:
        self.app, self.tell, self.every = app, tell, every
        self.clock = time.monotonic
        self.kinds: frozenset[str] = frozenset()  # heard, not told yet
        self.told_at = -every
        self.waiting: Timer | None = None

    def heard(self, kinds: frozenset[str]) -> None:
        self.kinds |= kinds
        if self.waiting is not None:
            return  # told with the others when the wait is up
        wait = self.told_at + self.every - self.clock()
        if wait > 0:
            self.waiting = self.app.set_timer(wait, self._tell)
        else:
            self._tell()

    def _tell(self) -> None:
        kinds, self.kinds, self.waiting = self.kinds, frozenset(), None
        self.told_at = self.clock()
        self.tell(kinds)
