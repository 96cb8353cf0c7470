"""A whole shift on the floor in Pilot, every code a scanner's burst: a picker signs in by badge at
pick-1, takes a batch of three (claims), picks it in walking order with one wrong scan and one short
pick (the short order is held: a floor does not ship a customer half an order on its own say-so), and
completes it; a packer signs in by badge at pack-1, packs each order (the held one is refused), ships
two with tracking numbers of two carriers. Then the outbox is pushed: the simulator holds exactly those
fulfillments, and the hold, and the audit log tells the story. The same shift again with the store
unreachable until the end: the outbox catches up and the simulator holds the same."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Label, Static

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, FulfillmentOrderLineItem, Role, Staff
from oms_tui.config import Settings
from oms_tui.floor.picking.pick_sheet import PickSheet
from oms_tui.runtime import Runtime
from oms_tui.screens.pack_screen import PackScreen
from oms_tui.screens.pick_screen import PickScreen
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.widgets.blocking_error import BlockingError
from tests.store.simulated import no_sleep, simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.ui.conftest import NOW
from tests.ui.conftest import _sync as sync_from
from tests.ui.floor_app import settle
from tests.ui.pick_floor import open_sheet, shelve_every_sku
from tests.ui.scanner import scan, scanner_on
from tests.ui.test_claim_keys import notes

SIZE = (140, 40)
UPS_NUMBER, FEDEX_NUMBER = "1Z999AA10123456784", "986578788855"
WRONG = "BEAN-BLA-M"  # a SKU of the shop on no order of the batch
FLOOR = ("staff.", "claim.", "pick.", "pack.", "exception.")  # the audit actions of the floor's story


def station(tmp_path: Path, name: str) -> Runtime:
    """A station over the shared cache file, with a scanner."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station=name)
    cache = open_cache(settings.database_url)
    return scanner_on(Runtime(settings, cache, "https://sim.test", SecretStr("x")))


def problem(app: OmsApp) -> str:
    assert isinstance(app.screen, BlockingError), f"no blocking error: on {type(app.screen).__name__}"
    return str(app.screen.query_one("#problem", Label).render())


def units_by_order(sheet: PickSheet) -> dict[str, Counter[str]]:
    """Per fulfillment order, the units picked into its tote, by SKU (what the packer finds there)."""
    found: dict[str, Counter[str]] = {}
    for line in sheet.lines:
        for tote in line.live:
            found.setdefault(tote.fulfillment_order_id, Counter())[line.sku or ""] += tote.picked
    return found


@dataclass(frozen=True)
class Picked:
    sheet: PickSheet  # as completed
    held: str  # the short order's fulfillment order
    before_wrong: int  # units scanned before the wrong scan
    before_short: int  # units scanned before the short line
    after_short: int  # units scanned after it


