"""The pick screen: a picker signs in, takes a batch, scans it in walking order; wrong scans and
put-backs stop them until acknowledged; a short pick is decided on the spot."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from pydantic import SecretStr
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Label, OptionList, Static

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, FloorException, FulfillmentOrder, Order, Role, Staff
from oms_tui.config import Settings
from oms_tui.floor.picking.pick_batches import wave_shipping_methods
from oms_tui.floor.picking.pick_sheet import PickSheet
from oms_tui.floor.queues.stages import Stage, stage_condition
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens import pick_screen as pick_screen_module
from oms_tui.screens.choice_modal import ChoiceModal
from oms_tui.screens.messages import LiveUpdated, Scanned
from oms_tui.screens.pick_screen import PickScreen
from oms_tui.sim.order_mutations import cancel_order
from oms_tui.sim.store import SimStore
from oms_tui.widgets.blocking_error import BlockingError
from oms_tui.widgets.pick_lines import PickLines
from tests.printing.conftest import read_back
from tests.ui.conftest import NOW
from tests.ui.conftest import _sync as sync_from
from tests.ui.floor_app import settle, signed_in
from tests.ui.pick_floor import open_sheet, shelve_every_sku
from tests.ui.scanner import scan as scanner_bursts
from tests.ui.scanner import scanner_on
from tests.ui.test_claim_keys import notes

SIZE = (140, 40)


@pytest.fixture
def picker(runtime: Runtime) -> OmsApp:
    shelve_every_sku(runtime)
    return signed_in(runtime, "P01", "Ana Pereira", Role.PICKER)


class StoreFloor(NamedTuple):
    store: SimStore
    runtime: Runtime
    app: OmsApp


def pick_screen(app: OmsApp) -> PickScreen:
    screen = app.screen
    assert isinstance(screen, PickScreen), f"on {type(screen).__name__}"
    return screen


async def scan(pilot: Pilot[Any], *codes: str) -> None:
    for code in codes:
        pilot.app.screen.post_message(Scanned(code))
    await settle(pilot)


def audit_actions(runtime: Runtime) -> list[str]:
    with runtime.cache.reads() as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [row.action for row in rows if row.action.startswith(("pick.", "claim.", "exception."))]


async def test_a_batch_of_three_is_picked_with_one_wrong_scan_and_one_short_pick(
    picker: OmsApp, runtime: Runtime
) -> None:
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = pick_screen(picker)
        assert "no open pick list: press n" in str(screen.query_one("#prompt", Static).content)

        await pilot.press("n")
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None and len({t.tote for line in sheet.lines for t in line.totes}) == 3
        assert sheet.units == (0, 24)
        bins = [line.bin_code for line in sheet.lines]
        assert bins[:3] == ["A-24-2", "A-28-2", "A-44-2"]  # walking order: A-24 before A-28 before A-44

        hoodies = next(line for line in sheet.lines if line.sku == "HOOD-GRE-XS")  # T1 x2, T2 x2
        for line in sheet.lines:
            if line is hoodies:
                break
            codes = [line.barcode or line.sku or ""] * line.needed
            await scan(pilot, *[code.lower() for code in codes])  # barcodes or SKUs, any case
        assert not isinstance(picker.screen, BlockingError)
        table = screen.query_one("#lines", PickLines)
        assert table.cursor == sheet.lines.index(hoodies)  # the current line is highlighted

        await scan(pilot, "SOCK-SAN-S")  # on the list, but further on: counted
        await scan(pilot, "BEAN-BLA-M")  # a SKU of the shop that is on no order of this batch
        assert isinstance(picker.screen, BlockingError)
        assert "Wrong item: BEAN-BLA-M is not on this pick list" in str(
            picker.screen.query_one("#problem").render()
        )
        await scan(pilot, hoodies.barcode or "")  # a scan neither closes the error nor counts...
        assert isinstance(picker.screen, BlockingError)
        await pilot.press("escape")  # ... only a deliberate key closes it
        assert pick_screen(picker)

        await scan(pilot, hoodies.barcode or "", hoodies.barcode or "", "HOOD-GRE-XS")  # 3 of 4 found
        await pilot.press("s")  # short: 1 missing (the first choice: all that is left)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # the decision asked at once: ship the rest
        await settle(pilot)

        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        for line in sheet.lines:
            if line.left:
                await scan(pilot, *[line.sku or ""] * line.left)
        await pilot.press("c")
        await settle(pilot)
        assert "no open pick list" in str(screen.query_one("#prompt", Static).content)

    assert open_sheet(runtime, "P01") is None
    with runtime.cache.reads() as session:
        ready = set(
            session.exec(select(FulfillmentOrder.id).where(stage_condition(Stage.READY_TO_PACK, NOW)))
        )
        short = session.exec(select(FloorException).where(FloorException.kind == "short pick")).one()
    assert {tote.fulfillment_order_id for tote in hoodies.totes} <= ready
    assert len(ready) == 3  # the batch, #1031 without its missing hoodie
    assert (
        short.state == "resolved" and "1 of 2 x HOOD-GRE-XS not found in bin C-7-1 (tote T2)" in short.message
    )
    story = audit_actions(runtime)
    assert story[:4] == ["claim.take"] * 3 + ["pick.start"]
    assert story.count("pick.scan") == 23 and story.count("pick.scan_rejected") == 1
    decided = story.index("pick.short")
    assert story[decided : decided + 3] == ["pick.short", "exception.resolve", "pick.ship_rest"]
    assert story[-4:] == ["pick.complete"] + ["claim.release"] * 3


async def test_wrong_scans_queued_in_one_burst_stop_the_picker_once_and_one_esc_acknowledges_them(
    picker: OmsApp,
) -> None:
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "n")
        await settle(pilot)
        screen = pick_screen(picker)
        for code in ("BEAN-BLA-M", "NO-SUCH-SKU"):  # both reach the list before it can refuse the first
            screen.post_message(Scanned(code))
        await settle(pilot)
        assert [type(shown) for shown in picker.screen_stack].count(BlockingError) == 1
        said = [str(label.render()) for label in picker.screen.query(".problem").results(Label)]
        assert len(said) == 2 and "BEAN-BLA-M" in said[0] and "NO-SUCH-SKU" in said[1], said
        await pilot.press("escape")
        assert picker.screen is screen


async def test_a_change_heard_just_after_a_short_pick_loses_neither_its_note_nor_its_decision(
    picker: OmsApp, runtime: Runtime
) -> None:
    """Another station's change (a reload) lands the moment a step asks for the sheet afresh: the read
    that shows the step still tells the picker and asks the short's decision."""
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = pick_screen(picker)
        load = screen.load

        def load_then_reload(*step: Any) -> None:  # a change heard the moment the step asks
            screen.load = load  # type: ignore[method-assign]  # (once)
            load(*step)
            load()

        screen.load = load_then_reload  # type: ignore[method-assign]
        told = notes(picker)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter")  # short: all of the first line missing
        await settle(pilot)
        assert told == ["short pick recorded"]
        assert isinstance(picker.screen, ChoiceModal), "the short's decision was not asked"
        assert "Ship the rest" in str(picker.screen.query_one(OptionList).get_option_at_index(0).prompt)


