"""The pack screen in Pilot against the simulator: scan an order, its items and a tracking number,
press Ship; the outbox then carries exactly those fulfillments to the store, even after an outage."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Label, Static

from oms_tui.app import OmsApp
from oms_tui.cache.change_signal import CLAIMS, SYNC
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import (
    AuditEvent,
    BinLocation,
    FloorException,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    OutboxAction,
    PackSession,
    Role,
    Staff,
)
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing import packing
from oms_tui.floor.queues import claims
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.messages import LiveUpdated, Scanned
from oms_tui.screens.pack_screen import PackScreen
from oms_tui.sim.model import FulfillmentOrderLineItem as SimFulfillmentOrderLineItem
from oms_tui.sim.model import LineItem as SimLineItem
from oms_tui.sim.model import gid
from oms_tui.sim.order_mutations import cancel_order
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from oms_tui.widgets.blocking_error import BlockingError
from tests.printing.conftest import read_back
from tests.printing.test_printer import fake_lp
from tests.store.simulated import no_sleep, simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.ui.conftest import NOW
from tests.ui.drawn import count_draws
from tests.ui.floor_app import settle, signed_in
from tests.ui.test_claim_keys import notes

SIZE = (110, 32)
UPS_NUMBER, FEDEX_NUMBER = "1Z999AA10123456784", "986578788855"


@dataclass(frozen=True)
class ToPack:
    name: str
    fo_id: str
    skus: list[str]  # one entry per unit, in the order they are scanned


@pytest.fixture
def store() -> SimStore:
    return SimStore(orders=60, seed=7, clock=lambda: NOW)


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1")
    return Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))


async def sync(store: SimStore, runtime: Runtime) -> None:
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, runtime.cache, clock=lambda: NOW).run_once()


def packable(runtime: Runtime, count: int) -> list[ToPack]:
    """Orders with one open fulfillment order, no hold, every line with a SKU."""
    found = []
    with runtime.cache.sessions() as session:
        held = set(session.exec(select(FulfillmentHold.fulfillment_order_id)))
        for order in session.exec(
            select(Order).where(col(Order.cancelled_at).is_(None)).order_by(Order.name)
        ):
            fos = session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id)).all()
            if len(fos) != 1 or fos[0].status != "OPEN" or fos[0].id in held:
                continue
            lines = session.exec(
                select(FulfillmentOrderLineItem).where(
                    FulfillmentOrderLineItem.fulfillment_order_id == fos[0].id
                )
            ).all()
            if not lines or any(not line.sku for line in lines):
                continue
            skus = [line.sku or "" for line in lines for _ in range(line.remaining_quantity)]
            found.append(ToPack(order.name, fos[0].id, skus))
            if len(found) == count:
                return found
    raise AssertionError("the simulated shop has too few simple orders")


@pytest.fixture
async def order(store: SimStore, runtime: Runtime) -> ToPack:
    """The shop synced into the cache, and its first order with nothing but SKUs to pack."""
    await sync(store, runtime)
    (first,) = packable(runtime, 1)
    return first


@pytest.fixture
def whole_looks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per look at a whole pack (`packing.check`: each scan, each change of the store)."""
    looks: list[int] = []
    check = packing.check
    monkeypatch.setattr(packing, "check", lambda *args: looks.append(1) or check(*args))
    return looks


def packer_app(runtime: Runtime) -> OmsApp:
    return signed_in(runtime, "P01", "Pat Packer", Role.PACKER)


def shipping_text(app: OmsApp) -> str:
    return str(app.screen.query_one("#shipping", Static).render())


def order_text(app: OmsApp) -> str:
    return str(app.screen.query_one("#order", Static).render())


async def at_the_bench(pilot: Pilot[Any], *codes: str) -> PackScreen:
    """F6, these codes scanned at the bench back to back, and what they started settled: the bench."""
    await pilot.press("f6")
    bench = pilot.app.screen
    assert isinstance(bench, PackScreen)
    for code in codes:
        bench.post_message(Scanned(code))
    await settle(pilot)
    return bench


