"""The virtual table reads only what it shows, and its cursor stays on its row when rows move."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from oms_tui.widgets.virtual_table import Column, VirtualTable


@dataclass(frozen=True)
class Item:
    key: str
    label: str


class ManyItems(Sequence[Item]):
    """`size` items made as they are read."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.size))]
        return Item(f"k{index}", f"row {index}")


class ListSource:
    """Rows from a list, recording every read."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items, self.counts = items, 0
        self.reads: list[int] = []

    def count(self) -> int:
        self.counts += 1
        return len(self.items)

    def window(self, offset: int, limit: int) -> list[Item]:
        self.reads.append(offset)
        return self.items[offset : offset + limit]

    def position(self, key: str) -> int | None:
        assert isinstance(self.items, list)
        return next((n for n, item in enumerate(self.items) if item.key == key), None)


def items(n: int) -> list[Item]:
    return [Item(f"k{i}", f"row {i}") for i in range(n)]


class TableApp(App[None]):
    def __init__(self, source: ListSource, refresh_interval: float = 0) -> None:
        super().__init__()
        self.source, self.refresh_interval = source, refresh_interval
        self.selected: list[str] = []
        self.reloaded = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield VirtualTable[Item](
            [Column("Label")], lambda item: [item.label], refresh_interval=self.refresh_interval
        )

    def on_virtual_table_reloaded(self) -> None:
        self.reloaded.set()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).show(self.source)

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.selected.append(message.key)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def shown(table: VirtualTable[Item]) -> list[str]:
    return [table.render_line(y).text.strip() for y in range(1, table.body_height + 1)]


async def test_it_reads_only_the_windows_it_shows_even_at_the_end() -> None:
    source = ListSource(ManyItems(1_000_000))
    app = TableApp(source)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(VirtualTable)
        assert source.reads == [0]
        assert shown(table)[:2] == ["row 0", "row 1"]
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == 999_999 and table.cursor_key == "k999999"
        assert shown(table)[-1] == "row 999999"
        assert source.reads == [0, 999_900]
        await pilot.press("home", "pagedown")
        await settle(pilot)
        assert table.cursor == table.body_height - 1
        assert source.reads == [0, 999_900]  # both windows were still held


class HeldSource(ListSource):
    """The read of the window at `held` waits until `go` is set (`asked`: it has begun)."""

    def __init__(self, items: Sequence[Item], held: int) -> None:
        super().__init__(items)
        self.held, self.go, self.asked = held, threading.Event(), threading.Event()

    def window(self, offset: int, limit: int) -> list[Item]:
        if offset == self.held:
            self.asked.set()
            self.go.wait(10)
        return super().window(offset, limit)


async def test_a_window_wanted_while_another_is_being_read_is_read_too() -> None:
    source = HeldSource(ManyItems(1_000), held=500)
    app = TableApp(source)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(VirtualTable)
        table.move_cursor(500)  # its window's read is slow
        assert await asyncio.to_thread(source.asked.wait, 10)
        await pilot.press("end")  # wanted while that read is on its way
        await pilot.pause()
        source.go.set()
        await settle(pilot)
        assert shown(table)[-1] == "row 999"
        assert 900 in source.reads


async def test_a_new_source_shows_the_rows_that_fit_before_reading_the_rest() -> None:
    """A search checked row by row stops sooner: the screenful is read and shown first."""
    app = TableApp(ListSource([Item("old", "shown before")]))
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(VirtualTable)
        height = table.body_height
        source = HeldSource(ManyItems(1_000), held=height)  # the rest of the first window waits
        table.show(source)
        # The rest is asked for once the first rows were handed to the table (`call_from_thread` waits).
        assert await asyncio.to_thread(source.asked.wait, 10)
        assert shown(table) == [f"row {n}" for n in range(height)]
        assert table.row_at(height) is None
        source.go.set()
        await settle(pilot)
        assert source.reads == [0, height] and table.total == 1_000
        assert table.row_at(99) == Item("k99", "row 99")


async def test_keys_move_the_cursor_and_enter_says_which_row() -> None:
    app = TableApp(ListSource(items(50)))
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(VirtualTable)
        await pilot.press("j", "j", "down", "k")
        assert table.cursor == 2
        await pilot.press("G")
        assert table.cursor == 49
        await pilot.press("g", "enter")
        assert app.selected == ["k0"]


async def test_the_highlight_follows_its_row_when_rows_move() -> None:
    source = ListSource(items(500))
    app = TableApp(source)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(VirtualTable)
        await pilot.press("j", "j", "j")
        assert table.cursor_key == "k3"
        assert isinstance(source.items, list)
        source.items.insert(0, Item("new", "new row"))  # a row arrives above it
        table.data_changed()
        await settle(pilot)
        assert (table.cursor, table.cursor_key) == (4, "k3")
        moved = source.items.pop(4)  # it moves far down, off the screen
        source.items.insert(300, moved)
        table.data_changed()
        await settle(pilot)
        assert (table.cursor, table.cursor_key) == (300, "k3")
        assert "row 3" in shown(table)
        source.items.remove(moved)  # it leaves: the cursor stays where it was, on whatever is there
        table.data_changed()
        await settle(pilot)
        assert table.cursor == 300 and table.cursor_key == source.items[300].key


async def test_changes_are_read_at_most_once_per_interval() -> None:
    source = ListSource(items(20))
    app = TableApp(source, refresh_interval=0.5)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(VirtualTable)
        counts = source.counts
        app.reloaded.clear()
        for _ in range(5):
            table.data_changed()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert source.counts == counts + 1  # the first change is read at once, the others wait
        app.reloaded.clear()
        await asyncio.wait_for(app.reloaded.wait(), timeout=5)
        await settle(pilot)
        assert source.counts == counts + 2  # and then all of them are read once
