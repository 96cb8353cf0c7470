"""Messages between the app shell and its screens."""

from __future__ import annotations

from textual.message import Message

from oms_tui.runtime import LiveUpdate


class LiveUpdated(Message, bubble=False):
    """The live loop reported (a pass or a page of one); the app hands it to every screen it made."""

    def __init__(self, update: LiveUpdate) -> None:
        super().__init__()
        self.update = update


class OpenOrder(Message):
    """Show an order: its name as people say it (`#1004`, `1004`) or its id."""

    def __init__(self, order: str) -> None:
        super().__init__()
        self.order = order
