"""Problems that come while one waits are added to it: one modal, one Esc, none lost."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Label

from oms_tui.widgets.blocking_error import BlockingError, block


class Floor(App[None]):
    def on_mount(self) -> None:
        block(self, "Put back", "#1002 is cancelled: from tote T2 put back 1 x MUG-1 to A-12-1")
        block(self, "Put back", "#1004 is on hold: from tote T3 put back 2 x CAP-9 to B-1-1")  # not shown yet


def problems(app: App[None]) -> list[str]:
    return [str(label.render()) for label in app.screen.query(".problem").results(Label)]


async def test_problems_raised_together_share_one_modal_and_one_esc_acknowledges_them() -> None:
    app = Floor()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert [type(screen) for screen in app.screen_stack].count(BlockingError) == 1
        assert [text[:5] for text in problems(app)] == ["#1002", "Put b"]
        assert "#1004 is on hold" in problems(app)[1]
        block(app, "Wrong item", "BEAN-BLA-M is not on this pick list")  # once it is shown
        await pilot.pause()
        assert len(problems(app)) == 3 and problems(app)[2].startswith("Wrong item: BEAN-BLA-M")
        await pilot.press("escape")
        assert not isinstance(app.screen, BlockingError)
