"""A panel whose content is drawn for its height: a list cut to the rows it has, saying how many more.

Given a function of the height, it draws again whenever its height changes (a smaller terminal, a
panel above growing), so a list is never cut silently at the panel's edge.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from textual import events
from textual.widgets import Static

from oms_tui.widgets.same_content import update

Draw = Callable[[int], RenderableType]  # the content for this many rows


class SizedPanel(Static):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.draw: Draw | None = None
        self.drawn_from: object = None

    def show(self, draw: Draw, drawn_from: object = None) -> None:
        """Draw with `draw` (now and at each new height); given what it draws from, not again while
        that is the same (a rich Table cannot tell it draws what is shown already)."""
        same = drawn_from is not None and drawn_from == self.drawn_from
        self.draw, self.drawn_from = draw, drawn_from
        if not same:
            self._redraw()

    def on_resize(self, _event: events.Resize) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self.draw is not None and self.content_size.height:  # 0: not laid out yet
            # drawn for the size the layout gave it: new content leaves the layout as it is
            update(self, self.draw(self.content_size.height), layout=False)