async def pick_the_batch(pilot: Pilot[Any], runtime: Runtime) -> Picked:
    """Picks the batch: every unit but one line's, which is short and its order held (what was picked
    for it goes back to the bins). Returns the sheet as completed and the held fulfillment order."""
    app: Any = pilot.app
    told = notes(app)
    await pilot.press("f5")
    await scan(pilot, "P01")  # the picker's badge
    await settle(pilot)
    await pilot.press("n")  # the next batch: three orders claimed
    await settle(pilot)
    sheet = open_sheet(runtime, "P01")
    assert sheet is not None and len({tote.tote for line in sheet.lines for tote in line.totes}) == 3
    # the short: the first line in the walk whose units all go to one order already picked for
    short = next(
        line
        for n, line in enumerate(sheet.lines)
        if len(line.totes) == 1
        and any(t.tote == line.totes[0].tote for before in sheet.lines[:n] for t in before.totes)
    )
    held = short.totes[0].fulfillment_order_id
    before_short = sum(line.needed for line in sheet.lines[: sheet.lines.index(short)])
    for n, line in enumerate(sheet.lines):
        if line is short:
            break
        await scan(pilot, *[line.barcode or line.sku or ""] * line.needed)  # one burst per unit
        if n == 0:
            await scan(pilot, WRONG)
            await settle(pilot)  # its step runs after the burst's, off the UI thread
            assert f"Wrong item: {WRONG} is not on this pick list" in problem(app)
            await scan(pilot, line.sku or "")  # a scan neither closes the error nor counts
            await settle(pilot)
            assert isinstance(app.screen, BlockingError)
            await pilot.press("escape")  # acknowledged
    assert isinstance(app.screen, PickScreen), "a scan of the walk was refused"
    await pilot.press("s")
    await settle(pilot)  # the short's choices are shown
    await pilot.press("enter")  # short: all of this line missing (the first choice)
    await settle(pilot)
    await pilot.press("down", "enter")  # the decision asked at once: hold the order
    await settle(pilot)
    after = open_sheet(runtime, "P01")
    assert after is not None
    back = [(t, line) for line in after.lines for t in line.totes if t.put_back]
    assert {t.fulfillment_order_id for t, _ in back} == {held}
    said = "; ".join(f"{t.put_back} x {line.sku} to {line.bin_code}" for t, line in back)
    assert (
        told[-1]
        == f"{back[0][0].order_name} is on hold: from tote {back[0][0].tote} put back {said}, then press b"
    )
    await pilot.press("b")  # what was picked for it is back in its bins
    await settle(pilot)
    for line in after.lines:
        if line.left:
            await scan(pilot, *[line.sku or ""] * line.left)
    await settle(pilot)
    done = open_sheet(runtime, "P01")
    await pilot.press("c")  # complete: the claims are given back for packing
    await settle(pilot)
    assert isinstance(app.screen, PickScreen) and open_sheet(runtime, "P01") is None
    assert done is not None and done.units[0] == done.units[1]
    after_short = sum(line.left for line in after.lines)
    return Picked(done, held, sheet.lines[0].needed, before_short, after_short)


async def pack_the_batch(
    pilot: Pilot[Any], names: dict[str, str], units: dict[str, Counter[str]], held: str, labels: list[str]
) -> None:
    """Packs each order of the batch; the held one is refused; each other ships with the next label."""
    app: Any = pilot.app
    await pilot.press("f6")
    await scan(pilot, "K01")  # the packer's badge
    await settle(pilot)
    labels = list(labels)
    for fo_id, name in names.items():
        await scan(pilot, name)  # the order's number, as on its slip
        await settle(pilot)
        if fo_id == held:
            assert f"{name} is on hold: release the hold first" in problem(app)
            await pilot.press("escape")
            continue
        await scan(pilot, *[sku.lower() for sku, n in units[fo_id].items() for _ in range(n)])
        await scan(pilot, labels.pop(0))
        await settle(pilot)
        assert isinstance(app.screen, PackScreen), problem(app)
        assert "Confirm to ship" in str(app.screen.query_one("#order", Static).render())
        await pilot.press("f10")  # the one confirm key
        await settle(pilot)
        assert "shipped" in str(app.screen.query_one("#order", Static).render())


def shipped(store: SimStore, fo_id: str) -> list[tuple[str | None, str | None, dict[str, int]]]:
    order = store.orders[store.fulfillment_orders[fo_id].order_id]
    return [
        (info.number, info.company, dict(f.quantities))
        for f in order.fulfillments
        if fo_id in f.fulfillment_order_ids
        for info in f.tracking_info
    ]


def line_items(runtime: Runtime, fo_id: str, units: Counter[str]) -> dict[str, int]:
    """The quantities a fulfillment of these units carries: line item id -> units."""
    with runtime.cache.reads() as session:
        lines = session.exec(
            select(FulfillmentOrderLineItem).where(FulfillmentOrderLineItem.fulfillment_order_id == fo_id)
        ).all()
    return {line.line_item_id: units[line.sku or ""] for line in lines if units[line.sku or ""]}


Told = tuple[str, str | None, str, int]  # action, staff, station, how many times in a row


