"""Every input on the pick screen gets an answer: the list takes the arrow keys as soon as it shows, a
scan moves the cursor to what was counted and a sync leaves it where the picker put it, and a code typed
on the keyboard (or a scan whose Enter came late) counts like a scan or says why it did not."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from oms_tui.app import OmsApp
from oms_tui.cache.models import Role
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.messages import LiveUpdated
from oms_tui.widgets.blocking_error import BlockingError
from oms_tui.widgets.pick_lines import PickLines
from tests.ui.floor_app import settle, signed_in
from tests.ui.pick_floor import open_sheet, shelve_every_sku
from tests.ui.scanner import scanner_on, send
from tests.ui.test_claim_keys import notes
from tests.ui.test_pick_screen import pick_screen, scan

SMALL = (100, 24)  # room for 16 lines of the list


@pytest.fixture
def picker(runtime: Runtime) -> OmsApp:
    """A picker whose new batch is long: more lines than the screen shows."""
    shelve_every_sku(runtime)
    runtime.settings = runtime.settings.model_copy(update={"pick_batch": 12})
    return signed_in(runtime, "P01", "Ana Pereira", Role.PICKER)


async def new_batch(pilot: Pilot[Any]) -> PickLines:
    await pilot.press("f5", "n")
    await settle(pilot)
    return pick_screen(pilot.app).query_one("#lines", PickLines)  # type: ignore[arg-type]


def shown_rows(lines: PickLines) -> range:
    top = round(lines.scroll_offset.y)
    return range(top, top + lines.size.height - 1)  # the header takes a line


def last_line(app: OmsApp) -> str:
    return str(pick_screen(app).query_one("#last", Static).content)


async def test_the_arrow_keys_move_through_a_new_list_at_once_and_a_sync_leaves_the_cursor_there(
    picker: OmsApp, runtime: Runtime
) -> None:
    async with picker.run_test(size=SMALL) as pilot:
        lines = await new_batch(pilot)
        assert len(lines.rows) > 20
        await pilot.press(*["down"] * 20)  # no Tab first: the list has the keys
        assert lines.cursor == 20 and 20 in shown_rows(lines)

        pick_screen(picker).post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
        await settle(pilot)
        assert lines.cursor == 20 and 20 in shown_rows(lines)  # looking ahead is not undone


async def test_a_scan_puts_the_cursor_on_the_line_counted_and_then_on_the_next_line_to_fetch(
    picker: OmsApp, runtime: Runtime
) -> None:
    async with picker.run_test(size=SMALL) as pilot:
        lines = await new_batch(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        far = next(n for n, line in enumerate(sheet.lines) if n > 20 and line.needed > 1)
        await scan(pilot, sheet.lines[far].sku or "")  # the picker went ahead: that item is at hand
        assert lines.cursor == far and far in shown_rows(lines)  # the list shows it, not its top

        await scan(pilot, *[sheet.lines[far].sku or ""] * (sheet.lines[far].needed - 1))  # line done
        after = next(n for n, line in enumerate(sheet.lines) if n > far and line.needed)
        assert lines.cursor == after and after in shown_rows(lines)


async def test_a_code_typed_on_the_keyboard_counts_like_a_scan(picker: OmsApp, runtime: Runtime) -> None:
    async with picker.run_test(size=SMALL) as pilot:
        await new_batch(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        first = sheet.lines[0]
        sku = first.sku or ""
        await pilot.press(*sku[:4])
        assert f"Typed {sku[:4]}" in last_line(picker)  # what was typed so far shows
        await pilot.press(*sku[4:], "enter")
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None and sheet.lines[0].picked == 1
        assert last_line(picker).startswith("✓")

        await pilot.press(*"NOPE-42", "enter")  # letters that are keys too (n: new batch) are typed
        await settle(pilot)
        assert isinstance(picker.screen, BlockingError)
        assert "NOPE-42" in str(picker.screen.query_one("#problem").render())
        assert open_sheet(runtime, "P01") == sheet  # nothing counted, no new batch


async def test_enter_with_nothing_typed_says_so_and_leaving_drops_what_was_half_typed(
    picker: OmsApp, runtime: Runtime
) -> None:
    said = notes(picker)
    async with picker.run_test(size=SMALL) as pilot:
        await new_batch(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert any("Enter alone counts nothing" in note for note in said)

        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        await pilot.press(*(sheet.lines[0].sku or ""))  # typed in full, but no Enter...
        await pilot.press("f2", "f5")  # ... the picker looked at the queue and came back
        await settle(pilot)
        assert last_line(picker) == ""
        await pilot.press("enter")
        await settle(pilot)
        assert open_sheet(runtime, "P01") == sheet  # nothing counted
        assert sum("Enter alone counts nothing" in note for note in said) == 2


async def test_a_scan_whose_enter_comes_a_second_late_still_counts(runtime: Runtime) -> None:
    shelve_every_sku(scanner_on(runtime))
    app = signed_in(runtime, "P01", "Ana Pereira", Role.PICKER)
    async with app.run_test(size=SMALL) as pilot:
        await new_batch(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        code = sheet.lines[0].barcode or sheet.lines[0].sku or ""
        at = time.monotonic()
        await send(pilot, [(character, at) for character in code])  # the burst, then no Enter...
        await send(pilot, [("\r", at + 1.0)])  # ... until a second later: typing, by the clock
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None and sheet.lines[0].picked == 1
