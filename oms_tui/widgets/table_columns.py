"""Columns for the tables drawn a line at a time (`VirtualTable`, `PickLines`): how wide each one is
at the width the terminal gives, and one row drawn into them.

A column is as wide as its widest cell (label included), kept within its `min_width`..`max_width`.
When the row does not fit, the least useful columns (highest `priority` number, the rightmost first
on a tie) are hidden whole rather than every column cut to a few letters; the room left over goes to
the `flex` columns (long free text: a problem, a reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

Cell = str | Text
GAP = 2  # spaces between two columns


@dataclass(frozen=True)
class Column:
    label: str
    width: int | None = None  # a fixed width; None: the width of its content
    justify: Literal["left", "right"] = "left"
    min_width: int | None = None  # shrunk (cells cut with …) down to this before it is hidden
    max_width: int | None = None  # never wider, however long a cell
    priority: int = 1  # 1: the most useful; the highest number is hidden first
    flex: bool = False  # takes the room the other columns leave

    def wanted(self, content: int) -> int:
        """The width it takes when there is room, for cells up to `content` wide."""
        if self.width is not None:
            return self.width
        wanted = max(content, len(self.label))
        return min(wanted, self.max_width) if self.max_width is not None else wanted

    def narrowest(self, wanted: int) -> int:
        if self.width is not None:
            return self.width
        return min(wanted, max(self.min_width, len(self.label))) if self.min_width is not None else wanted


def content_widths(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> list[int]:
    """The widest cell of each column among `rows`."""
    widths = [0] * len(columns)
    for cells in rows:
        for n, cell in enumerate(cells[: len(columns)]):
            widths[n] = max(widths[n], cell.cell_len if isinstance(cell, Text) else cell_len(cell))
    return widths


def fit(columns: Sequence[Column], content: Sequence[int], width: int, gap: int = GAP) -> list[int]:
    """Each column's width in a line `width` cells wide (0: hidden), for cells `content` wide.

    A column is shown when it fits, shrunk to its narrowest, beside every more useful column at its
    full width: a less useful column never squeezes a more useful one. Only the most useful columns
    (the lowest priority number) shrink to make room for each other."""
    wanted = [column.wanted(c) for column, c in zip(columns, content, strict=True)]
    narrowest = [column.narrowest(w) for column, w in zip(columns, wanted, strict=True)]
    by_use = sorted(range(len(columns)), key=lambda n: (columns[n].priority, n))
    first = min((column.priority for column in columns), default=1)
    widths, used, used_whole = [0] * len(columns), 0, 0  # shown: narrowest, and at full width
    for n in by_use:
        gaps = gap if used else 0
        beside = used if columns[n].priority == first else used_whole
        if beside + gaps + narrowest[n] > width:
            if not used:  # not even the most useful fits: it is shown, cut
                widths[n], used = max(width, 0), width
            break  # the less useful ones are hidden, so that none is shown in its place
        widths[n], used, used_whole = narrowest[n], used + gaps + narrowest[n], used_whole + gaps + wanted[n]
    spare = width - used
    for n in by_use:  # room left: the shrunk columns grow back, the most useful first
        if widths[n]:
            grow = min(spare, wanted[n] - widths[n])
            widths[n], spare = widths[n] + grow, spare - grow
    flexible = [n for n in range(len(columns)) if widths[n] and columns[n].flex]
    for k, n in enumerate(flexible):
        share = spare // (len(flexible) - k)
        widths[n], spare = widths[n] + share, spare - share
    return widths


def draw_row(
    cells: Sequence[Cell],
    columns: Sequence[Column],
    widths: Sequence[int],
    width: int,
    style: Style,
    console: Console,
    gap: int = GAP,
) -> Strip:
    """One line: each shown column's cell, cut with … or padded to its width, `width` cells in all."""
    line = Text(style=style, no_wrap=True, end="")
    for cell, column, cell_width in zip(cells, columns, widths, strict=False):
        if not cell_width:
            continue
        if line.cell_len:
            line.append(" " * gap)
        text = cell.copy() if isinstance(cell, Text) else Text(cell)
        text.truncate(cell_width, overflow="ellipsis")
        if column.justify == "right":
            text.pad_left(cell_width - text.cell_len)
        else:
            text.pad_right(cell_width - text.cell_len)
        line.append_text(text)
    line.pad_right(width - line.cell_len)  # the line's style to the edge (a header is one bar)
    return Strip(line.render(console)).crop_extend(0, width, style)
