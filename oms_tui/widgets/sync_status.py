"""One line at the bottom of every screen: store, last sync, pending outbox, station."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class SyncStatus(Static):
    DEFAULT_CSS = """
    SyncStatus { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    SyncStatus.-error { background: $error 30%; color: $text; }
    """

    store: reactive[str] = reactive("")
    state: reactive[str] = reactive("starting…")
    pending: reactive[int] = reactive(0)
    station: reactive[str] = reactive("")
    failed: reactive[bool] = reactive(False)

    def render(self) -> str:
        outbox = f"{self.pending} to send" if self.pending else "outbox empty"
        return f"{self.store}  ·  {self.state}  ·  {outbox}  ·  station {self.station}"

    def watch_failed(self, failed: bool) -> None:
        self.set_class(failed, "-error")
