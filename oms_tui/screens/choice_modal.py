"""Pick one of a few choices (a hold reason, a location), optionally with notes, by keys alone:
arrows choose, Enter picks (then Enter again after the notes), Escape gives up."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


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
    ChoiceModal OptionList { height: auto; max-height: 12; }
    ChoiceModal Input { margin-top: 1; }
    ChoiceModal .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, options: list[tuple[str, str]], *, notes: str | None = None) -> None:
        """`options` are (label, value); `notes` given (a placeholder) asks for notes as well."""
        super().__init__()
        self.title_text, self.options, self.notes = title, options, notes

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield OptionList(*(Option(label, id=value) for label, value in self.options), id="choice")
            if self.notes is not None:
                yield Input(placeholder=self.notes, id="notes")
            then = "then notes and Enter" if self.notes is not None else "Enter picks"
            yield Label(f"↑↓ choose · {then} · Esc to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#choice")
    def picked(self, event: OptionList.OptionSelected) -> None:
        if self.notes is not None:
            self.query_one("#notes", Input).focus()
        else:
            self.dismiss(Choice(str(event.option.id)))

    @on(Input.Submitted, "#notes")
    def confirmed(self) -> None:
        choices = self.query_one(OptionList)
        chosen = choices.get_option_at_index(choices.highlighted or 0)
        self.dismiss(Choice(str(chosen.id), self.query_one("#notes", Input).value.strip()))
