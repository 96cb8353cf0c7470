"""Other stations' changes, and this station's own sync, reach its screens at most every 0.3 s on a
busy floor: the first at once, those heard meanwhile together, none lost.

The app's clock and timers are the test's: how long handling the messages takes on a loaded machine
does not move what is told when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oms_tui.app import LiveReport, OmsApp
from oms_tui.app_changes import OthersChanged
from oms_tui.cache.change_signal import CLAIMS, HEALTH, PACKS, PICKS
from oms_tui.runtime import LiveUpdate


class Timers:
    """The app's `set_timer` for `Hearing`: what it asked to run when, run when the test says."""

    def __init__(self, app: OmsApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 64.0  # seconds, as monotonic() counts them
        self.waits: list[tuple[float, Callable[[], Any]]] = []
        app.hearing.clock = lambda: self.now
        monkeypatch.setattr(app.hearing, "app", self)  # its timers only: the app keeps its own

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
        timers = Timers(app, monkeypatch)
        monkeypatch.setattr(app, "read_health", lambda: health_reads.append(timers.now))
        told.clear()
        for kinds in ({CLAIMS}, {PICKS}, {HEALTH}, {PACKS}, {CLAIMS}):  # sixteen stations at work
            app.post_message(OthersChanged(frozenset(kinds)))
            await pilot.pause()
        assert told == [{CLAIMS}] and health_reads == []  # the first at once
        assert [wait for wait, _ in timers.waits] == [pytest.approx(app.hearing.every)]  # one wait
        timers.run_due()
        assert told[1] == {PICKS, HEALTH, PACKS, CLAIMS}  # the rest, together
        assert health_reads == [pytest.approx(64.0 + app.hearing.every)]
        assert timers.waits == [] and not app.hearing.kinds  # nothing more due
        timers.now += app.hearing.every  # a quiet spell, then the header's alone
        app.post_message(OthersChanged(frozenset({HEALTH})))
        await pilot.pause()
        assert len(health_reads) == 2 and len(told) == 2 and timers.waits == []


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
        assert len(told) == 2 and HEALTH not in told[1]  # the header reads its health at each report anyway
        assert timers.waits == [] and not app.hearing.kinds  # nothing more due
