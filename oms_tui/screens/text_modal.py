"""Ask for one line of text (a note, tags): Enter keeps it, Escape gives up."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TextModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="modal.cancel")]
    DEFAULT_CSS = """
    TextModal { align: center middle; }
    TextModal > Vertical {
        width: 70; height: auto; padding: 1 2; border: round $accent; background: $surface;
    }
    TextModal .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(
        self, title: str, value: str = "", placeholder: str = "", hint: str = "", *, secret: bool = False
    ) -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder, self.hint = title, value, placeholder, hint
        self.secret = secret  # a badge code: not shown to whoever looks over a shoulder

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Input(self.value, placeholder=self.placeholder, password=self.secret, id="text")
            yield Label(self.hint or "Enter to save · Esc to cancel", classes="hint")

    @on(Input.Submitted, "#text")
    def save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
