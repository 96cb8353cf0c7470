"""The keys that apply now, drawn on one line at the bottom of a screen.

Textual's Footer is a row of widgets, one per key, made again (or shown and hidden) whenever focus
moves: each time the whole screen is laid out again, 15 to 40 ms on the key that moved focus, and
at start 16 more widgets to style. This one is a single line of text: a new set of keys repaints
it, nothing else. It looks and behaves as the Footer does: the key, then what it does; a key that
does not apply now is dimmed; the command palette's key on the right; a click presses the key.
When the keys do not fit, those of a binding group are drawn together under the group's name
(`F2 F3 F4 Screens`); what still does not fit is cut at the right, except the help key, which then
moves beside the palette's: whatever the width, a newcomer sees where to find every key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class FooterItem:
    key: str  # as Textual names it, for `simulate_key`
    shown_as: str  # as the footer shows it ("^p", "F5")
    description: str
    enabled: bool
    tooltip: str
    group: str = ""  # the description of the binding's group, if it has one
    pinned: bool = False  # kept on the line when the others are cut (help)


PINNED = {"app.help"}  # binding ids


Block = list[tuple[Text, FooterItem | None]]  # drawn whole or not at all; None: not a key


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--edge",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground; background: $footer-key-background; text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground; background: $footer-description-background;
        }
        & > .key-footer--hover { color: $footer-key-foreground; background: $block-hover-background; }
        & > .key-footer--edge { color: $foreground 20%; }
        &:hover { pointer: pointer; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: tuple[FooterItem, ...] = ()
        self.palette: FooterItem | None = None  # the command palette's key, on the right
        self.spans: list[tuple[int, int, FooterItem]] = []  # where each key was drawn (x from, to)
        self.hovered: FooterItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        items, palette = keys_of(screen)
        if (items, palette) != (self.items, self.palette):
            self.items, self.palette = items, palette
            self.refresh()

    # --- drawing ------------------------------------------------------------------------------------

    def render(self) -> Text:
        width = self.size.width
        line, self.spans = Text(no_wrap=True, overflow="crop", end=""), []
        right = Text()
        if self.palette is not None:
            edge = self.get_component_rich_style("key-footer--edge")
            right = Text.assemble(("▏", edge), self._drawn(self.palette), " ")
        room = width - right.cell_len
        blocks = self._blocks(self.items, grouped=False)
        if _length(blocks) > room:
            blocks = self._blocks(self.items, grouped=True)
        pinned = [item for item in self.items if item.pinned]
        if _length(blocks) > room and pinned:  # cut: the pinned keys go right, before the palette's
            shown = [self._drawn(item) for item in pinned]
            room -= sum(text.cell_len for text in shown)
            at = room
            for pinned_item, text in zip(pinned, shown, strict=True):
                self.spans.append((at, at + text.cell_len, pinned_item))
                at += text.cell_len
            right = Text.assemble(*shown, right)
            blocks = self._blocks([item for item in self.items if not item.pinned], grouped=True)
        for block in blocks:
            if line.cell_len + sum(text.cell_len for text, _ in block) > room:
                break  # no room: as in Textual's Footer, the keys past the edge are cut
            for text, item in block:
                if item is not None:
                    self.spans.append((line.cell_len, line.cell_len + text.cell_len, item))
                line.append_text(text)
        if right.cell_len <= width:
            line.pad_right(room - line.cell_len)
            if self.palette is not None:
                self.spans.append((width - self._drawn(self.palette).cell_len - 1, width, self.palette))
            line.append_text(right)
        return line

    def _blocks(self, items: Sequence[FooterItem], grouped: bool) -> list[Block]:
        """Each key with what it does; with `grouped`, a group's keys, then the group's name."""
        blocks: list[Block] = []
        for group, members in groupby(items, key=lambda item: item.group):
            together = list(members)
            if grouped and group and len(together) > 1:
                name = Text(f" {group} ", self.get_component_rich_style("key-footer--description"))
                blocks.append([*((self._drawn(item, alone=False), item) for item in together), (name, None)])
            else:
                blocks.extend([(self._drawn(item), item)] for item in together)
        return blocks

    def _drawn(self, item: FooterItem, alone: bool = True) -> Text:
        key = self.get_component_rich_style("key-footer--key")
        if alone:
            description = self.get_component_rich_style("key-footer--description")
            text = Text.assemble((f" {item.shown_as} ", key), (f"{item.description} ", description))
        else:
            text = Text(f" {item.shown_as}", key)
        if item == self.hovered:
            text.stylize(self.get_component_rich_style("key-footer--hover"))
        if not item.enabled:
            text.stylize("dim")
        return text

    # --- the mouse ----------------------------------------------------------------------------------

    def item_at(self, x: int) -> FooterItem | None:
        return next((item for start, end, item in self.spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hovered = self.item_at(event.x)
        if hovered != self.hovered:
            self.hovered = hovered
            self.tooltip = hovered.tooltip if hovered is not None and hovered.tooltip else None
            self.refresh()

    def on_leave(self) -> None:
        self.hovered = None
        self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()


def _length(blocks: list[Block]) -> int:
    return sum(text.cell_len for block in blocks for text, _ in block)


def keys_of(screen: Screen[Any]) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
    """What the Footer shows for `screen`: the first key of each shown action, in the order of
    the screen's active bindings, and the command palette's key."""
    app = screen.app
    firsts: dict[str, FooterItem] = {}
    for _, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.show and binding.action not in firsts:
            group = binding.group.description if binding.group else ""
            tip = tooltip or binding.description if group else tooltip  # grouped, its keys say what they do
            shown_as, description = app.get_key_display(binding), binding.description
            firsts[binding.action] = FooterItem(
                binding.key, shown_as, description, enabled, tip, group, binding.id in PINNED
            )
    palette = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
    palette_item = None
    if palette is not None:
        _, binding, enabled, _ = palette
        tooltip = binding.tooltip or binding.description
        palette_item = FooterItem(
            binding.key, app.get_key_display(binding), binding.description, enabled, tooltip
        )
    return tuple(firsts.values()), palette_item
