"""A scan that must not be missed (wrong item, over-pick, unknown code): the terminal bell and a modal
that only a deliberate key closes, so the scanner's next burst (which ends in Enter) cannot."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import App, ComposeResult
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
        width: 70; height: auto; max-height: 90%; padding: 1 2; border: heavy $error; background: $surface;
        overflow-y: auto;
    }
    BlockingError .problem { text-style: bold; }
    BlockingError .also { margin-top: 1; }
    BlockingError .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, problem: str, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.problem, self.hint = title, problem, hint
        self.waiting: list[tuple[str, str, str]] = []  # problems that came before it was shown
        self.shown = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            # What was scanned is shown as it came: a garbled code may look like markup.
            yield Label(self.problem, id="problem", classes="problem", markup=False)
            if self.hint:
                yield Label(self.hint, classes="hint", markup=False)
            yield Label("Esc to acknowledge (a scan does not close this)", classes="hint", id="acknowledge")

    def also(self, title: str, problem: str, hint: str = "") -> None:
        """Another problem while this one waits (a scan queued behind the one refused): shown beneath
        it, so one Esc acknowledges them all instead of one modal stacked on another."""
        if not self.shown:
            self.waiting.append((title, problem, hint))
            return
        self.query_one(Vertical).mount_all(_another(title, problem, hint), before="#acknowledge")
        self.app.bell()

    def on_mount(self) -> None:
        self.shown = True
        for waiting in self.waiting:
            self.query_one(Vertical).mount_all(_another(*waiting), before="#acknowledge")
        self.app.bell()

    @on(Scanned)
    def scanned_instead(self, event: Scanned) -> None:
        """The picker scanned on without looking: ring again, the modal stays."""
        event.stop()
        self.app.bell()


def _another(title: str, problem: str, hint: str) -> list[Label]:
    labels = [Label(f"{title}: {problem}", classes="problem also", markup=False)]
    return labels + ([Label(hint, classes="hint", markup=False)] if hint else [])


def block(app: App[Any], title: str, problem: str, hint: str = "") -> None:
    """Stop the person with this problem, on the blocking error already shown if there is one."""
    if isinstance(app.screen, BlockingError):
        app.screen.also(title, problem, hint)
    else:
        app.push_screen(BlockingError(title, problem, hint))
