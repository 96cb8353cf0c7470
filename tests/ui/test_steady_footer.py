"""The Footer shows the keys that apply, and is not rebuilt when focus moves without changing them."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey

from oms_tui.widgets.steady_footer import SteadyFooter


class Pane(Static, can_focus=True):
    BINDINGS = [Binding("f6", "explode", "Explode")]


class Panes(App[None]):
    BINDINGS = [Binding("f5", "refresh", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.refresh_allowed = True

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield Pane("pane", id="pane")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return (True if self.refresh_allowed else None) if action == "refresh" else True  # None: dimmed


def shown(app: App[None]) -> list[tuple[str, bool]]:
    """The keys on screen (the Footer hides those that do not apply) and whether each is dimmed."""
    keys = app.screen.query(FooterKey)
    return [(key.description, key.has_class("-disabled")) for key in keys if key.display]


async def test_focus_moving_between_widgets_with_the_same_keys_keeps_the_footer() -> None:
    app = Panes()
    async with app.run_test() as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert shown(app) == [("Refresh", False), ("palette", False)]
        await pilot.press("tab", "shift+tab")  # from one input to the other and back
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys, "the same keys, not rebuilt"


async def test_the_footer_follows_the_keys_that_apply() -> None:
    app = Panes()
    async with app.run_test() as pilot:
        app.query_one("#pane").focus()
        await pilot.pause()
        assert ("Explode", False) in shown(app)
        app.query_one("#first").focus()
        await pilot.pause()
        assert ("Explode", False) not in shown(app)
        app.refresh_allowed = False
        app.refresh_bindings()
        await pilot.pause()
        assert ("Refresh", True) in shown(app), "a key that does not apply now is dimmed"


def test_it_is_textuals_footer() -> None:
    assert issubclass(SteadyFooter, Footer)  # its styles (and the screens' `Footer` rules) apply