async def pack(pilot, order: ToPack, tracking: str, carrier: str) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, PackScreen)
    # a scanner's bursts, back to back: the order's slip, each unit (in lower case), the label
    for code in (order.name.lstrip("#"), *(sku.lower() for sku in order.skus), tracking):
        screen.post_message(Scanned(code))
    await settle(pilot)
    assert not isinstance(pilot.app.screen, BlockingError), pilot.app.screen.query_one(
        "#problem", Label
    ).render()
    assert order.name in order_text(pilot.app) and "Confirm to ship" in order_text(pilot.app)
    assert tracking in shipping_text(pilot.app) and carrier in shipping_text(pilot.app)
    await pilot.press("f10")  # the one confirm key
    await settle(pilot)
    assert "shipped" in order_text(pilot.app).lower()


def fulfillments(store: SimStore, fo_id: str) -> list[tuple[str | None, str | None, int]]:
    order = store.orders[store.fulfillment_orders[fo_id].order_id]
    return [
        (info.number, info.company, sum(f.quantities.values()))
        for f in order.fulfillments
        if fo_id in f.fulfillment_order_ids
        for info in f.tracking_info
    ]


@pytest.mark.parametrize("store_down", [False, True], ids=["store-up", "store-unreachable-until-the-end"])
async def test_pack_and_ship_two_orders_then_the_outbox_delivers_them(
    store: SimStore, runtime: Runtime, store_down: bool
) -> None:
    await sync(store, runtime)
    first, second = packable(runtime, 2)
    before = sum(len(order.fulfillments) for order in store.orders.values())
    client, _, sim = simulated_client(store)
    clock = Clock()
    app = packer_app(runtime)
    async with client:
        sim.state.faults.outage = store_down
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f6")
            await pack(pilot, first, UPS_NUMBER, "UPS")
            await pack(pilot, second, FEDEX_NUMBER, "FedEx")
            if store_down:
                attempt = await OutboxPusher(client, runtime.cache, clock=clock, sleep=no_sleep).push_ready()
                assert attempt.done == 0 and attempt.waiting == 2
        with runtime.cache.sessions() as session:  # shipped in the cache at once
            assert {session.get(FulfillmentOrder, o.fo_id).status for o in (first, second)} == {"CLOSED"}
        sim.state.faults.outage = False
        await push_until_empty(OutboxPusher(client, runtime.cache, clock=clock, sleep=no_sleep), clock)

    assert fulfillments(store, first.fo_id) == [(UPS_NUMBER, "UPS", len(first.skus))]
    assert fulfillments(store, second.fo_id) == [(FEDEX_NUMBER, "FedEx", len(second.skus))]
    assert sum(len(order.fulfillments) for order in store.orders.values()) == before + 2
    with runtime.cache.sessions() as session:
        story = [
            (e.action, e.staff_code, e.station)
            for e in session.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("pack.")))
        ]

    def one_pack(units: int) -> list[str]:
        return ["pack.open", *["pack.verify"] * units, "pack.tracking", "pack.confirm"]

    assert [action for action, _, _ in story] == [*one_pack(len(first.skus)), *one_pack(len(second.skus))]
    assert {(staff, station) for _, staff, station in story} == {("P01", "pack-1")}


def with_a_gift_card(store: SimStore) -> ToPack:
    """A simple open order of the simulated shop, given a $50 gift card (no shipping) beside its goods."""
    card = next(variant for variant in store.variants if not variant.requires_shipping)
    for order_id in store.orders:
        order = store.orders[order_id]
        (fo, *others) = order.fulfillment_orders
        if others or order.cancelled_at or fo.status != "OPEN" or fo.holds:
            continue
        goods = [sku for line in fo.line_items for sku in [line.sku] * line.remaining_quantity]
        line = SimLineItem(gid("LineItem", store.new_id()), card, card.title, 1, 1, 1)
        order.line_items.append(line)
        fo.line_items.append(
            SimFulfillmentOrderLineItem(gid("FulfillmentOrderLineItem", store.new_id()), line, 1, 1)
        )
        store.keep(order)
        return ToPack(order.name, fo.id, goods)
    raise AssertionError("the simulated shop has no simple open order")


