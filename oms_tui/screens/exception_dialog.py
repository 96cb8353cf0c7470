"""Who claims or resolves an exception, and for a resolution, how: a small modal form."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class ExceptionDialog(ModalScreen[tuple[str, str] | None]):
    """Returns (staff code, note), or None when cancelled; the note is asked for only to resolve."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="exception_dialog.cancel")]
    DEFAULT_CSS = """
    ExceptionDialog { align: center middle; }
    ExceptionDialog > Vertical {
        width: 72; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    ExceptionDialog .title { text-style: bold; margin-bottom: 1; }
    ExceptionDialog .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, *, staff_code: str = "", ask_note: bool = False) -> None:
        super().__init__()
        self.title_text, self.staff_code, self.ask_note = title, staff_code, ask_note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Input(self.staff_code, placeholder="Your staff code", id="staff")
            if self.ask_note:
                yield Input(placeholder="How was it resolved?", id="note")
            yield Label("Enter to confirm · Escape to cancel", classes="hint")

    def on_mount(self) -> None:
        if self.staff_code and self.ask_note:
            self.query_one("#note", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        staff = self.query_one("#staff", Input).value.strip()
        note = self.query_one("#note", Input).value.strip() if self.ask_note else ""
        if not staff:
            self.query_one("#staff", Input).focus()
        elif self.ask_note and not note:
            self.query_one("#note", Input).focus()
        else:
            self.dismiss((staff, note))
        event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)
