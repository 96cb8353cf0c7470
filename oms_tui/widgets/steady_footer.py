"""Textual's Footer, rebuilt only when the keys it shows change.

The screen signals "bindings updated" whenever focus moves (Enter in a filter box sends it to the
table), and Textual's Footer then recomposes every key (40 ms and more) though it mostly shows the
very same keys: the key that moved focus waited for that rebuild.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    shown: object = None  # what the last rebuild showed

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = keys_shown(screen)
            if shown == self.shown:
                return
            self.shown = shown
        super().bindings_changed(screen)


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
