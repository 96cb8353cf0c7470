"""A scan that must not be missed (wrong item, over-pick, unknown code): the terminal bell and a modal
that only a deliberate key closes, so the scanner's next burst (which ends in Enter) cannot."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from oms_tui.screens.messages import Scanned


class BlockingError(ModalScreen[None]):
    BINDINGS = [Binding("escape,f12", "dismiss(None)", "Acknowledge", id="blocking.acknowledge")]
    DEFAULT_CSS = """
    BlockingError { align: center middle; background: $error 30%; }
    BlockingError > Vertical {
        width: 70; height: auto; padding: 1 2; border: heavy $error; background: $surface;
    }
    BlockingError #problem { text-style: bold; }
    BlockingError .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, problem: str, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.problem, self.hint = title, problem, hint

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            # What was scanned is shown as it came: a garbled code may look like markup.
            yield Label(self.problem, id="problem", markup=False)
            if self.hint:
                yield Label(self.hint, classes="hint", markup=False)
            yield Label("Esc to acknowledge (a scan does not close this)", classes="hint")

    def on_mount(self) -> None:
        self.app.bell()

    @on(Scanned)
    def scanned_instead(self, event: Scanned) -> None:
        """The picker scanned on without looking: ring again, the modal stays."""
        event.stop()
        self.app.bell()
