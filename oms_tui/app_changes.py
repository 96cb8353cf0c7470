"""What other stations change reaches this station's screens (`oms_tui.cache.change_signal`).

The watcher's thread posts `OthersChanged`; the app re-reads its health on a change of the outbox or
the sync's state and tells its screens on any other (`LiveUpdated`, as after a sync that changed
something). While changes are polled rather than heard, the header says so (`SyncHealth.listening`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from oms_tui.cache.change_signal import ChangeWatcher

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