async def test_changes_heard_faster_than_the_list_is_read_make_one_read_at_a_time(
    picker: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading, most, reads, let_go = [], [0], [], threading.Event()
    read = pick_screen_module.read_sheet

    def slow(*args: Any) -> Any:  # a read on a loaded machine: done when let go
        reading.append(1)
        most[0] = max(most[0], len(reading))
        let_go.wait(timeout=10)  # a bound for a stuck test
        reads.append(1)
        reading.pop()
        return read(*args)

    async with picker.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "n")
        await settle(pilot)
        screen = pick_screen(picker)
        monkeypatch.setattr(pick_screen_module, "read_sheet", slow)
        for _ in range(10):  # a busy floor: others' claims and sync pages land while the list is read
            screen.post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
            await pilot.pause()
        let_go.set()
        await settle(pilot)
        assert most[0] == 1  # never two reads at once
        assert len(reads) == 2 and not screen.reads.running and not screen.reads.again  # the last change read


@pytest.fixture
async def store_floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StoreFloor]:
    """A picker signed in on a station synced from a store the test then changes."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    store = SimStore(orders=60, seed=7, clock=lambda: NOW)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pick-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    await sync_from(store, runtime)
    shelve_every_sku(runtime)
    yield StoreFloor(store, runtime, signed_in(runtime, "P01", "Ana Pereira", Role.PICKER))
    runtime.close()


async def sheet_after(pilot: Pilot[Any], runtime: Runtime, *keys: str) -> PickSheet:
    """The picker's open list once `keys` are pressed."""
    await pilot.press(*keys)
    await settle(pilot)
    sheet = open_sheet(runtime, "P01")
    assert sheet is not None
    return sheet


