"""Write a message to a customer: the template chosen fills in subject and body, the person edits them,
then Ctrl+S sends (Escape gives up, nothing sent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, TextArea


@dataclass(frozen=True)
class MessageEdit:
    template: str
    subject: str
    body: str


Fill = Callable[[str], tuple[str, str]]  # template -> (subject, body), read off the UI thread


class MessageModal(ModalScreen[MessageEdit | None]):
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="message.send"),
        Binding("escape", "dismiss(None)", "Cancel", id="message.cancel"),
    ]
    DEFAULT_CSS = """
    MessageModal { align: center middle; }
    MessageModal > Vertical {
        width: 90%; max-width: 110; height: 90%; padding: 0 1; border: round $accent; background: $surface;
    }
    MessageModal #template { width: 40; margin-bottom: 1; }
    MessageModal #body { height: 1fr; }
    MessageModal .hint { color: $text-muted; }
    """

    def __init__(
        self, title: str, templates: list[str], template: str, subject: str, body: str, fill: Fill
    ) -> None:
        super().__init__()
        self.title_text, self.templates, self.template = title, templates, template
        self.subject, self.body, self.fill = subject, body, fill

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            options = [(name.replace("_", " "), name) for name in self.templates]
            yield Select(options, value=self.template, allow_blank=False, id="template", compact=True)
            yield Input(self.subject, placeholder="Subject", id="subject")
            yield TextArea(self.body, id="body", soft_wrap=True, show_line_numbers=False)
            yield Label("Ctrl+S sends · Esc cancels (nothing is sent)", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#body", TextArea).focus()

    @on(Select.Changed, "#template")
    def chosen(self, event: Select.Changed) -> None:
        if event.value != self.template and isinstance(event.value, str):
            self.template = event.value
            self.refill(event.value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="message-fill")
    def refill(self, template: str) -> None:
        try:
            subject, body = self.fill(template)
        except ValueError as exc:  # a broken template: one line naming it and its line
            self.app.call_from_thread(self.notify, str(exc), title="Template", severity="error")
            return
        self.app.call_from_thread(self._show, subject, body)

    def _show(self, subject: str, body: str) -> None:
        self.query_one("#subject", Input).value = subject
        self.query_one("#body", TextArea).text = body

    def action_send(self) -> None:
        subject = self.query_one("#subject", Input).value.strip()
        body = self.query_one("#body", TextArea).text
        if not subject:
            self.query_one("#subject", Input).focus()
            self.notify("The message needs a subject", severity="warning")
            return
        if not body.strip():
            self.notify("The message is empty", severity="warning")
            return
        self.dismiss(MessageEdit(self.template, subject, body))
