""" "Go to order…" from the command palette: asks for the order's name and returns it (None: Esc)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class OrderPrompt(ModalScreen[str | None]):
    CSS_PATH = "order_prompt.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="order_prompt.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield Label("Go to order")
            yield Input(placeholder="order number, like 1004 or #1004", id="order")

    @on(Input.Submitted, "#order")
    def go(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
