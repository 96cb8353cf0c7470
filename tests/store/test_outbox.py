"""The outbox: floor actions reach the store exactly once, whatever the network does."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import AuditEvent, FloorException, FulfillmentOrder, OutboxAction
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.store_actions import Actor, Tracking, hold, set_note, ship
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import assert_cache_matches, simulated_client
from tests.team import hire

PACKER = Actor(station="pack-1", staff_code="P01")


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    opened = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    hire(opened)
    return opened


class Clock:
    """The pusher's clock, moved by hand past its backoff."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float = 10) -> None:
        self.now += timedelta(minutes=minutes)


def shippable(cache: Cache, count: int) -> list[str]:
    with cache.sessions() as session:
        ids = session.exec(
            select(FulfillmentOrder.id)
            .where(col(FulfillmentOrder.status).in_(("OPEN", "IN_PROGRESS")))
            .order_by(col(FulfillmentOrder.id))
        ).all()
    assert len(ids) >= count, f"the simulated shop has only {len(ids)} open fulfillment orders"
    return list(ids[:count])


def upstream_tracking_numbers(store: SimStore) -> Counter[str]:
    return Counter(
        info.number
        for order in store.orders.values()
        for fulfillment in order.fulfillments
        for info in fulfillment.tracking_info
        if info.number and info.number.startswith("OMS")
    )


async def push_until_empty(pusher: OutboxPusher, clock: Clock, rounds: int = 20) -> None:
    for _ in range(rounds):
        await pusher.push_ready()
        clock.advance()
        with pusher.cache.sessions() as session:
            waiting = session.exec(
                select(OutboxAction).where(col(OutboxAction.state).in_(("pending", "sending")))
            ).all()
        if not waiting:
            return
    raise AssertionError(f"{len(waiting)} actions still waiting after {rounds} rounds")


@pytest.mark.parametrize("dropped_after_applying", [0, 40], ids=["clean", "crash-between-send-and-ack"])
async def test_200_shipments_while_the_store_is_down_arrive_exactly_once(
    any_cache: Cache, dropped_after_applying: int
) -> None:
    cache = any_cache
    hire(cache)
    store = SimStore(orders=700, seed=21)
    client, _, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        app.state.faults.outage = True
        with cache.sessions() as session:
            for n, fo_id in enumerate(shippable(cache, 200)):
                ship(session, PACKER, fo_id, tracking=Tracking(f"OMS{n:05d}", "DHL Express"))
            session.commit()  # the station sees 200 shipments done at once

        pusher = OutboxPusher(client, cache, clock=clock)
        down = await pusher.push_ready()
        assert (down.done, down.failed) == (0, 0) and down.waiting == 200
        assert upstream_tracking_numbers(store) == Counter()

        app.state.faults.outage = False
        app.state.faults.drop_after_mutations = dropped_after_applying
        # A new pusher, as after a restart: everything it needs is in the cache.
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)

    assert app.state.faults.fired["dropped_after_mutation"] == dropped_after_applying
    delivered = upstream_tracking_numbers(store)
    assert len(delivered) == 200 and set(delivered.values()) == {1}, "a shipment is missing or doubled"
    with cache.sessions() as session:
        states = Counter(action.state for action in session.exec(select(OutboxAction)))
        assert states == Counter({"done": 200})
        assert not session.exec(select(FloorException)).all()


async def test_a_hold_retried_after_an_unknown_outcome_is_placed_once(cache: Cache) -> None:
    store = SimStore(orders=60, seed=5)
    client, _, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        with cache.sessions() as session:
            hold(session, PACKER, fo_id, "INCORRECT_ADDRESS", "flat number missing")
            session.commit()
        app.state.faults.drop_after_mutations = 1  # applied, then the answer is lost
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert app.state.faults.fired["dropped_after_mutation"] == 1
    holds = store.fulfillment_orders[fo_id].holds
    assert [(h.reason, h.reason_notes) for h in holds] == [("INCORRECT_ADDRESS", "flat number missing")]
    assert store.fulfillment_orders[fo_id].status == "ON_HOLD"


async def test_a_rejected_action_becomes_an_exception_and_holds_back_its_order(cache: Cache) -> None:
    store = SimStore(orders=60, seed=6)
    client, tap, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        order_id = store.fulfillment_orders[fo_id].order_id
        with cache.sessions() as session:
            ship(session, PACKER, fo_id, tracking=Tracking("OMS-REJECTED"))
            set_note(session, PACKER, order_id, "shipped by pack-1")
            session.commit()
        store.fulfillment_orders[fo_id].status = "CLOSED"  # meanwhile closed at the store
        pusher = OutboxPusher(client, cache, clock=clock)
        first = await pusher.push_ready()
        requests = tap.requests
        again = await pusher.push_ready()
    assert (first.done, first.failed) == (0, 1)
    assert (again.done, again.failed) == (0, 0) and tap.requests == requests  # no endless retry
    with cache.sessions() as session:
        (problem,) = session.exec(select(FloorException)).all()
        actions = session.exec(select(OutboxAction).order_by(col(OutboxAction.id))).all()
    assert problem.kind == "store_rejected" and problem.order_id == order_id
    assert "unfulfillable status" in problem.message
    assert [a.state for a in actions] == ["failed", "pending"]  # the note waits behind the failed shipment


async def test_every_action_is_audited_in_the_same_transaction(cache: Cache) -> None:
    store = SimStore(orders=30, seed=9)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
    (fo_id,) = shippable(cache, 1)
    with cache.sessions() as session:
        action = ship(session, PACKER, fo_id, tracking=Tracking("OMS-0001"))
        session.rollback()  # the caller changed its mind: nothing of it may remain
    with cache.sessions() as session:
        assert session.exec(select(OutboxAction)).all() == []
        assert session.exec(select(AuditEvent)).all() == []
        assert session.get_one(FulfillmentOrder, fo_id).status in ("OPEN", "IN_PROGRESS")
    assert action.kind == "fulfill"


async def test_a_sync_does_not_undo_a_shipment_the_store_has_not_heard_of_yet(cache: Cache) -> None:
    store = SimStore(orders=40, seed=17)
    client, _, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        app.state.faults.outage = True
        with cache.sessions() as session:
            ship(session, PACKER, fo_id, tracking=Tracking("OMS-KEEP"))
            session.commit()
        await OutboxPusher(client, cache, clock=clock).push_ready()
        app.state.faults.outage = False
        assert app.state.faults.fired.total() > 0 and upstream_tracking_numbers(store) == Counter()
        fo = store.fulfillment_orders[fo_id]
        order = store.orders[fo.order_id]
        order.note = "address confirmed by phone"  # the store changes the same order meanwhile
        store.touch(order, fo)
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            assert session.get_one(FulfillmentOrder, fo_id).status == "CLOSED"  # still shipped here
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert_cache_matches(store, cache)  # delivered, then re-read: the store's copy again
    assert upstream_tracking_numbers(store) == Counter({"OMS-KEEP": 1})