async def test_an_order_with_a_gift_card_packs_by_its_goods_and_the_tracking_number_and_leaves_the_queue(
    store: SimStore, runtime: Runtime
) -> None:
    order = with_a_gift_card(store)
    await sync(store, runtime)
    client, _, _ = simulated_client(store)
    clock = Clock()
    app = packer_app(runtime)
    async with client:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f6")
            await pack(pilot, order, UPS_NUMBER, "UPS")  # the goods and the label: no gift card to scan
            assert "partial" not in order_text(app).lower()
        await push_until_empty(OutboxPusher(client, runtime.cache, clock=clock, sleep=no_sleep), clock)
        await sync(store, runtime)  # the store's answer: the gift card is still its to deliver

    assert fulfillments(store, order.fo_id) == [(UPS_NUMBER, "UPS", len(order.skus))]
    with runtime.cache.sessions() as session:
        for stage in (Stage.READY_TO_PICK, Stage.PICKING, Stage.READY_TO_PACK):
            rows = window(session, stage, QueueFilter(), NOW, limit=500)
            assert order.name not in {row.order_name for row in rows}, stage
        assert session.get_one(FulfillmentOrder, order.fo_id).status == "IN_PROGRESS"


async def test_a_wrong_scan_blocks_until_acknowledged_and_counts_nothing(
    runtime: Runtime, order: ToPack
) -> None:
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        pack_screen = await at_the_bench(pilot, order.name, "NOT-A-THING")
        assert isinstance(app.screen, BlockingError)
        assert "NOT-A-THING" in str(app.screen.query_one("#problem", Label).render())
        await pilot.press("enter")  # a scanner's Enter does not close it
        assert isinstance(app.screen, BlockingError)
        await pilot.press("escape")
        assert app.screen is pack_screen and "0 of 4 verified" in order_text(app)


async def test_cancelled_at_the_store_mid_pack_stops_the_packer_with_the_bins(
    store: SimStore, runtime: Runtime, order: ToPack
) -> None:
    with runtime.cache.sessions() as session:
        location = session.get(FulfillmentOrder, order.fo_id).location_id or ""
        session.add(BinLocation(location_id=location, sku=order.skus[0], code="B-7-1"))
        session.commit()
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        pack_screen = await at_the_bench(pilot, order.name, order.skus[0])
        sim_order = store.orders[store.fulfillment_orders[order.fo_id].order_id]
        cancel_order(store, sim_order, "CUSTOMER", restock=True)
        await sync(store, runtime)
        pack_screen.post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
        await settle(pilot)
        assert isinstance(app.screen, BlockingError)
        text = str(app.screen.query_one("#problem", Label).render())
        assert f"1 x {order.skus[0]} to B-7-1" in text
        await pilot.press("escape")
        await pilot.press("f10")  # nothing ships
        await settle(pilot)
    with runtime.cache.sessions() as session:
        assert session.exec(select(FloorException).where(FloorException.kind == "put_back")).one()
        assert not session.exec(select(OutboxAction).where(OutboxAction.kind == "fulfill")).all()
        assert session.exec(select(PackSession.state)).all() == ["abandoned"]


async def test_shipped_in_part_at_the_store_mid_pack_stops_the_packer_then_the_rest_ships(
    store: SimStore, runtime: Runtime
) -> None:
    await sync(store, runtime)
    order = next(o for o in packable(runtime, 20) if o.skus.count(o.skus[0]) >= 2)
    sku = order.skus[0]
    with runtime.cache.sessions() as session:
        location = session.get(FulfillmentOrder, order.fo_id).location_id or ""
        session.add(BinLocation(location_id=location, sku=sku, code="B-7-1"))
        session.commit()
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await at_the_bench(pilot, order.name, *order.skus)  # every unit verified, from the shelves
        fo = store.fulfillment_orders[order.fo_id]
        with store.lock:  # someone ships one of them from Shopify's admin
            fo_line = next(line for line in fo.line_items if line.line_item.sku == sku)
            fo_line.remaining_quantity -= 1
            fo_line.line_item.unfulfilled_quantity -= 1
            fo.status = "IN_PROGRESS"
            store.touch(store.order_of(fo), fo)
        await sync(store, runtime)
        app.screen.post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
        await settle(pilot)
        assert isinstance(app.screen, BlockingError)
        text = str(app.screen.query_one("#problem", Label).render())
        assert f"Put back: 1 x {sku} to B-7-1" in text
        await pilot.press("escape")
        app.screen.post_message(Scanned(UPS_NUMBER))
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert "shipped" in order_text(app).lower()
    with runtime.cache.sessions() as session:
        (shipment,) = session.exec(select(OutboxAction).where(OutboxAction.kind == "fulfill")).all()
    assert sum(line["quantity"] for line in shipment.payload["lines"]) == len(order.skus) - 1


