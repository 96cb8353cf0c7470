"""Command palette: "go to order 1004" as it is typed (the app's own commands: `get_system_commands`)."""

from __future__ import annotations

import re
from functools import partial

from textual.command import Hit, Hits, Provider

from oms_tui.screens.messages import OpenOrder

ORDER_NAME = re.compile(r"#?\d+$")  # the last word typed, if it names an order: "1004", "#1004"


class OrderCommands(Provider):
    async def search(self, query: str) -> Hits:
        words = query.split()
        if words and ORDER_NAME.match(words[-1]):
            name = words[-1]
            yield Hit(
                1.0,
                f"Go to order {name}",
                partial(self.app.post_message, OpenOrder(name)),
                help="Open the order with this number",
            )
