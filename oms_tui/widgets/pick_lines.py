"""The lines of a pick list, one row each, drawn with Textual's Line API.

A scan changes one row: only that row (and the cursor's old and new rows) is drawn again, so a count
is on screen within a frame however long the list. Textual's DataTable draws every visible cell again
after any change. Columns are sized to the list's cells, as the queue's are (`table_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.scroll_view import ScrollView
from textual.strip import Strip

from oms_tui.widgets.table_columns import Column, content_widths, draw_row, fit

Row = tuple[Text, ...]


class PickLines(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("down,j", "move(1)", "Down", show=False, id="pick-lines.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="pick-lines.up"),
    ]
    COMPONENT_CLASSES = {"pick-lines--header", "pick-lines--cursor"}
    DEFAULT_CSS = """
    PickLines { overflow-x: hidden; background: $surface; }
    PickLines > .pick-lines--header { background: $panel; color: $text; text-style: bold; }
    PickLines > .pick-lines--cursor { background: $block-cursor-blurred-background; }
    PickLines:focus > .pick-lines--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    """

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.rows: list[Row] = []
        self.cursor = 0
        self._content = [0] * len(self.columns)  # the widest cell of each column
        self._fitted: tuple[int, list[int]] | None = None  # the columns' widths at a line's width

    # --- content ------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the rows; only those that differ are drawn again."""
        content = content_widths(self.columns, rows)
        if len(rows) != len(self.rows) or content != self._content:  # a new list, or new widths
            self.rows, self._content, self._fitted = list(rows), content, None
            self.virtual_size = Size(self.size.width, len(rows) + 1)
            self.cursor = min(self.cursor, max(0, len(rows) - 1))
            self.refresh()
            return
        for index, row in enumerate(rows):
            if row != self.rows[index]:
                self.rows[index] = row
                self._refresh_row(index)

    def move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        index = min(max(index, 0), len(self.rows) - 1)
        if index != self.cursor:
            previous, self.cursor = self.cursor, index
            self._refresh_row(previous)
            self._refresh_row(index)
        # below the header, which covers the first line of the view
        self.scroll_to_region(
            Region(0, index + 1, 1, 1), spacing=Spacing(1, 0, 0, 0), animate=False, immediate=True
        )

    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1)  # line 0 is the header

    # --- drawing ------------------------------------------------------------------------------------
    def _line(self, cells: Sequence[Text | str], width: int, style: Style) -> Strip:
        if self._fitted is None or self._fitted[0] != width:
            self._fitted = width, fit(self.columns, self._content, width)
        return draw_row(cells, self.columns, self._fitted[1], width, style, self.app.console)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            header = self.rich_style + self.get_component_rich_style("pick-lines--header")
            return self._line([column.label for column in self.columns], width, header)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        if index == self.cursor:
            style += self.get_component_rich_style("pick-lines--cursor")
        return self._line(self.rows[index], width, style)