async def test_a_burst_of_changes_elsewhere_makes_one_look_at_the_open_pack_not_one_each(
    runtime: Runtime, whole_looks: list[int], order: ToPack
) -> None:
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        pack_screen = await at_the_bench(pilot, order.name)
        for _ in range(20):  # a busy floor: claims and sync pages land faster than a look takes
            pack_screen.post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
        pack_screen.post_message(Scanned(order.skus[0]))
        await settle(pilot)
        assert 1 <= len(whole_looks) <= 2
        assert "1 of" in order_text(app)  # the scan behind them was taken


async def test_a_look_that_finds_the_pack_as_it_was_draws_nothing_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, order: ToPack
) -> None:
    # Every change elsewhere makes the bench look at its open pack; at sixteen stations filling the
    # lines table again at each look was most of what a packer's station did.
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        pack_screen = await at_the_bench(pilot, order.name)
        drawn = count_draws(monkeypatch)
        pack_screen.post_message(LiveUpdated(LiveUpdate("the floor changed", changed=True)))
        await settle(pilot)
        assert drawn == []
        pack_screen.post_message(Scanned(order.skus[0]))  # a change it shows is drawn
        await settle(pilot)
        assert app.screen.query_one("#lines") in drawn and "1 of" in order_text(app)


async def test_nobody_signed_in_is_told_to_scan_a_badge(runtime: Runtime) -> None:
    app = OmsApp(runtime, live=False, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        assert "scan your badge" in order_text(app)


def test_pack_screen_snapshot(store: SimStore, runtime: Runtime, snap_compare) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    asyncio.run(sync(store, runtime))
    (order,) = packable(runtime, 1)
    app = packer_app(runtime)

    async def mid_pack(pilot) -> None:  # type: ignore[no-untyped-def]
        first_line = [sku for sku in order.skus if sku == order.skus[0]]  # one line done, the rest to go
        await at_the_bench(pilot, order.name, *first_line)

    assert snap_compare(app, terminal_size=SIZE, run_before=mid_pack)


async def test_a_typed_number_with_a_chosen_carrier_and_no_customer_email(
    runtime: Runtime, order: ToPack
) -> None:
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await at_the_bench(pilot, order.name, *order.skus)
        await pilot.press("t", *"track-123456", "enter", "escape")  # typed: no format it knows
        await settle(pilot)
        assert "TRACK123456" in shipping_text(app) and "not recognised" in shipping_text(app)
        await pilot.press("c", "down", "down", "down", "enter")  # UPS, USPS, FedEx, DHL Express
        await pilot.press("n")
        await settle(pilot)
        assert "DHL Express" in shipping_text(app) and "no" in shipping_text(app).split("Notify customer")[1]
        await pilot.press("f10")
        await settle(pilot)
    with runtime.cache.sessions() as session:
        (action,) = session.exec(select(OutboxAction).where(OutboxAction.kind == "fulfill")).all()
    assert action.payload["tracking"] == {"number": "TRACK123456", "company": "DHL Express", "url": None}
    assert action.payload["notifyCustomer"] is False


@pytest.mark.parametrize("printer_works", [True, False], ids=["printed", "printer-refuses"])
async def test_s_prints_the_open_orders_slip_and_a_refusing_printer_loses_nothing(
    store: SimStore,
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    printer_works: bool,
) -> None:
    answer = 'echo "request id is Dock-Laser-42 (1 file(s))"'
    args = fake_lp(tmp_path / "bin", answer if printer_works else 'echo "lp: Unable to connect" >&2; exit 1')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    prints = tmp_path / "prints"
    runtime.settings = runtime.settings.model_copy(update={"printer": "Dock-Laser", "print_folder": prints})
    await sync(store, runtime)
    (order,) = packable(runtime, 1)
    app = packer_app(runtime)
    said = notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await at_the_bench(pilot, order.name)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PackScreen)  # a printer problem does not stop the packer
    [pdf] = prints.glob("packing-slips-*.pdf")
    assert read_back(pdf, tmp_path).barcodes == [[order.name]]  # the slip scans back as its order
    with runtime.cache.reads() as session:
        problems = session.exec(select(FloorException).where(FloorException.kind == "print_failed")).all()
    if printer_works:
        assert said[-1] == f"sent to Dock-Laser (Dock-Laser-42); PDF at {pdf}"
        assert args.read_text().splitlines()[-1] == str(pdf) and problems == []
    else:
        assert said[-1] == f"printer Dock-Laser failed: lp: Unable to connect (PDF kept at {pdf})"
        assert [p.message for p in problems] == [said[-1]]


