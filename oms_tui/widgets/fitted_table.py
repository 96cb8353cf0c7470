"""A DataTable for short lists (an order's lines, the open exceptions) whose columns are sized as the
line tables' are (`table_columns`): by content and priority, again whenever its width changes.

Textual's own auto widths grow a column to its widest cell whatever the room, so a narrow terminal
cuts the right-hand columns off; fixed widths cut long cells and waste a wide terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events
from textual.widgets import DataTable

from oms_tui.widgets.same_content import same_rows
from oms_tui.widgets.table_columns import Cell, Column, content_widths, fit

Row = tuple[Sequence[Cell], str | None]  # the cells, one per column, and the row's key


class FittedTable(DataTable[Cell]):
    def __init__(self, columns: Sequence[Column], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fitted_columns = list(columns)
        self.rows_shown: list[Row] = []
        self.widths: list[int] = []  # as last fitted (0: hidden)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show these rows (in place of the ones shown), the columns fitted to them."""
        keyed = [(*cells, key) for cells, key in rows]
        if same_rows([(*cells, key) for cells, key in self.rows_shown], keyed):
            return  # read again after a change elsewhere that changed nothing here
        self.rows_shown = list(rows)
        self._fill(self._fit())

    def on_resize(self, _event: events.Resize) -> None:
        widths = self._fit()
        if widths != self.widths:
            cursor = self.cursor_row
            self._fill(widths)
            if self.row_count:
                self.move_cursor(row=min(cursor, self.row_count - 1))

    def _fit(self) -> list[int]:
        content = content_widths(self.fitted_columns, (cells for cells, _ in self.rows_shown))
        room = self.scrollable_content_region.width
        if room <= 0:  # not laid out yet: every column as wide as it wants, until the first resize
            return [column.wanted(width) for column, width in zip(self.fitted_columns, content, strict=True)]
        padding = 2 * self.cell_padding  # each side of each column
        return fit(self.fitted_columns, content, room - padding, gap=padding)

    def _fill(self, widths: list[int]) -> None:
        if widths != self.widths:
            self.clear(columns=True)
            for column, width in zip(self.fitted_columns, widths, strict=True):
                if width:
                    self.add_column(column.label, width=width)
            self.widths = widths
        else:
            self.clear()
        for cells, key in self.rows_shown:
            self.add_row(*(cell for cell, width in zip(cells, widths, strict=False) if width), key=key)
