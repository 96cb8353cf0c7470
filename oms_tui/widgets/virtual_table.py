"""A table that reads only the rows it shows, so it opens, scrolls and jumps alike at 100 or 1,000,000.

Textual's Line API: a `ScrollView` whose height comes from the source's `count()` and whose
`render_line(y)` draws one row from a few cached windows of rows. Windows are read by `window()` in a
worker thread, never on the UI thread; a row not read yet shows as a placeholder until it lands.

The cursor follows a row, not a position: after the rows change (`data_changed`), the highlighted row
stays highlighted wherever it moved, found by its key (`position()` when it left the screen).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from oms_tui.widgets.table_columns import Cell, Column, content_widths, draw_row, fit


class KeyedRow(Protocol):
    @property
    def key(self) -> str: ...


R = TypeVar("R", bound=KeyedRow)
R_co = TypeVar("R_co", bound=KeyedRow, covariant=True)


class RowSource(Protocol[R_co]):
    """Where rows come from; every method is called in a worker thread."""

    def count(self) -> int: ...

    def window(self, offset: int, limit: int) -> Sequence[R_co]: ...

    def position(self, key: str) -> int | None: ...


__all__ = ["Cell", "Column", "RowSource", "VirtualTable"]


class VirtualTable(ScrollView, Generic[R], can_focus=True):
    """Rows from a `RowSource`, drawn by `format_row` into `columns`.

    A column is as wide as the widest of its cells read so far (since `show`), so widths settle
    as the first rows land and do not jump back as the list scrolls."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", id="table.open"),
    ]
    COMPONENT_CLASSES = {"virtual-table--header", "virtual-table--cursor", "virtual-table--placeholder"}
    DEFAULT_CSS = """
    VirtualTable { overflow-x: hidden; background: $surface; }
    VirtualTable > .virtual-table--header { background: $panel; color: $text; text-style: bold; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    VirtualTable > .virtual-table--placeholder { color: $text-disabled; }
    """

    WINDOW = 100  # rows per read
    KEPT_WINDOWS = 8
    DRAW_WAIT_S = 0.25  # the longest the first read waits for its rows to be drawn before reading on

    class RowSelected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: VirtualTable[Any], key: str) -> None:
            super().__init__()
            self.table, self.key = table, key

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class Reloaded(Message):
        """The count and the visible rows were read again (`total` rows in all)."""

        def __init__(self, table: VirtualTable[Any], total: int) -> None:
            super().__init__()
            self.table, self.total = table, total

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class ReadFailed(Message):
        """A read from the source failed (the next change or refresh reads again)."""

        def __init__(self, table: VirtualTable[Any], error: str) -> None:
            super().__init__()
            self.table, self.error = table, error

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        format_row: Callable[[R], Sequence[Cell]],
        *,
        refresh_interval: float = 0.3,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns, self.format_row = list(columns), format_row
        self.refresh_interval = refresh_interval  # data_changed re-reads at most this often (seconds)
        self.source: RowSource[R] | None = None
        self.total = 0
        self.cursor = 0
        self.cursor_key: str | None = None
        self._windows: OrderedDict[int, Sequence[R]] = OrderedDict()
        self._pending: set[int] = set()  # windows wanted and not read yet
        self._queued: set[int] = set()  # of those, the ones whose read has not started
        self._generation = 0  # reads started for an older generation are dropped when they land
        self._reloading = False
        self._changed_meanwhile = False
        self._reload_started = 0.0
        self._next_reload = 0.0  # monotonic time before which data_changed waits
        self._pass: _Pass | None = None
        self._content = [0] * len(self.columns)  # the widest cell of each column read so far

    # --- what to show ----------------------------------------------------------------------------

    def show(self, source: RowSource[R]) -> None:
        """Read rows from `source` from now on, from its first row (shown before the count is known)."""
        self.source, self.cursor, self.cursor_key = source, 0, None
        self._content = [0] * len(self.columns)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._reload(first=True)

    def data_changed(self) -> None:
        """The rows may have changed: read the visible ones again, at most every `refresh_interval`
        (or, when reading takes longer than that, as often as reading took)."""
        self._changed_meanwhile = True
        if self._reloading:
            return
        wait = self._next_reload - time.monotonic()
        if wait > 0:
            self.set_timer(wait, self._reload_if_changed)
        else:
            self._reload()

    def row_at(self, index: int) -> R | None:
        """Row `index` if it has been read (None if not yet)."""
        window = self._windows.get(index - index % self.WINDOW)
        offset = index % self.WINDOW
        return window[offset] if window is not None and offset < len(window) else None

    @property
    def body_height(self) -> int:
        return max(0, self.scrollable_content_region.height - 1)  # one line for the header

    # --- reading, off the UI thread ----------------------------------------------------------------

    def _reload_if_changed(self) -> None:
        if self._changed_meanwhile and not self._reloading and time.monotonic() >= self._next_reload:
            self._reload()

    def _reload(self, first: bool = False) -> None:
        if self.source is None:
            return
        self._generation += 1
        self._pending.clear()
        self._queued.clear()
        self._reloading, self._changed_meanwhile = True, False
        self._reload_started = time.monotonic()
        generation, source, top, key = (
            self._generation,
            self.source,
            round(self.scroll_offset.y),
            self.cursor_key,
        )
        height = self.body_height
        self.run_worker(
            lambda: self._read_all(generation, source, top, height, key, first),
            thread=True,
            group="table-reload",
            exit_on_error=False,
        )

    def _read_all(
        self, generation: int, source: RowSource[R], top: int, height: int, key: str | None, first: bool
    ) -> None:
        """In a worker: the count, the visible windows, and where the cursor's row went.

        For a new source, the rows that fit on screen are read and shown first, then the rest of
        their window and the count (a search checked row by row reads a third as many rows first),
        once those rows are drawn: reading on would hold the drawing up (one interpreter lock)."""
        try:
            windows: dict[int, Sequence[R]] = {}
            if first:
                shown = height if 0 < height < self.WINDOW else self.WINDOW
                head = source.window(0, shown)
                drawn = threading.Event()
                self.app.call_from_thread(self._first_rows, generation, head, drawn)
                drawn.wait(self.DRAW_WAIT_S)
                rest = source.window(shown, self.WINDOW - shown) if len(head) == shown < self.WINDOW else []
                windows[0] = [*head, *rest]
            total = source.count()
            for start in range(top - top % self.WINDOW, min(total, top + max(height, 1)), self.WINDOW):
                if start not in windows:
                    windows[start] = source.window(start, self.WINDOW)
            found = None
            if key is not None:
                found = next(
                    (
                        start + n
                        for start, rows in windows.items()
                        for n, row in enumerate(rows)
                        if row.key == key
                    ),
                    None,
                )
                if found is None and (found := source.position(key)) is not None:
                    start = found - found % self.WINDOW
                    windows.setdefault(start, source.window(start, self.WINDOW))
        except Exception as exc:  # a database error: say so on screen; the next change retries
            self.app.call_from_thread(self._read_failed, generation, exc)
            return
        self.app.call_from_thread(self._reloaded, generation, total, windows, found, first)

    def _first_rows(self, generation: int, rows: Sequence[R], drawn: threading.Event) -> None:
        if generation != self._generation or not self.call_after_refresh(drawn.set):
            drawn.set()
            return
        self._windows = OrderedDict({0: rows})
        self._measure(rows)
        self._set_total(len(rows))  # for now: the count follows
        self.cursor_key = rows[0].key if rows else None
        self.refresh()

    def _reloaded(
        self, generation: int, total: int, windows: dict[int, Sequence[R]], found: int | None, first: bool
    ) -> None:
        if generation != self._generation:
            return
        self._reloading = False
        if not first:  # the next change waits; a change right after showing a new source does not
            took = time.monotonic() - self._reload_started
            self._next_reload = time.monotonic() + max(self.refresh_interval, took)
        changed = total != self.total or found != (self.cursor if found is not None else None)
        new = [rows for start, rows in windows.items() if self._windows.get(start) != rows]
        changed = changed or bool(new)
        for rows in new:
            self._measure(rows)
        self._windows = OrderedDict(sorted(windows.items()))
        self._set_total(total)
        if found is not None:
            self.cursor = found
        else:
            self.cursor = max(0, min(self.cursor, total - 1))
            row = self.row_at(self.cursor)
            self.cursor_key = row.key if row is not None else None
        self._scroll_to_cursor()
        if changed:
            self.refresh()
        self.post_message(self.Reloaded(self, total))
        if self._changed_meanwhile:
            self.data_changed()

    def _set_total(self, total: int) -> None:
        """`total` rows (and the header): the scrollbar follows. Only a scrollbar shown or hidden
        changes the layout; Textual would lay the whole screen out again at each new count."""
        self.total = total
        size = Size(0, total + 1)
        if size == self.virtual_size:
            return
        had_scrollbar = self.show_vertical_scrollbar
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh(layout=self.show_vertical_scrollbar != had_scrollbar)

    def _read_failed(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self._reloading = False
            self._next_reload = time.monotonic() + self.refresh_interval
        self.post_message(self.ReadFailed(self, f"{type(error).__name__}: {error}"))

    def _want(self, index: int) -> None:
        """Row `index` was drawn before it was read: read its window (soon, in a worker)."""
        start = index - index % self.WINDOW
        if start in self._pending or self._reloading:
            return
        if not self._queued:
            self.call_later(self._read_wanted)
        self._pending.add(start)
        self._queued.add(start)

    def _read_ahead(self, *indexes: int) -> None:
        """Read the windows of these rows before they are drawn (paging up or down shows them)."""
        for index in indexes:
            if 0 <= index < self.total and self.row_at(index) is None:
                self._want(index)

    def _read_wanted(self) -> None:
        generation, source, queued = self._generation, self.source, sorted(self._queued)
        self._queued.clear()  # the windows wanted from now on get a read of their own
        for start in queued:

            def read(start: int = start) -> None:
                assert source is not None
                try:
                    rows = source.window(start, self.WINDOW)
                except Exception as exc:
                    self.app.call_from_thread(self._window_failed, generation, start, exc)
                    return
                self.app.call_from_thread(self._window_read, generation, start, rows)

            self.run_worker(read, thread=True, group="table-window", exit_on_error=False)

    def _window_failed(self, generation: int, start: int, error: Exception) -> None:
        if generation == self._generation:
            self._pending.discard(start)  # drawn again, it is read again
        self._read_failed(generation, error)

    def _window_read(self, generation: int, start: int, rows: Sequence[R]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(start)
        self._windows[start] = rows
        self._measure(rows)
        while len(self._windows) > self.KEPT_WINDOWS:
            self._windows.popitem(last=False)
        if self.cursor_key is None and (row := self.row_at(self.cursor)) is not None:
            self.cursor_key = row.key
        self.refresh()

    # --- the cursor ---------------------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        if self.total == 0:
            return
        previous, self.cursor = self.cursor, max(0, min(index, self.total - 1))
        row = self.row_at(self.cursor)
        self.cursor_key = row.key if row is not None else None
        if not self._scroll_to_cursor():
            self.refresh_line(previous + 1)  # lines are counted with the header
            self.refresh_line(self.cursor + 1)

    def _scroll_to_cursor(self) -> bool:
        """Scroll just enough to show the cursor; True if that scrolled."""
        top, height = round(self.scroll_offset.y), max(1, self.body_height)
        if self.cursor < top:
            target = self.cursor
        elif self.cursor >= top + height:
            target = self.cursor - height + 1
        else:
            return False
        self.scroll_to(y=target, animate=False, immediate=True)
        return True

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self.body_height - 1))

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self.body_height - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.total - 1)

    def action_select(self) -> None:
        row = self.row_at(self.cursor) if self.total else None
        if row is not None:
            self.post_message(self.RowSelected(self, row.key))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and (index := round(self.scroll_offset.y) + event.y - 1) < self.total:
            self.move_cursor(index)
            if event.chain == 2:
                self.action_select()

    # --- drawing ------------------------------------------------------------------------------------

    def _measure(self, rows: Sequence[R]) -> None:
        """Columns widen to the widest cell of rows just read (they never narrow: no jumping)."""
        widest = content_widths(self.columns, (self.format_row(row) for row in rows))
        if any(new > old for new, old in zip(widest, self._content, strict=True)):
            self._content = [max(new, old) for new, old in zip(widest, self._content, strict=True)]
            self._pass = None

    def _line(self, cells: Sequence[Cell], width: int, widths: list[int], style: Style) -> Strip:
        return draw_row(cells, self.columns, widths, width, style, self.app.console)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = None  # styles and widths are worked out once per pass over the lines
        return super().render_lines(crop)

    def _pass_styles(self) -> _Pass:
        if self._pass is None:
            width, base = self.scrollable_content_region.width, self.rich_style
            self._pass = _Pass(
                width,
                fit(self.columns, self._content, width),
                base,
                self.get_component_rich_style("virtual-table--header"),
                base + self.get_component_rich_style("virtual-table--cursor"),
                base + self.get_component_rich_style("virtual-table--placeholder"),
            )
        return self._pass

    def render_line(self, y: int) -> Strip:
        drawn = self._pass_styles()
        if y == 0:
            labels = [column.label for column in self.columns]
            return self._line(labels, drawn.width, drawn.widths, drawn.header)
        index = round(self.scroll_offset.y) + y - 1
        if y == self.body_height:  # the last line: the rows two pages away either side, read ahead
            # (two: a read takes a while, and the next key may come before it lands)
            self._read_ahead(index - 3 * self.body_height + 1, index + 2 * self.body_height)
        if index >= self.total:
            return Strip.blank(drawn.width, drawn.base)
        row = self.row_at(index)
        if row is None:
            self._want(index)
            return self._line(["…"], drawn.width, drawn.widths, drawn.placeholder)
        style = drawn.cursor if index == self.cursor else drawn.base
        return self._line(self.format_row(row), drawn.width, drawn.widths, style)


@dataclass(frozen=True)
class _Pass:
    """What every line of one pass over the lines is drawn with."""

    width: int
    widths: list[int]
    base: Style
    header: Style
    cursor: Style
    placeholder: Style
