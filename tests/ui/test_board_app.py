"""`oms-tui --board` and `oms-tui serve --board`: the board alone, with no key or scan that does anything."""

from __future__ import annotations

from oms_tui.board_app import BoardApp
from oms_tui.cache.floor_state import Role
from oms_tui.floor.actions.staff import add_staff
from oms_tui.runtime import Runtime
from oms_tui.screens.board_screen import BoardScreen
from tests.ui.conftest import NOW, settle
from tests.ui.scanner import scan, scanner_on


async def test_the_board_app_shows_the_board_and_takes_no_action(runtime: Runtime) -> None:
    with runtime.cache.sessions() as session:
        add_staff(session, "P7", "Pat Picker", Role.PICKER, station="pack-1")
        session.commit()
    app = BoardApp(scanner_on(runtime), live=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        # The full app's keys: screens, search, go to order, the command palette, help, sync now.
        for key in ("f2", "f3", "f5", "slash", "ctrl+p", "question_mark", "f1", "ctrl+g", "enter"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is board, f"{key} left the board"
            assert len(app.screen_stack) == 1, f"{key} opened something over the board"
        await scan(pilot, "P7", "#1004", "1004")  # a badge and an order, scanned at the wall
        await settle(pilot)
        assert app.screen is board and len(app.screen_stack) == 1, "a scan opened something"
        assert app.desk.staff is None, "nobody signs in at the board"
        assert app.is_running, "nothing but quitting ends the board"
        assert not [binding for binding in app.active_bindings.values() if binding.binding.show]
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running, "ctrl+q did not quit"


async def test_q_quits_the_board_as_it_quits_every_screen(runtime: Runtime) -> None:
    app = BoardApp(runtime, live=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running, "q did not quit"
