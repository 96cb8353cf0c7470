"""A widget told to show what it shows already is left alone; anything else it shows, styles included."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from oms_tui.widgets.same_content import update
from tests.ui.drawn import count_draws


class OneStatic(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(Text("3 late", style="bold"))


async def test_only_a_change_is_shown_again(monkeypatch: pytest.MonkeyPatch) -> None:
    async with OneStatic().run_test() as pilot:
        shown = pilot.app.query_one(Static)
        drawn = count_draws(monkeypatch)
        update(shown, Text("3 late", style="bold"))
        assert drawn == []
        update(shown, Text("3 late", style="bold red"))  # rich's Text == would call these the same
        assert drawn == [shown]
        assert shown.content.style == "bold red"
        update(shown, "3 late")  # plain text now, no longer styled
        assert shown.content == "3 late" and len(drawn) == 2
