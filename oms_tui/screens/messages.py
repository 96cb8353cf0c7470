"""Messages screens post for the app to route."""

from __future__ import annotations

from textual.message import Message


class OpenOrder(Message):
    """Show one order in detail (the app decides which screen does that)."""

    def __init__(self, order_id: str) -> None:
        super().__init__()
        self.order_id = order_id
