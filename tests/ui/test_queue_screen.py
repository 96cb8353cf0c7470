"""The work queue, driven by keys as a picker would."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from oms_tui.app import OmsApp
from tests.ui.conftest import settled

SIZE = (120, 36)


def test_queue_snapshot(app: OmsApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=settled)


async def test_search_by_order_number_then_clear(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(DataTable)
        everything = table.row_count
        assert everything > 10
        first_order = table.get_row_at(5)[1]
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*first_order.lstrip("#"), "enter")
        assert table.row_count >= 1
        assert {table.get_row_at(n)[1] for n in range(table.row_count)} == {first_order}
        await pilot.press("escape")
        assert table.row_count == everything


async def test_j_and_k_move_the_cursor(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(DataTable)
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
