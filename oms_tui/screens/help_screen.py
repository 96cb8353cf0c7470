"""`?`: every key of the screen beneath (its focused widget's too) and the app's, with what each does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


@dataclass
class KeyRow:
    keys: list[str]
    what: str
    enabled: bool


@dataclass
class KeySection:
    title: str
    widget: bool  # bound by a focused widget, not by the screen or the app
    rows: list[KeyRow] = field(default_factory=list)


def key_sections(screen: Screen[Any]) -> list[KeySection]:
    """The screen's active bindings, one row per action (its keys together), by where they are bound:
    the screen, the app ("everywhere"), the focused widgets. A key that a focused widget binds too is
    listed with what it does there (the widget's binding wins)."""
    app = screen.app
    sections: dict[DOMNode, KeySection] = {}
    rows: dict[tuple[DOMNode, str, str], KeyRow] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:  # Textual's own hints (ctrl+c says how to quit), not commands
            continue
        node = active.node
        if node not in sections:
            widget = node is not screen and node is not app
            sections[node] = KeySection(_section_title(node, screen), widget)
        what = _what(binding)
        row = rows.get((node, binding.action, what))
        if row is None:
            row = rows[node, binding.action, what] = KeyRow([], what, active.enabled)
            sections[node].rows.append(row)
        row.keys.append(app.get_key_display(binding))
    return sorted(sections.values(), key=lambda section: (section.widget, section.title == EVERYWHERE))


EVERYWHERE = "Everywhere"
NARROW = 100  # columns


def _section_title(node: DOMNode, screen: Screen[Any]) -> str:
    if node is screen.app:
        return EVERYWHERE
    if node is screen:
        return screen.title or "This screen"
    return f"{node.BINDING_GROUP_TITLE or type(node).__name__} (focused)"


def _what(binding: Binding) -> str:
    tooltip = binding.tooltip.strip()
    return f"{binding.description}: {tooltip}" if tooltip else binding.description


def keys_table(sections: list[KeySection]) -> Group:
    """Each section's title over its keys; the keys' column as wide as the longest keys (its title
    is above it, so a long title does not squeeze what the keys do)."""
    keys_width = max((len(" / ".join(row.keys)) for s in sections for row in s.rows), default=8)
    parts: list[RenderableType] = []
    for number, section in enumerate(sections):
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
        table.add_column("keys", style="bold", no_wrap=True, min_width=keys_width)
        table.add_column("what", ratio=1)
        for row in section.rows:
            table.add_row(" / ".join(row.keys), row.what, style="" if row.enabled else "dim")
        if number:
            parts.append(Text(""))  # a blank line between sections
        parts.extend([Text(section.title, "underline"), table])
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help_screen.tcss"
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "close", "Close", id="help.close"),
    ]

    def on_resize(self) -> None:
        """Below 100 columns the two lists go one above the other."""
        self.set_class(self.size.width < NARROW, "-narrow")

    def __init__(self, beneath: Screen[Any]) -> None:
        super().__init__()
        self.beneath_title = beneath.title or ""
        self.sections = key_sections(beneath)

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield Label(f"Keys · {self.beneath_title}", id="heading")
            with VerticalScroll(id="keys"), Horizontal(id="columns"):
                # The screen's and the app's keys beside the focused widget's: most fit at 120x36.
                yield Static(keys_table([s for s in self.sections if not s.widget]))
                yield Static(keys_table([s for s in self.sections if s.widget]))
            yield Label("Esc, ? or q closes · ctrl+p: the command palette", id="hint")

    def action_close(self) -> None:
        self.dismiss()