async def test_the_packer_claims_the_open_order_each_step_renews_it_and_shipping_gives_it_back(
    runtime: Runtime, order: ToPack
) -> None:
    lease = timedelta(minutes=runtime.settings.claim_lease_minutes)
    now = [NOW]
    with runtime.cache.sessions() as session:
        session.add(Staff(code="P01", name="Pat Packer", role=Role.PACKER, created_at=NOW))
        session.commit()
        packer = session.get(Staff, "P01")
    app = OmsApp(runtime, live=False, clock=lambda: now[0], staff=packer)

    def holder() -> tuple[str, str] | None:
        with runtime.cache.reads() as session:
            claim = claims.holder(session, order.fo_id, now[0])
            return (claim.staff_code, claim.station) if claim else None

    async with app.run_test(size=SIZE) as pilot:
        await at_the_bench(pilot, order.name)
        assert holder() == ("P01", "pack-1")
        for sku in order.skus:  # a slow pack: each scan comes most of a lease after the last
            now[0] += lease * 0.8
            app.screen.post_message(Scanned(sku))
            await settle(pilot)
            assert holder() == ("P01", "pack-1"), "the claim lapsed mid-pack"
        app.screen.post_message(Scanned(UPS_NUMBER))
        await pilot.press("f10")
        await settle(pilot)
        assert "shipped" in order_text(app).lower() and holder() is None


async def test_a_pack_taken_over_at_another_bench_is_seen_by_a_look_at_its_claims_alone(
    runtime: Runtime, whole_looks: list[int], order: ToPack
) -> None:
    # Claims change with every batch and pack on the floor: a look for them reads the pack's rows,
    # not the whole pack, and still sees it moved.
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        bench = await at_the_bench(pilot, order.name, order.skus[0])
        with runtime.cache.sessions() as session:  # Pat carries the tote to the bench beside
            beside = Actor(station="pack-2", staff_code="P01")
            packing.open_pack(session, beside, order.name, now=NOW, lease=timedelta(minutes=10))
            session.commit()
        whole_looks.clear()
        bench.post_message(LiveUpdated(LiveUpdate("a claim moved", changed=True, kinds=frozenset({CLAIMS}))))
        await settle(pilot)
        assert isinstance(app.screen, BlockingError)
        assert "now packed by P01 at pack-2" in str(app.screen.query_one("#problem", Label).render())
        assert whole_looks == []


async def test_a_sync_heard_while_a_look_at_claims_waits_gets_a_look_at_the_whole_pack(
    runtime: Runtime, whole_looks: list[int], order: ToPack
) -> None:
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        bench = await at_the_bench(pilot, order.name)
        whole_looks.clear()
        gate = threading.Event()
        bench.run_step(lambda _session: gate.wait(timeout=10) and bench.pack)  # a step still running
        for kinds in ({CLAIMS}, {SYNC}):  # both looks wait behind it
            bench.post_message(LiveUpdated(LiveUpdate("changed", changed=True, kinds=frozenset(kinds))))
            await pilot.pause()
        gate.set()
        await settle(pilot)
        assert whole_looks == [1]
