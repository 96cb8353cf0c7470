"""After its first frame the app makes the screens not shown yet, in the background, so the first F-key
to each shows a screen already built and read; a screen made ahead (or left) does not keep reading
every few seconds for nobody, it reads when shown."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.pilot import Pilot

from oms_tui import app as app_module
from oms_tui.app import OmsApp
from oms_tui.cache.models import Role
from oms_tui.runtime import Runtime
from oms_tui.screens.board_screen import BoardScreen
from oms_tui.screens.pick_screen import PickScreen
from oms_tui.widgets.stage_tile import StageTile
from oms_tui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import NOW, settle
from tests.ui.floor_app import signed_in
from tests.ui.pick_floor import open_sheet, shelve_every_sku

SIZE = (120, 36)


async def all_made(pilot: Pilot[Any]) -> None:
    """Until the app has made every screen (one a frame), without a key pressed."""
    app: Any = pilot.app
    for _ in range(100):
        await settle(pilot)
        if set(app.made) == {entry.name for entry in app.entries}:
            return
    raise AssertionError(f"made only {sorted(app.made)}")


async def test_every_screen_is_made_after_the_first_frame_and_f4_shows_the_one_made(runtime: Runtime) -> None:
    app = OmsApp(runtime, live=False, clock=lambda: NOW, prepare_screens=True)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_mode == "queues"
        await all_made(pilot)
        assert app.current_mode == "queues"  # made, not shown
        queue = app.screen.query_one("#queue", VirtualTable)
        await pilot.press("down")
        assert queue.cursor == 1  # the queue kept the keys
        board = app.made["board"]
        assert isinstance(board, BoardScreen)
        await pilot.press("f4")
        assert app.screen is board
        tile = board.query_one("#stage-0", StageTile)
        assert tile.value != "", "the board read its figures when it was made, not at F4"


async def test_a_screen_not_shown_reads_again_when_shown_not_while_hidden(runtime: Runtime) -> None:
    app = OmsApp(runtime, live=False, clock=lambda: NOW, prepare_screens=True)
    async with app.run_test(size=SIZE) as pilot:
        await all_made(pilot)
        board = app.made["board"]
        assert isinstance(board, BoardScreen)
        reads: list[str] = []
        board.read_due(lambda: reads.append("read"))  # its next read comes due while the queue shows
        await settle(pilot)
        assert reads == []
        await pilot.press("f4")
        await settle(pilot)
        assert reads == ["read"]


async def test_screens_made_while_a_picker_types_a_code_leave_the_code_alone(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    shelve_every_sku(runtime)
    staff = signed_in(runtime, "P01", "Ana Pereira", Role.PICKER).desk.staff
    typing = threading.Event()
    imported = app_module.import_module

    def import_when_typing(name: str) -> Any:
        typing.wait(10)  # the screens are made once the picker has started typing
        return imported(name)

    monkeypatch.setattr(app_module, "import_module", import_when_typing)
    monkeypatch.setattr(app_module, "PREPARE_QUIET_S", 0.0)  # made even between two keys
    app = OmsApp(runtime, live=False, clock=lambda: NOW, staff=staff, prepare_screens=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "n")
        pick = app.screen
        assert isinstance(pick, PickScreen)
        for _ in range(500):  # not `settle`: it would wait for the held import worker
            if pick.sheet is not None:
                break
            await pilot.pause()
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None and pick.sheet is not None
        sku = sheet.lines[0].sku or ""
        await pilot.press(*sku[:4])
        typing.set()
        await all_made(pilot)
        await pilot.press(*sku[4:], "enter")
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None and sheet.lines[0].picked == 1
