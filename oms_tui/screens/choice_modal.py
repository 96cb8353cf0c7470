"""Pick one of a few choices (a hold reason, a location), optionally with notes; Enter confirms."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select


@dataclass(frozen=True)
class Choice:
    value: str
    notes: str = ""


class ChoiceModal(ModalScreen[Choice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="modal.cancel")]
    DEFAULT_CSS = """
    ChoiceModal { align: center middle; }
    ChoiceModal > Vertical {
        width: 70; height: auto; padding: 1 2; border: round $accent; background: $surface;
    }
    ChoiceModal Input { margin-top: 1; }
    ChoiceModal Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ChoiceModal Button { margin-left: 2; }
    """

    def __init__(
        self, title: str, options: list[tuple[str, str]], *, notes: str | None = None, confirm: str = "OK"
    ) -> None:
        """`options` are (label, value); `notes` given (a placeholder) asks for notes as well."""
        super().__init__()
        self.title_text, self.options, self.notes, self.confirm = title, options, notes, confirm

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Select(self.options, allow_blank=False, value=self.options[0][1], id="choice")
            if self.notes is not None:
                yield Input(placeholder=self.notes, id="notes")
            else:
                yield Label("")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm, variant="primary", id="confirm")

    @on(Input.Submitted, "#notes")
    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        notes = self.query_one("#notes", Input).value.strip() if self.notes is not None else ""
        self.dismiss(Choice(str(self.query_one("#choice", Select).value), notes))

    @on(Button.Pressed, "#cancel")
    def cancelled(self) -> None:
        self.dismiss(None)
