"""The footer shows the keys that apply, on one line, and a click on one presses it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from oms_tui.widgets.key_footer import KeyFooter


class Pane(Static, can_focus=True):
    BINDINGS = [Binding("f6", "explode", "Explode")]

    def action_explode(self) -> None:
        self.app.exploded += 1  # type: ignore[attr-defined]


class Panes(App[None]):
    BINDINGS = [Binding("f5", "refresh", "Refresh"), Binding("f7", "archive", "Archive everything at once")]

    def __init__(self) -> None:
        super().__init__()
        self.refresh_allowed = True
        self.exploded = 0

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Pane("pane", id="pane")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return (True if self.refresh_allowed else None) if action == "refresh" else True  # None: dimmed


def footer_line(app: App[None]) -> str:
    return app.query_one(KeyFooter).render().plain


async def test_the_footer_follows_the_keys_that_apply() -> None:
    app = Panes()
    async with app.run_test(size=(100, 5)) as pilot:
        app.query_one("#pane").focus()
        await pilot.pause()
        assert " f6 Explode " in footer_line(app)
        app.query_one("#first").focus()
        await pilot.pause()
        assert "Explode" not in footer_line(app)
        assert footer_line(app).rstrip().endswith("^p palette"), "the palette's key, on the right"
        app.refresh_allowed = False
        app.refresh_bindings()
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        refresh = next(item for item in footer.items if item.description == "Refresh")
        assert not refresh.enabled and "f5 Refresh" in footer_line(app), "shown, dimmed"
        assert any("dim" in str(span.style) for span in footer.render().spans)


async def test_a_click_on_a_key_presses_it() -> None:
    app = Panes()
    async with app.run_test(size=(100, 5)) as pilot:
        app.query_one("#pane").focus()
        await pilot.pause()
        line = footer_line(app)
        await pilot.click(KeyFooter, offset=(line.index("Explode"), 0))
        await pilot.pause()
        assert app.exploded == 1
        await pilot.click(KeyFooter, offset=(line.index("palette"), 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_keys_past_the_edge_are_cut_and_the_palette_key_stays() -> None:
    app = Panes()
    async with app.run_test(size=(40, 5)) as pilot:
        app.query_one("#pane").focus()
        await pilot.pause()
        line = footer_line(app)
        assert len(line) == 40 and "Archive" not in line and line.rstrip().endswith("^p palette")


class Grouped(App[None]):
    GO = Binding.Group("Go to")
    BINDINGS = [
        Binding("f2", "go", "Queues", group=GO),
        Binding("f3", "go", "Board", group=GO),  # the same action: shown once, as Textual's Footer does
        Binding("f4", "pick", "Pick list", group=GO),
        Binding("f5", "pack", "Packing bench", group=GO),
        Binding("f8", "archive", "Archive"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyFooter()


async def test_a_group_of_keys_is_drawn_together_only_when_room_is_short() -> None:
    wide, narrow = Grouped(), Grouped()
    async with wide.run_test(size=(100, 5)) as pilot:
        await pilot.pause()
        assert footer_line(wide).startswith(" f2 Queues  f4 Pick list  f5 Packing bench  f8 Archive ")
    async with narrow.run_test(size=(50, 5)) as pilot:
        await pilot.pause()
        line = footer_line(narrow)
        assert line.startswith(" f2 f4 f5 Go to  f8 Archive ")
        footer = narrow.query_one(KeyFooter)
        assert footer.item_at(line.index("f4")).description == "Pick list"  # a click on f4 presses f4
        assert footer.item_at(line.index("Go to")) is None


class WithHelp(Panes):
    BINDINGS = [*Panes.BINDINGS, Binding("question_mark", "help", "Help", id="app.help")]

    def __init__(self) -> None:
        super().__init__()
        self.helped = 0

    def action_help(self) -> None:
        self.helped += 1


async def test_the_help_key_stays_beside_the_palette_when_keys_are_cut_and_a_click_presses_it() -> None:
    app = WithHelp()
    async with app.run_test(size=(40, 5)) as pilot:
        app.query_one("#pane").focus()
        await pilot.pause()
        line = footer_line(app)
        assert len(line) == 40 and "Archive" not in line
        assert line.rstrip().endswith("? Help ▏ ^p palette"), line
        await pilot.click(KeyFooter, offset=(line.index("Help"), 0))
        await pilot.pause()
        assert app.helped == 1
        await pilot.click(KeyFooter, offset=(line.index("palette"), 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
