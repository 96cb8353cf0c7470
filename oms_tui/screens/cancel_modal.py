"""Confirm cancelling an order: why, where the money goes (no default: the manager chooses), restock."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, RadioButton, RadioSet, Select

from oms_tui.floor.actions.store_actions import CANCEL_REASONS, Refund

REFUNDS = {
    "refund-original": (Refund.ORIGINAL, "Refund to the original payment"),
    "refund-store-credit": (Refund.STORE_CREDIT, "Refund as store credit"),
    "refund-none": (Refund.NONE, "No refund"),
}


@dataclass(frozen=True)
class CancelChoice:
    reason: str
    refund: Refund
    restock: bool


class CancelModal(ModalScreen[CancelChoice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Keep the order", id="modal.cancel")]
    DEFAULT_CSS = """
    CancelModal { align: center middle; }
    CancelModal > Vertical {
        width: 64; height: auto; padding: 1 2; border: thick $error; background: $surface;
    }
    CancelModal Label { margin-top: 1; }
    CancelModal RadioSet { width: 100%; }
    CancelModal Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    CancelModal Button { margin-left: 2; }
    """

    def __init__(self, order_name: str) -> None:
        super().__init__()
        self.order_name = order_name

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Cancel {self.order_name}?"
            yield Select(
                [(reason.lower(), reason) for reason in CANCEL_REASONS], prompt="Reason", id="reason"
            )
            yield Label("Refund")
            with RadioSet(id="refund"):
                for ident, (_, label) in REFUNDS.items():
                    yield RadioButton(label, id=ident)
            yield Checkbox("Restock the items", value=True, id="restock")
            with Horizontal():
                yield Button("Keep the order", id="keep")
                yield Button("Cancel the order", variant="error", id="confirm", disabled=True)

    @on(Select.Changed, "#reason")
    @on(RadioSet.Changed, "#refund")
    def enable_confirm(self) -> None:
        chosen = self.query_one("#refund", RadioSet).pressed_button is not None
        reason = self.query_one("#reason", Select).value
        self.query_one("#confirm", Button).disabled = not (chosen and reason in CANCEL_REASONS)

    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        pressed = self.query_one("#refund", RadioSet).pressed_button
        assert pressed is not None and pressed.id is not None  # the button is disabled until then
        refund, _ = REFUNDS[pressed.id]
        reason = str(self.query_one("#reason", Select).value)
        self.dismiss(CancelChoice(reason, refund, self.query_one("#restock", Checkbox).value))

    @on(Button.Pressed, "#keep")
    def kept(self) -> None:
        self.dismiss(None)
