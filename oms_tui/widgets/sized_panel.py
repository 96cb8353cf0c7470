"""A panel whose content is drawn for its height: a list cut to the rows it has, saying how many more.

Given a function of the height, it draws again whenever its height changes (a smaller terminal, a
panel above growing), so a list is never cut silently at the panel's edge.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from textual import events
from textual.widgets import Static

Draw = Callable[[int], RenderableType]  # the content for this many rows


class SizedPanel(Static):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.draw: Draw | None = None

    def show(self, draw: Draw) -> None:
        self.draw = draw
        self._redraw()

    def on_resize(self, _event: events.Resize) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self.draw is not None and self.content_size.height:  # 0: not laid out yet
            self.update(self.draw(self.content_size.height))
