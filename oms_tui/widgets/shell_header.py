"""The header of every screen: where and who (station, staff), the screen, sync health, the clock.

It follows the app's `health` (a `SyncHealth`) and `staff` (the signed-in person's name, or None)
and redraws the clock and the sync's age every second from the app's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label

from oms_tui.sync_health import SyncHealth, ago
from oms_tui.widgets.same_content import update

NO_STAFF = "—"
CLOCK_FORMAT = "%a %d %b %H:%M:%S"


class ShellHeader(Widget):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text()

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.clock = clock
        self.health: SyncHealth | None = None
        self.staff: str | None = None
        # Held rather than queried: a watcher may run while the app is still mounting or already
        # leaving (a browser session closed at once), when a query would find nothing and raise.
        # Plain text, not markup: names come from settings and the store (a notice, a staff name).
        self.title_label = Label(id="title", markup=False)
        self.where = Label(id="where", markup=False)
        self.clock_label = Label(id="clock", markup=False)
        self.sync = Label(id="sync")
        self.notice = Label(id="notice", markup=False)

    def compose(self) -> ComposeResult:
        with Horizontal(id="bar"):
            yield self.title_label
            yield self.where
            yield self.clock_label
        yield self.sync
        yield self.notice

    def on_mount(self) -> None:
        self.watch(self.screen, "title", self._show_title)
        self.watch(self.screen, "sub_title", self._show_title)
        self.watch(self.app, "health", self._show_health)
        self.watch(self.app, "staff", self._show_staff)
        self.set_interval(1, self._tick)

    def _show_title(self) -> None:
        title, sub_title = self.screen.title or "", self.screen.sub_title or ""
        shown = f"{self.app.title} │ {title}" + (f" · {sub_title}" if sub_title else "")
        update(self.title_label, shown, layout=False)  # one line, its width the bar's

    def _show_health(self, health: SyncHealth) -> None:
        self.health = health
        self._show_where()
        self._tick()
        notices = health.stored.notices
        more = f"  (+{len(notices) - 1} more: oms-tui sync lists them)" if len(notices) > 1 else ""
        update(self.notice, f"⚠ API notice: {notices[0]}{more}" if notices else "")
        self.notice.display = bool(notices)

    def _show_staff(self, staff: str | None) -> None:
        self.staff = staff
        self._show_where()

    def _show_where(self) -> None:
        station = self.health.station if self.health else ""
        update(self.where, f"station {station} · staff {self.staff or NO_STAFF}")

    def _tick(self) -> None:
        # Every second: a layout pass only when the clock's width changed (the sync line is one line
        # as wide as the header whatever it says).
        now = self.clock()
        shown = now.strftime(CLOCK_FORMAT)
        update(self.clock_label, shown, layout=len(shown) != len(str(self.clock_label.content)))
        if self.health is not None:
            update(self.sync, sync_line(self.health, now), layout=False)


def sync_line(health: SyncHealth, now: datetime) -> Content:
    """'● store reachable · synced 4m ago · 3 to send · <what the live loop says>'."""
    parts: list[Content] = []
    if health.cache_down:
        down = f"● cache unreachable ({health.cache_down}): actions refused until it is back"
        parts.append(Content.styled(down, "bold $error"))
    if health.listening:  # other stations' work shows, but late: the header says why
        parts.append(Content.styled(f"● other stations {health.listening}", "bold $warning"))
    if health.reachable is not None:
        reachable = "store reachable" if health.reachable else "store unreachable"
        parts.append(Content.styled(f"● {reachable}", "$success" if health.reachable else "bold $error"))
    parts.append(Content(sync_age(health, now)))
    outbox = health.stored.outbox
    parts.append(Content.styled(f"{outbox} to send", "bold $warning") if outbox else Content("outbox empty"))
    if health.activity:
        parts.append(Content.styled(health.activity, "bold $error" if health.failed else "italic"))
    return Content(" · ").join(parts)


def sync_age(health: SyncHealth, now: datetime) -> str:
    """What is true of the last sync: none yet (one may be running), or its age, said as the last
    good one while the store does not answer."""
    last = health.stored.last_sync
    if last is None:
        return "syncing…" if health.syncing and health.reachable is not False else "not synced yet"
    return f"{'last synced' if health.reachable is False else 'synced'} {ago(last, now)} ago"
