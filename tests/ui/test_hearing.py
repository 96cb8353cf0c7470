"""Other stations' changes, and this station's own sync, reach its screens at most every 0.3 s on a
busy floor: the first at once, those heard meanwhile together, none lost."""

from __future__ import annotations

import time

import pytest

from oms_tui.app import LiveReport, OmsApp
from oms_tui.app_changes import OthersChanged
from oms_tui.cache.change_signal import CLAIMS, HEALTH, PACKS, PICKS
from oms_tui.runtime import LiveUpdate
from tests.ui.test_sign_in import until


async def test_a_burst_of_changes_is_told_twice_and_nothing_is_lost(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[tuple[float, frozenset[str]]] = []
    health_reads: list[float] = []
    monkeypatch.setattr(app, "tell_screens", lambda update: told.append((time.monotonic(), update.kinds)))
    monkeypatch.setattr(app, "read_health", lambda: health_reads.append(time.monotonic()))
    async with app.run_test() as pilot:
        await pilot.pause()
        told.clear()
        health_reads.clear()
        started = time.monotonic()
        for kinds in ({CLAIMS}, {PICKS}, {HEALTH}, {PACKS}, {CLAIMS}):  # sixteen stations at work
            app.post_message(OthersChanged(frozenset(kinds)))
            await pilot.pause()
        assert [kinds for _, kinds in told] == [{CLAIMS}]  # the first at once
        await until(pilot, lambda: len(told) == 2)
        assert told[1][1] == {PICKS, HEALTH, PACKS, CLAIMS}  # the rest, together
        assert told[1][0] - started >= app.hearing.every
        assert len(health_reads) == 1 and health_reads[0] - started >= app.hearing.every
        assert len(told) == 2 and app.hearing.waiting is None and not app.hearing.kinds  # nothing more due
        app.post_message(OthersChanged(frozenset({HEALTH})))  # the header's alone, after a quiet spell
        await until(pilot, lambda: len(health_reads) == 2)
        assert len(told) == 2


async def test_a_first_syncs_pages_reach_the_screens_with_the_same_pace(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[frozenset[str]] = []
    monkeypatch.setattr(app, "tell_screens", lambda update: told.append(update.kinds))
    async with app.run_test() as pilot:
        await pilot.pause()
        told.clear()
        for n in range(5):  # this station's own sync: a page with news after another
            app.post_message(LiveReport(LiveUpdate(f"syncing orders: page {n}", changed=True, progress=True)))
            await pilot.pause()
        app.post_message(LiveReport(LiveUpdate("synced 0 new, 0 changed")))  # nothing to read again
        await pilot.pause()
        assert len(told) == 1
        await until(pilot, lambda: len(told) == 2)
        assert HEALTH not in told[1]  # the header reads its health at each report anyway
        assert len(told) == 2 and app.hearing.waiting is None and not app.hearing.kinds  # nothing more due
