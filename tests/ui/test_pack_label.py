"""The whole pack with a label, by scanner bursts in Pilot against the simulator (the store, and its
imitation of EasyPost over real HTTP): the order and its items scanned, the parcel weighed on a
pseudo-terminal scale, the address checked, the rule's rate bought, the ZPL label sent raw to a fake
`lp`, one key ships; the store ends with that tracking number and carrier on exactly one fulfillment.
An undeliverable address is held in one key, with the carrier's reason in the exception pane."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import select
from textual.widgets import Static

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import (
    AuditEvent,
    FloorException,
    FulfillmentHold,
    Order,
    OutboxAction,
    ShippingLabel,
)
from oms_tui.config import Settings
from oms_tui.label_service import DEMO_PATH
from oms_tui.runtime import Runtime
from oms_tui.sim.carrier.state import DEMO_API_KEY
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.printing.test_printer import fake_lp
from tests.scale.fake_scales import PtyScale, nci_reply
from tests.store.simulated import no_sleep, simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.ui.conftest import NOW
from tests.ui.floor_app import order_named
from tests.ui.scanner import scan, scanner_on
from tests.ui.test_pack_parcel import shows, steps_done
from tests.ui.test_pack_screen import SIZE, ToPack, fulfillments, order_text, packable, packer_app

SHIP_FROM = {"name": "Main Warehouse", "street1": "1200 Harbor Blvd", "city": "Oakland", "state": "CA"}
SHIP_FROM |= {"zip": "94607", "country": "US"}


@dataclass
class Bench:
    store: SimStore
    server: SimServer
    runtime: Runtime
    scale: PtyScale
    lp_args: Path
    prints: Path

    def client(self) -> StoreClient:
        return StoreClient(self.server.url, SecretStr(self.server.token))

    async def sync(self) -> None:
        client, _, _ = simulated_client(self.store)  # in process: the served store is the same one
        async with client:
            await SyncEngine(client, self.runtime.cache, clock=lambda: NOW).run_once()

    async def push(self) -> None:
        async with self.client() as client:
            carrier = self.runtime.label_carrier
            pusher = OutboxPusher(client, self.runtime.cache, clock=Clock(), sleep=no_sleep, carrier=carrier)
            await push_until_empty(pusher, pusher.clock)  # type: ignore[arg-type]

    def charges(self) -> list[dict[str, str]]:
        entries = httpx.get(f"{self.server.url}/__ledger").json()["entries"]
        return [entry for entry in entries if entry["type"] == "charge"]


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    answer = (
        'cat "$(eval echo \\${$#})" > "$(dirname "$0")/lp.data"; echo "request id is Zebra-7 (1 file(s))"'
    )
    lp_args = fake_lp(tmp_path / "bin", answer)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    store = SimStore(orders=60, seed=7, clock=lambda: NOW)
    scale = PtyScale(nci_reply("  0.000kg", "20"))
    with run_in_thread(store) as server:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
            station="pack-1",
            scale="serial",
            scale_device=scale.device,
            label_api_key=SecretStr(DEMO_API_KEY),
            label_api_base=server.url + DEMO_PATH,
            label_format="ZPL",
            label_printer="Zebra",
            ship_from={"default": SHIP_FROM},
            print_folder=tmp_path / "prints",
        )
        runtime = Runtime(settings, open_cache(settings.database_url), server.url, SecretStr(server.token))
        yield Bench(store, server, runtime, scale, lp_args, tmp_path / "prints")
        runtime.cache.close()
    scale.drop()


def in_the_us(bench: Bench, orders: list[ToPack]) -> ToPack:
    for order in orders:
        fo = bench.store.fulfillment_orders[order.fo_id]
        address = bench.store.orders[fo.order_id].shipping_address
        if address is not None and address.country_code_v2 == "US" and address.zip:
            return order
    raise AssertionError("no simple order to the US in the simulated shop")


def shipping(app: OmsApp) -> str:
    return str(app.screen.query_one("#shipping", Static).render())


async def test_weigh_check_buy_print_and_ship_in_one_key(bench: Bench) -> None:
    await bench.sync()
    order = in_the_us(bench, packable(bench.runtime, 20))
    app = packer_app(scanner_on(bench.runtime))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await scan(pilot, order.name.lstrip("#"), *order.skus)  # the slip, then each unit
        await steps_done(pilot)
        bench.scale.reply = nci_reply("  1.215kg", "00")  # the parcel on the scale
        panel = await shows(pilot, lambda text: "l buys" in text)
        assert "1,215 g" in panel and "Address          deliverable" in panel
        assert "cheapest in" in panel and bench.charges() == []  # rated, nothing paid
        await pilot.press("l")
        panel = await shows(pilot, lambda text: "printed: sent to Zebra (Zebra-7)" in text)
        await steps_done(pilot)
        with bench.runtime.cache.reads() as session:
            label = session.exec(select(ShippingLabel)).one()
        assert label.tracking_number and label.tracking_number in shipping(app)
        assert "Confirm to ship" in order_text(app)  # no tracking number to scan
        await pilot.press("f10")
        await steps_done(pilot)
        assert "shipped" in order_text(app).lower()
        assert len(list(bench.prints.glob("*.zpl"))) == 1
        with bench.runtime.cache.reads() as session:
            app.open_order(order_named(session, order.name).id)
        await steps_done(pilot)
        await pilot.press("l")  # reprinted from the order screen
        await steps_done(pilot)
        assert len(list(bench.prints.glob("*.zpl"))) == 2
    await bench.push()

    assert fulfillments(bench.store, order.fo_id) == [(label.tracking_number, label.carrier, len(order.skus))]
    sent = bench.lp_args.read_text().splitlines()
    assert sent[:4] == ["-d", "Zebra", "-o", "raw"]  # ZPL goes raw to the thermal printer
    zpl = (bench.lp_args.parent / "lp.data").read_text()
    assert zpl.startswith("^XA") and label.tracking_number in zpl
    [charge] = bench.charges()  # paid once
    assert charge["tracking_code"] == label.tracking_number
    with bench.runtime.cache.reads() as session:
        timeline = [
            e.action for e in session.exec(select(AuditEvent).where(AuditEvent.subject == label.order_id))
        ]
        bought = session.exec(select(OutboxAction).where(OutboxAction.kind == "label_buy")).one()
    assert f"{label.price}" in bought.payload["rate"]  # the choice and its price on the timeline
    assert "pack.confirm" in timeline


async def test_an_undeliverable_address_is_held_in_one_key(bench: Bench) -> None:
    order = await nowhere(bench)
    app = packer_app(scanner_on(bench.runtime))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await scan(pilot, order.name.lstrip("#"), *order.skus)
        await steps_done(pilot)
        bench.scale.reply = nci_reply("  0.800kg", "00")
        panel = await shows(pilot, lambda text: "undeliverable" in text)
        assert "Address not found" in panel and "h holds the order" in panel
        await pilot.press("h")
        await steps_done(pilot)
        assert "not shipped" in order_text(app)
    with bench.runtime.cache.reads() as session:
        [hold] = session.exec(
            select(FulfillmentHold).where(FulfillmentHold.fulfillment_order_id == order.fo_id)
        )
        [problem] = session.exec(select(FloorException).where(FloorException.kind == "address_undeliverable"))
    assert hold.reason == "INCORRECT_ADDRESS" and "Address not found" in (hold.reason_notes or "")
    assert "Address not found" in problem.message and bench.charges() == []
    await bench.push()
    assert [h.reason for h in bench.store.fulfillment_orders[order.fo_id].holds] == ["INCORRECT_ADDRESS"]


async def nowhere(bench: Bench) -> ToPack:
    """A simple US order whose street the carrier cannot find (as the cache has it from the store)."""
    await bench.sync()
    order = in_the_us(bench, packable(bench.runtime, 20))
    with bench.runtime.cache.sessions() as session:
        row = session.exec(select(Order).where(Order.name == order.name)).one()
        row.shipping_address = {**(row.shipping_address or {}), "address1": "1 Nowhere Lane"}
        session.commit()
    return order


def test_the_label_step_snapshot(bench: Bench, snap_compare) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    asyncio.run(bench.sync())
    order = in_the_us(bench, packable(bench.runtime, 20))
    app = packer_app(scanner_on(bench.runtime))

    async def rated(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f6")
        await scan(pilot, order.name.lstrip("#"), *order.skus)
        await steps_done(pilot)
        await pilot.press("w", *"1215", "enter")  # typed: the scale reads zero
        await shows(pilot, lambda text: "l buys" in text)

    assert snap_compare(app, terminal_size=SIZE, run_before=rated)


async def test_a_refusing_printer_keeps_the_label_and_abandoning_the_pack_voids_it(bench: Bench) -> None:
    fake_lp(bench.lp_args.parent, 'echo "lp: Unable to connect to Zebra" >&2; exit 1')
    await bench.sync()
    order = in_the_us(bench, packable(bench.runtime, 20))
    app = packer_app(scanner_on(bench.runtime))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await scan(pilot, order.name.lstrip("#"), *order.skus)
        await steps_done(pilot)
        bench.scale.reply = nci_reply("  0.950kg", "00")
        await shows(pilot, lambda text: "l buys" in text)
        await pilot.press("l")
        panel = await shows(pilot, lambda text: "not printed" in text)
        assert "lp: Unable to connect to Zebra (label kept at" in panel
        await steps_done(pilot)
        await pilot.press("x")  # the pack given up: the paid label must not stay paid
        await steps_done(pilot)
        assert "not shipped" in order_text(app)
    with bench.runtime.cache.reads() as session:
        label = session.exec(select(ShippingLabel)).one()
        [problem] = session.exec(select(FloorException).where(FloorException.kind == "print_failed"))
    [kept] = bench.prints.glob("*.zpl")
    assert label.tracking_number in kept.read_text() and str(kept) in problem.message
    await bench.push()  # the void, through the outbox
    with bench.runtime.cache.reads() as session:
        voided = session.exec(select(ShippingLabel)).one()
        [void] = session.exec(select(OutboxAction).where(OutboxAction.kind == "label_void"))
    assert void.state == "done" and void.payload["trackingNumber"] == label.tracking_number
    assert (voided.state, voided.refund_status) == ("voiding", "submitted")  # asked; the carrier confirms
    assert [charge["tracking_code"] for charge in bench.charges()] == [label.tracking_number]
