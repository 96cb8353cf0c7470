"""A change heard from the floor is read by the screen on show at once, by a screen not on show only
once it is shown again (all it missed, in one read), and by none that does not show its kind."""

from __future__ import annotations

from oms_tui.app import OmsApp
from oms_tui.cache.change_signal import CLAIMS, EXCEPTIONS, PICKS
from oms_tui.runtime import LiveUpdate
from oms_tui.screens.exceptions_screen import ExceptionsScreen
from tests.ui.conftest import settle

SIZE = (120, 36)


def changed(*kinds: str) -> LiveUpdate:
    return LiveUpdate("the floor changed", changed=True, kinds=frozenset(kinds))


def count_reads(screen: ExceptionsScreen) -> list[None]:
    reads: list[None] = []
    load = screen.load
    screen.load = lambda: reads.append(None) or load()  # type: ignore[method-assign,func-returns-value]
    return reads


async def test_a_screen_reads_a_change_of_its_kind_now_if_shown_else_once_shown_again(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExceptionsScreen)
        reads = count_reads(screen)

        app.tell_screens(changed(EXCEPTIONS))
        await settle(pilot)
        assert len(reads) == 1, "the screen on show did not read the change"

        app.tell_screens(changed(PICKS, CLAIMS))  # a pick elsewhere: not what this screen shows
        await settle(pilot)
        assert len(reads) == 1, "a change of another kind was read"

        await pilot.press("f4")  # the board on show now
        await settle(pilot)
        for _ in range(3):
            app.tell_screens(changed(EXCEPTIONS))
        await settle(pilot)
        assert len(reads) == 1, "a screen not on show read the floor's changes"

        await pilot.press("f3")
        await settle(pilot)
        assert len(reads) == 1 + 1, "what the screen missed was not read once when shown again"
