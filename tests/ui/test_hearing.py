"""Other stations' changes, and this station's own sync, reach its screens at most every 0.3 s on a
busy floor, and its header's figures at most every second: the first at once, those heard meanwhile
together, none lost.

The app's clock and timers are the test's: how long handling the messages takes on a loaded machine
does not move what is told when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oms_tui.app import LiveReport, OmsApp
from oms_tui.app_changes import Hearing, OthersChanged
from oms_tui.cache.change_signal import CLAIMS, HEALTH, PACKS, PICKS
from oms_tui.runtime import LiveUpdate


class Timers:
    """The app's `set_timer` for `Hearing`: what it asked to run when, run when the test says."""

    def __init__(self, app: OmsApp, monkeypatch: pytest.MonkeyPatch, *hearings: Hearing) -> None:
        self.now = 64.0  # seconds, as monotonic() counts them
        self.waits: list[tuple[float, Callable[[], Any]]] = []
        for hearing in hearings or (app.hearing,):
            hearing.clock = lambda: self.now
            monkeypatch.setattr(hearing, "app", self)  # its timers only: the app keeps its own

    def set_timer(self, wait: float, callback: Callable[[], Any]) -> float:
        self.waits.append((wait, callback))
        return wait

    def run_due(self) -> None:
        """The time waited passes, and what was waiting runs."""
        (wait, callback), self.waits = self.waits[0], self.waits[1:]
        self.now += wait
        callback()


async def test_a_burst_of_changes_is_told_twice_and_nothing_is_lost(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[frozenset[str]] = []
    health_reads: list[float] = []
    monkeypatch.setattr(app, "tell_screens", lambda update: told.append(update.kinds))
    async with app.run_test() as pilot:
        await pilot.pause()
        timers = Timers(app, monkeypatch, app.hearing, app.health_news)
        monkeypatch.setattr(app, "read_health", lambda: health_reads.append(timers.now))
        told.clear()
        burst = ({CLAIMS}, {PICKS}, {HEALTH}, {PACKS}, {CLAIMS}, {HEALTH})  # sixteen stations at work
        for kinds in burst:
            app.post_message(OthersChanged(frozenset(kinds)))
            await pilot.pause()
        assert told == [{CLAIMS}] and health_reads == [64.0]  # the first of each at once
        # the screens' wait, then the header's: its figures are read again at most every second
        assert [wait for wait, _ in timers.waits] == [
            pytest.approx(app.hearing.every),
            pytest.approx(app.health_news.every),
        ]
        assert app.hearing.every < app.health_news.every == 1.0
        timers.run_due()
        assert told[1] == {PICKS, PACKS, CLAIMS}  # the rest, together; the header's are not the screens'
        timers.run_due()
        assert len(health_reads) == 2  # the second, once its second was up
        assert timers.waits == [] and not app.hearing.kinds and not app.health_news.kinds  # nothing due
        timers.now += app.health_news.every  # a quiet spell, then the header's alone
        app.post_message(OthersChanged(frozenset({HEALTH})))
        await pilot.pause()
        assert len(health_reads) == 3 and len(told) == 2 and timers.waits == []


async def test_a_first_syncs_pages_reach_the_screens_with_the_same_pace(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[frozenset[str]] = []
    monkeypatch.setattr(app, "tell_screens", lambda update: told.append(update.kinds))
    async with app.run_test() as pilot:
        await pilot.pause()
        timers = Timers(app, monkeypatch)
        told.clear()
        for n in range(5):  # this station's own sync: a page with news after another
            app.post_message(LiveReport(LiveUpdate(f"syncing orders: page {n}", changed=True, progress=True)))
            await pilot.pause()
        app.post_message(LiveReport(LiveUpdate("synced 0 new, 0 changed")))  # nothing to read again
        await pilot.pause()
        assert len(told) == 1 and len(timers.waits) == 1
        timers.run_due()
        assert len(told) == 2 and HEALTH not in told[1]  # the header reads its health at its own pace
        assert timers.waits == [] and not app.hearing.kinds  # nothing more due
