"""A manager says on the Replenishment screen which bin is a reserve bin and what a pick bin's minimum
is; the list then shows the pick bin with the reserve bin that refills it. Nobody else may."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from oms_tui.app import OmsApp
from oms_tui.cache.enums import BinRole
from oms_tui.cache.models import AuditEvent, BinStock, Role
from oms_tui.floor.stock.bin_stock import received_into_bin
from oms_tui.floor.stock.stock_changes import location_of
from oms_tui.runtime import Runtime
from oms_tui.screens.replenish_screen import ReplenishScreen
from tests.ui.conftest import settle
from tests.ui.floor_app import signed_in

MAIN = "Main Warehouse"


def stocked_bins(runtime: Runtime) -> Runtime:
    """A pick bin holding 6 (above the default minimum, 5) and a full bin beside it, both pick bins."""
    with runtime.cache.sessions() as session:
        where = location_of(session, MAIN).id
        received_into_bin(session, where, "A-01-1", "MUG-BLK", 6)
        received_into_bin(session, where, "R-01-1", "MUG-BLK", 30)
        session.commit()
    return replace(runtime, settings=runtime.settings.model_copy(update={"stock_location": MAIN}))


def refills_shown(app: OmsApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#refills")
    return [tuple(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)]  # type: ignore[attr-defined]


async def test_a_manager_marks_a_reserve_bin_and_a_minimum_and_the_refill_is_listed(runtime: Runtime) -> None:
    app = signed_in(stocked_bins(runtime), "M01", "Maya Manager", Role.MANAGER)
    async with app.run_test() as pilot:
        app.action_replenish()
        await settle(pilot)
        assert isinstance(app.screen, ReplenishScreen)
        assert refills_shown(app) == []  # no reserve bin, and the pick bin above the default minimum

        await pilot.press("b", *"R-01-1", "enter")  # the bin, then its role
        await pilot.press("down", "enter")  # reserve
        await settle(pilot)
        assert refills_shown(app) == []  # the pick bin is still above its minimum

        await pilot.press("m", *"a-01-1", "enter", "1", "0", "enter")
        await settle(pilot)
        assert refills_shown(app) == [("R-01-1", "14", "MUG-BLK", "A-01-1", "6", "10")]  # up to twice 10

        await pilot.press("m", "enter", "enter")  # the highlighted pick bin, back to the default (5)
        await settle(pilot)
        assert refills_shown(app) == []
    with runtime.cache.sessions() as session:
        audited = [(e.action, e.staff_code) for e in session.exec(select(AuditEvent)) if "bin" in e.action]
    assert audited == [("stock.bin_role", "M01"), ("stock.bin_minimum", "M01"), ("stock.bin_minimum", "M01")]


async def test_a_picker_may_not_set_a_bin(runtime: Runtime) -> None:
    app = signed_in(stocked_bins(runtime), "P02", "Pia Picker", Role.PICKER)
    async with app.run_test() as pilot:
        app.action_replenish()
        await settle(pilot)
        for key in ("b", "m"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ReplenishScreen)  # nothing asked
        said = [str(note.message) for note in app._notifications]
        assert said == ["Pia Picker (picker) may not set bins' roles and minimums: ask a manager"] * 2
    with runtime.cache.sessions() as session:
        assert {row.role for row in session.exec(select(BinStock))} == {BinRole.PICK}
