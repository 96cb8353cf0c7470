"""A big number in a titled box, for a wall screen: Textual's Digits, or plain text when too big."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import Digits, Static

from oms_tui.widgets.same_content import update, update_digits

DIGIT_WIDTH = DIGIT_HEIGHT = 3  # Digits' font: 3x3 cells a character
PLAIN_FROM = 10_000  # from here on the number is shown with separators, in plain text


class StageTile(Vertical):
    DEFAULT_CSS = """
    StageTile {
        height: 5; border: round $primary 50%; border-title-color: $text; border-subtitle-color: $text-muted;
        align-horizontal: center;
    }
    StageTile Digits { width: auto; }
    StageTile .plain { width: auto; height: 1fr; text-style: bold; content-align: center middle; }
    StageTile .plain { display: none; }
    StageTile.-wide .plain { display: block; }
    StageTile.-wide Digits { display: none; }
    StageTile.-alert { border: round $error; }
    StageTile.-alert Digits, StageTile.-alert .plain { color: $error; }
    """

    def __init__(self, caption: str, short: str, note: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.caption, self.short, self.value = caption, short, ""
        self.border_subtitle = note

    def compose(self) -> ComposeResult:
        yield Digits("")
        yield Static("", classes="plain")

    def show(self, value: int, *, alert: bool = False) -> None:
        shown, self.value = self.value, f"{value:,}"
        update_digits(self.query_one(Digits), self.value if value < PLAIN_FROM else "")
        # the plain text's width is its own: a layout only when that changes
        update(self.query_one(".plain", Static), self.value, layout=len(self.value) != len(shown))
        self.set_class(alert, "-alert")
        self._fit()

    def on_resize(self, _event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """Digits and the full caption when they fit the tile, else plain text and the short caption."""
        width, height = self.content_size
        too_big = len(self.value) * DIGIT_WIDTH > width or height < DIGIT_HEIGHT
        self.set_class("," in self.value or too_big, "-wide")
        title = self.caption if len(self.caption) + 2 <= width else self.short
        if self.border_title != title:  # setting it draws the tile again, even to the same title
            self.border_title = title
