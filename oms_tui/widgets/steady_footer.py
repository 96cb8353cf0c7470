"""Textual's Footer, changed key by key rather than rebuilt.

The screen signals "bindings updated" whenever focus moves, and Textual's Footer then recomposes
every key (15 to 40 ms, on the key that moved focus), though mostly the same keys show, or fewer (a
text box takes the printable ones). This Footer keeps the keys it made: the ones that apply now are
shown, the others hidden, and only a key it never showed before is made.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Drawn = tuple[str, str, str, bool, object]  # key, description, action, disabled, tooltip


class SteadyFooter(Footer):
    shown: object = None  # what the Footer shows now (`keys_shown`)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = keys_shown(screen)
            if shown == self.shown:
                return
            first, self.shown = self.shown is None, shown
            wanted = self.footer_keys(screen)
            if not first and wanted is not None:
                self.show_only(wanted)
                return
        super().bindings_changed(screen)  # the first keys, or grouped keys: composed by Textual

    def footer_keys(self, screen: Screen[Any]) -> list[FooterKey] | None:
        """The keys `Footer.compose` would make (None if any is grouped): one per action, then the
        command palette's."""
        firsts: dict[str, FooterKey] = {}
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.group is not None:
                return None
            if binding.show and binding.action not in firsts:
                firsts[binding.action] = self.key_for(binding, enabled, tooltip)
        keys = list(firsts.values())
        palette = screen.active_bindings.get(screen.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and screen.app.ENABLE_COMMAND_PALETTE and palette is not None:
            _, binding, enabled, _ = palette
            tooltip = binding.tooltip or binding.description
            keys.append(self.key_for(binding, enabled, tooltip, "-command-palette"))
        return keys

    def key_for(self, binding: Binding, enabled: bool, tooltip: str, classes: str = "") -> FooterKey:
        key = FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip,
            classes=classes,
        )
        return key if classes else key.data_bind(compact=Footer.compact)

    def show_only(self, wanted: list[FooterKey]) -> None:
        """Show the keys of `wanted`, in its order: those the Footer has, else the new ones."""
        keys = [key for key in self.children if isinstance(key, FooterKey)]
        kept: set[FooterKey] = set()
        position = 0
        for want in wanted:
            match = next((n for n in range(position, len(keys)) if drawn(keys[n]) == drawn(want)), None)
            if match is None:  # made, before the next key the Footer has
                if position < len(keys):
                    self.mount(want, before=keys[position])
                else:
                    self.mount(want)
            else:
                kept.add(keys[match])
                position = match + 1
        for key in keys:
            key.display = key in kept


def keys_shown(screen: Screen[Any]) -> object:
    """What `Footer.compose` draws from: the shown bindings (with their group), whether each is
    enabled and its tooltip, and the command palette's key."""
    palette = screen.active_bindings.get(screen.app.COMMAND_PALETTE_BINDING)
    return (
        tuple(
            (binding, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        ),
        palette[1:] if palette is not None else None,
    )


def drawn(key: FooterKey) -> Drawn:
    return (key.key, key.description, key.action, key.has_class("-disabled"), key.tooltip)