async def told_after_sync(pilot: Pilot[Any], store: SimStore, runtime: Runtime) -> str:
    """What stops the picker once the station has synced the store's change and heard of it."""
    await sync_from(store, runtime)
    pilot.app.screen.post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
    await settle(pilot)
    assert isinstance(pilot.app.screen, BlockingError)
    return str(pilot.app.screen.query_one("#problem").render())


async def test_an_order_cancelled_at_the_store_mid_pick_stops_the_picker_with_its_put_back(
    store_floor: StoreFloor,
) -> None:
    store, runtime, app = store_floor
    async with app.run_test(size=SIZE) as pilot:
        sheet = await sheet_after(pilot, runtime, "f5", "n")  # a new batch
        first = sheet.lines[0]  # one Linen Shirt for T2
        await scan(pilot, first.sku or "")
        [tote] = first.totes
        with runtime.cache.reads() as session:
            fo = session.get(FulfillmentOrder, tote.fulfillment_order_id)
            assert fo is not None
        cancelled = store.order(fo.order_id)
        assert cancelled is not None
        cancel_order(store, cancelled, "CUSTOMER", restock=True)  # the customer cancels at the store

        said = await told_after_sync(pilot, store, runtime)
        assert (
            said
            == f"{tote.order_name} is cancelled: from tote {tote.tote} put back 1 x {first.sku} to A-24-2"
        )
        after = await sheet_after(pilot, runtime, "escape", "b")  # put back
        assert all(t.put_back == 0 for line in after.lines for t in line.totes)
        assert "(cancelled)" in str(pick_screen(app).query_one("#summary", Static).content)
    story = audit_actions(runtime)
    assert story[-4:] == ["pick.scan", "pick.withdrawn", "claim.release", "pick.put_back"]


async def test_an_order_shipped_in_part_at_the_store_mid_pick_stops_the_picker_with_its_put_back(
    store_floor: StoreFloor,
) -> None:
    store, runtime, app = store_floor
    async with app.run_test(size=SIZE) as pilot:
        sheet = await sheet_after(pilot, runtime, "f5", "n")  # a new batch
        line = next(line for line in sheet.lines if len(line.totes) == 1 and line.totes[0].needed >= 2)
        [tote] = line.totes
        await scan(pilot, *[line.sku or ""] * tote.needed)
        fo = store.fulfillment_order(tote.fulfillment_order_id)
        assert fo is not None
        with store.lock:  # someone ships one of them from Shopify's admin
            fo_line = next(fol for fol in fo.line_items if fol.id == tote.fulfillment_order_line_item_id)
            fo_line.remaining_quantity -= 1
            fo_line.line_item.unfulfilled_quantity -= 1
            fo.status = "IN_PROGRESS"
            store.touch(store.order_of(fo), fo)

        assert await told_after_sync(pilot, store, runtime) == (
            f"{tote.order_name} is partly shipped or edited elsewhere: from tote {tote.tote} put back"
            f" 1 x {line.sku} to {line.bin_code}"
        )
        after = await sheet_after(pilot, runtime, "escape", "b")  # put back
        [lowered] = next(again for again in after.lines if again.stop == line.stop).totes
        assert (lowered.picked, lowered.needed, lowered.put_back) == (tote.needed - 1, tote.needed - 1, 0)
    assert audit_actions(runtime)[-2:] == ["pick.lowered", "pick.put_back"]


