"""Receiving an inbound shipment against the simulator: what was counted reaches the store once, a
lost answer is checked against the shipment's received quantities before anything is resent, a
partial receipt leaves the rest expected, and an over-receipt waits for a manager."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest
from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import BinStock, InventoryLevel, InventoryShipment, OutboxAction
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.inbound.receiving import OverReceipt, ReceiveRefused, finish, open_receipt, receive
from oms_tui.sim.store import SimStore
from oms_tui.sim.transfer_model import InventoryShipment as SimShipment
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import Tap, no_sleep, simulated_client
from tests.store.test_outbox import Clock, cache, push_until_empty
from tests.store.test_outbox_outcomes import lose_mutations_unexecuted
from tests.team import hire

__all__ = ["cache"]

RECEIVER, MANAGER = Actor("dock-1", "P02"), "M01"


def first_shipment(store: SimStore) -> SimShipment:
    return min(store.transfers.values(), key=lambda t: t.id).shipments[0]


def receives_sent(tap: Tap) -> Counter[str]:
    sent: Counter[str] = Counter()

    def before(_n: int, request: httpx.Request) -> None:
        if b"inventoryShipmentReceive" in request.content:
            sent[json.loads(request.content)["variables"]["key"]] += 1

    tap.before = before
    return sent


def on_hand(store: SimStore, sku: str, location_id: str) -> int:
    item = store.inventory_by_sku(sku)
    assert item is not None
    level = item.level_at(location_id)
    assert level is not None
    return level.on_hand


@pytest.mark.parametrize("lost", ["answer lost", "request lost"])
async def test_a_receipt_reaches_the_store_once_whatever_was_lost(cache: Cache, lost: str) -> None:
    store = SimStore(orders=20, seed=3)
    client, tap, app = simulated_client(store)
    clock = Clock()
    shipment = first_shipment(store)
    where = next(iter(store.transfers.values())).destination
    assert where is not None and where.location is not None
    main = where.location.id
    first, second = shipment.line_items[0], shipment.line_items[1]
    sku1, sku2 = first.inventory_item.sku, second.inventory_item.sku
    before1, before2 = on_hand(store, sku1, main), on_hand(store, sku2, main)
    async with client:
        await SyncEngine(client, cache).run_once()
        hire(cache)
        with cache.sessions() as session:
            receipt = open_receipt(session, RECEIVER, shipment.name)
            receive(session, RECEIVER, receipt.id, sku1, first.quantity - 1, bin_code="R-01")
            receive(session, RECEIVER, receipt.id, sku1, 1, reject_reason="damaged")
            receive(session, RECEIVER, receipt.id, sku2, 2, bin_code="R-02")  # partial: the rest comes later
            finish(session, RECEIVER, receipt.id)
            session.commit()
        if lost == "answer lost":
            app.state.faults.drop_after_mutations = 1  # applied at the store, the answer lost
        else:
            lose_mutations_unexecuted(tap)  # never reached the store
        pusher = OutboxPusher(client, cache, clock=clock, sleep=no_sleep)
        await pusher.push_ready()
        with cache.sessions() as session:
            assert [a.state for a in session.exec(select(OutboxAction))] == [
                "sending"
            ]  # unknown: check first
        sent = receives_sent(tap)
        clock.advance()
        await push_until_empty(pusher, clock)
        # applied: the check found it in the received quantities; lost on the way: sent again once
        assert sum(sent.values()) == (0 if lost == "answer lost" else 1)
        await SyncEngine(client, cache).run_once()
    assert (first.accepted_quantity, first.rejected_quantity) == (first.quantity - 1, 1)
    assert (second.accepted_quantity, second.unreceived_quantity) == (2, second.quantity - 2)
    assert shipment.status == "PARTIALLY_RECEIVED"
    assert on_hand(store, sku1, main) == before1 + first.quantity - 1  # the rejected one is not stock
    assert on_hand(store, sku2, main) == before2 + 2
    with cache.sessions() as session:
        assert [a.state for a in session.exec(select(OutboxAction))] == ["done"]
        cached = session.get_one(InventoryShipment, shipment.id)
        assert cached.status == "PARTIALLY_RECEIVED"
        bins = {(row.code, row.sku): row.quantity for row in session.exec(select(BinStock))}
        assert bins == {("R-01", sku1): first.quantity - 1, ("R-02", sku2): 2}
        level = session.exec(
            select(InventoryLevel).where(InventoryLevel.sku == sku1, InventoryLevel.location_id == main)
        ).one()
        assert level.on_hand == on_hand(store, sku1, main)


async def test_an_over_receipt_is_refused_until_a_manager_accepts_it(cache: Cache) -> None:
    store = SimStore(orders=20, seed=3)
    client, _tap, _app = simulated_client(store)
    clock = Clock()
    shipment = first_shipment(store)
    line = shipment.line_items[0]
    sku = line.inventory_item.sku
    async with client:
        await SyncEngine(client, cache).run_once()
        hire(cache)
        with cache.sessions() as session:
            receipt = open_receipt(session, RECEIVER, shipment.name)
            receive(session, RECEIVER, receipt.id, sku, line.quantity, bin_code="R-01")
            with pytest.raises(OverReceipt, match="a manager must accept them"):
                receive(session, RECEIVER, receipt.id, sku, 2, bin_code="R-01")
            packer = Actor("dock-1", "P02", approved_by="P01")  # a packer may not approve it
            with pytest.raises(ReceiveRefused, match="may not approve"):
                receive(session, packer, receipt.id, sku, 2, bin_code="R-01")
            approved = Actor("dock-1", "P02", approved_by=MANAGER)
            receipt = receive(session, approved, receipt.id, sku, 2, bin_code="R-01")
            assert receipt.lines[0].over == 2
            finish(session, RECEIVER, receipt.id)
            session.commit()
        await push_until_empty(OutboxPusher(client, cache, clock=clock, sleep=no_sleep), clock)
    assert line.accepted_quantity == line.quantity + 2
    with cache.sessions() as session:
        (action,) = session.exec(select(OutboxAction)).all()
        assert action.state == "done" and action.payload["overReceipt"] is True