def story(runtime: Runtime) -> list[Told]:
    """The floor's audit events in order, repeats run together."""
    with runtime.cache.reads() as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        events = [(e.action, e.staff_code, e.station) for e in rows if e.action.startswith(FLOOR)]
    told: list[Told] = []
    for event in events:
        if told and told[-1][:3] == event:
            told[-1] = (*event, told[-1][3] + 1)
        else:
            told.append((*event, 1))
    return told


def picker(action: str, times: int = 1) -> Told:
    return (action, "P01", "pick-1", times)


def packer(action: str, times: int = 1) -> Told:
    return (action, "K01", "pack-1", times)


@pytest.mark.parametrize("store_down", [False, True], ids=["store-up", "store-unreachable-until-the-end"])
async def test_a_whole_shift_by_scanner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_down: bool
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    store = SimStore(orders=60, seed=7, clock=lambda: NOW)
    picking, packing = station(tmp_path, "pick-1"), station(tmp_path, "pack-1")
    await sync_from(store, picking)
    shelve_every_sku(picking)
    with picking.cache.sessions() as session:
        session.add(Staff(code="P01", name="Ana Pereira", role=Role.PICKER, created_at=NOW))
        session.add(Staff(code="K01", name="Kit Okafor", role=Role.PACKER, created_at=NOW))
        session.commit()
    before = sum(len(order.fulfillments) for order in store.orders.values())
    client, _, sim = simulated_client(store)
    clock = Clock()
    async with client:
        sim.state.faults.outage = store_down
        async with OmsApp(picking, live=False, clock=lambda: NOW).run_test(size=SIZE) as pilot:
            picked = await pick_the_batch(pilot, picking)
        sheet, held = picked.sheet, picked.held
        names = {t.fulfillment_order_id: t.order_name for line in sheet.lines for t in line.totes}
        units = units_by_order(sheet)
        first, second = (fo_id for fo_id in names if fo_id != held)
        async with OmsApp(packing, live=False, clock=lambda: NOW).run_test(size=SIZE) as pilot:
            await pack_the_batch(pilot, names, units, held, [UPS_NUMBER, FEDEX_NUMBER])
        pusher = OutboxPusher(client, picking.cache, clock=clock, sleep=no_sleep)
        if store_down:
            attempt = await pusher.push_ready()
            assert attempt.done == 0 and attempt.waiting == 3  # the hold and two fulfillments
            assert sum(len(order.fulfillments) for order in store.orders.values()) == before
            sim.state.faults.outage = False
        await push_until_empty(pusher, clock)

    assert shipped(store, first) == [(UPS_NUMBER, "UPS", line_items(picking, first, units[first]))]
    assert shipped(store, second) == [(FEDEX_NUMBER, "FedEx", line_items(picking, second, units[second]))]
    assert shipped(store, held) == []
    assert store.fulfillment_orders[held].status == "ON_HOLD"
    assert sum(len(order.fulfillments) for order in store.orders.values()) == before + 2

    assert story(picking) == [
        picker("staff.sign_in"),
        picker("claim.take", 3),
        picker("pick.start"),
        picker("pick.scan", picked.before_wrong),
        picker("pick.scan_rejected"),  # the wrong scan; the scan made over its error was not counted
        picker("pick.scan", picked.before_short - picked.before_wrong),
        picker("pick.short"),
        picker("pick.withdrawn"),  # held: off the list
        picker("claim.release"),  # no work left on it to hold
        picker("exception.resolve"),  # the short pick, decided
        picker("pick.hold"),
        picker("pick.put_back"),
        picker("pick.scan", picked.after_short),
        picker("pick.complete"),
        picker("claim.release", 2),  # packing takes them on
        packer("staff.sign_in"),
        *[
            step
            for fo_id in (first, second)
            for step in (
                packer("claim.take"),
                packer("pack.open"),
                packer("pack.verify", sum(units[fo_id].values())),
                packer("pack.tracking"),
                packer("pack.confirm"),
                packer("claim.release"),
            )
        ],
    ]
    picking.close()
    packing.close()