def test_pick_screen_mid_work_snapshot(picker: OmsApp, runtime: Runtime, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def work(pilot: Pilot[Any]) -> None:
        await pilot.press("f5", "n")
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        for line in sheet.lines[:4]:
            await scan(pilot, *[line.sku or ""] * line.needed)
        await scan(pilot, sheet.lines[4].sku or "")  # 1 of 2 rain shells so far

    assert snap_compare(picker, terminal_size=SIZE, run_before=work)


def test_blocking_error_snapshot(picker: OmsApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def wrong_scan(pilot: Pilot[Any]) -> None:
        await pilot.press("f5", "n")
        await settle(pilot)
        await scan(pilot, "BEAN-BLA-M")

    assert snap_compare(picker, terminal_size=SIZE, run_before=wrong_scan)


async def test_with_a_scanner_a_badge_signs_in_and_product_bursts_count_on_the_pick_screen(
    runtime: Runtime,
) -> None:
    shelve_every_sku(runtime)
    with runtime.cache.sessions() as session:
        session.add(Staff(code="P01", name="Ana Pereira", role=Role.PICKER, created_at=NOW))
        session.add(Staff(code="P02", name="Bo Chen", role=Role.PICKER, created_at=NOW))
        session.commit()
    app = OmsApp(scanner_on(runtime), live=False, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        prompt = pick_screen(app).query_one("#prompt", Static)
        assert "Nobody is signed in: scan your badge" in str(prompt.content)

        await scanner_bursts(pilot, "P01")  # her badge
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        first, second = sheet.lines[0], sheet.lines[1]
        await scanner_bursts(pilot, first.barcode or "", (second.sku or "").lower())  # back to back
        await settle(pilot)
        assert [(line.picked, line.needed) for line in pick_screen(app).sheet.lines[:2]] == [(1, 1), (1, 1)]  # type: ignore[union-attr]

        await scanner_bursts(pilot, "P02")  # one scan switches the person at the station
        await settle(pilot)
        assert "Bo Chen, no open pick list" in str(prompt.content)


async def test_e_exports_the_open_list_as_text_into_the_current_folder(
    picker: OmsApp, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "n")
        await settle(pilot)
        await scan(pilot, "SHIR-RUS-M")
        await pilot.press("e")
        await settle(pilot)
    sheet = open_sheet(runtime, "P01")
    assert sheet is not None
    text = (tmp_path / f"pick-list-{sheet.pick_list_id}.txt").read_text(encoding="utf-8")
    assert "15 lines, 1/24 units picked" in text
    assert text.splitlines()[5].split()[:3] == ["1", "A-24-2", "SHIR-RUS-M"]


async def test_p_prints_the_open_list_into_the_print_folder_when_no_printer_is_set(
    runtime: Runtime, tmp_path: Path
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"print_folder": tmp_path / "prints"})
    shelve_every_sku(runtime)
    app = signed_in(runtime, "P01", "Ana Pereira", Role.PICKER)
    said = notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "n")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
    sheet = open_sheet(runtime, "P01")
    assert sheet is not None
    [pdf] = (tmp_path / "prints").glob("pick-list-*.pdf")
    assert said[-1] == f"no printer set: wrote {pdf}"
    printed = "\n".join(read_back(pdf, tmp_path).pages)
    totes = sorted({(tote.tote, tote.order_name) for line in sheet.lines for tote in line.totes})
    assert " ".join(f"{tote} = {order}" for tote, order in totes) in printed  # the screen's totes
    stops = re.findall(r"^\d+ +([A-Z]-\d+-\d+) ", printed, re.MULTILINE)  # "3    A-44-2    ..."
    assert stops == [line.bin_code for line in sheet.lines]  # in walking order


async def test_w_offers_a_carrier_wave_per_shipping_method_of_the_open_work(
    picker: OmsApp, runtime: Runtime
) -> None:
    with runtime.cache.reads() as session:
        methods = wave_shipping_methods(session, NOW)
    assert len(methods) > 1, "the seeded shop ships more than one way"
    method, count = methods[1]  # not the commonest: the wave decides, not the queue's head
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "w")
        await settle(pilot)
        modal = picker.screen
        assert isinstance(modal, ChoiceModal)
        labels = [str(option.prompt) for option in modal.query_one(OptionList).options]
        assert labels == [
            "The next orders in the queue",
            "Single-item orders",
            "Rush orders",
            *(f"{name} ({n} to pick)" for name, n in methods),
        ]
        await pilot.press(*["down"] * 4, "enter")
        await settle(pilot)
    sheet = open_sheet(runtime, "P01")
    assert sheet is not None
    fo_ids = {tote.fulfillment_order_id for line in sheet.lines for tote in line.totes}
    with runtime.cache.reads() as session:
        shipping = {
            session.get_one(Order, session.get_one(FulfillmentOrder, fo_id).order_id).shipping_method
            for fo_id in fo_ids
        }
    assert shipping == {method} and len(fo_ids) == min(count, runtime.settings.pick_batch)
