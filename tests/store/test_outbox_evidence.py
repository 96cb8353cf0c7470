"""After a lost request, the store's evidence decides whether the action is there: a shipment or a
disposal that looks like this action's is not taken as it when it was made before the first attempt
(by another tool: nobody here claims it) or when another action of ours claims it.

Each test loses the action's request before the store runs it (the connection breaks after sending),
so the pusher cannot know and must check; the look-alike would make it believe the action arrived.
One clock drives the simulated store and the pusher.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import httpx
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    OutboxAction,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.floor.actions.store_actions import Disposal, Tracking, dispose_return, ship
from oms_tui.sim.return_model import Return as SimReturn
from oms_tui.sim.returns_factory import build_return
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import Tap, simulated_client
from tests.store.test_outbox import PACKER, Clock, cache, push_until_empty
from tests.store.test_outbox_outcomes import lose_mutations_unexecuted
from tests.team import hire

__all__ = ["cache"]

TRACKING = "1Z999AA10123456784"  # one number on two parcels: a reused label


def a_line_with_two_units(cache: Cache) -> tuple[str, str]:
    """(fulfillment order, its line) with at least two units left to ship."""
    with cache.sessions() as session:
        found = session.exec(
            select(FulfillmentOrderLineItem.fulfillment_order_id, FulfillmentOrderLineItem.id)
            .join(FulfillmentOrder, col(FulfillmentOrder.id) == FulfillmentOrderLineItem.fulfillment_order_id)
            .where(col(FulfillmentOrder.status).in_(("OPEN", "IN_PROGRESS")))
            .where(col(FulfillmentOrderLineItem.remaining_quantity) >= 2)
            .order_by(col(FulfillmentOrderLineItem.id))
        ).first()
    assert found is not None, "the simulated shop has no line with two units left"
    return found


def ship_one(cache: Cache, fo_id: str, line_id: str) -> None:
    with cache.sessions() as session:
        ship(session, PACKER, fo_id, {line_id: 1}, tracking=Tracking(TRACKING, "UPS"))
        session.commit()


def parcels(store: SimStore, fo_id: str) -> list[int]:
    """Units in each of the fulfillment order's fulfillments with the reused tracking number."""
    order = store.order(store.fulfillment_orders[fo_id].order_id)
    assert order is not None
    return [
        sum(fulfillment.quantities.values())
        for fulfillment in order.fulfillments
        if TRACKING in {info.number for info in fulfillment.tracking_info}
    ]


def states(cache: Cache) -> list[str]:
    with cache.sessions() as session:
        return [a.state for a in session.exec(select(OutboxAction).order_by(col(OutboxAction.id)))]


async def test_a_shipment_made_before_the_first_attempt_is_not_taken_as_this_one(
    cache: Cache, tmp_path: Path
) -> None:
    clock = Clock()
    store = SimStore(orders=60, seed=5, clock=clock)
    client, tap, _ = simulated_client(store)
    other_tool = open_cache(f"sqlite:///{tmp_path / 'other-tool.sqlite3'}")
    hire(other_tool)
    async with client:
        await SyncEngine(client, other_tool).run_once()
        fo_id, line_id = a_line_with_two_units(other_tool)
        ship_one(other_tool, fo_id, line_id)  # yesterday, from another tool, with the same label
        await push_until_empty(OutboxPusher(client, other_tool, clock=clock), clock)
        clock.advance(minutes=24 * 60)
        await SyncEngine(client, cache).run_once()
        ship_one(cache, fo_id, line_id)  # today, here: the second unit, the same number
        lose_mutations_unexecuted(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    other_tool.close()
    assert parcels(store, fo_id) == [1, 1], "yesterday's parcel was taken as today's: today's never shipped"
    assert states(cache) == ["done"]


async def test_a_shipment_another_action_made_is_not_taken_as_this_one(cache: Cache) -> None:
    clock = Clock()
    store = SimStore(orders=60, seed=5, clock=clock)
    client, tap, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
        fo_id, line_id = a_line_with_two_units(cache)
        ship_one(cache, fo_id, line_id)
        ship_one(cache, fo_id, line_id)  # a second parcel of the same order, the same number
        lose_the_second_mutation(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert parcels(store, fo_id) == [1, 1], "the first parcel was taken as the second: it never shipped"
    assert states(cache) == ["done", "done"]


def lose_the_second_mutation(tap: Tap) -> None:
    """The second mutation sent from now on, and each after it, is lost before the store runs it."""
    sent: list[bytes] = []

    def lose_the_second(count: int, request: httpx.Request) -> None:
        if b"mutation" in request.content:
            sent.append(request.content)
            if len(sent) == 2:
                lose_mutations_unexecuted(tap)
                tap.before(count, request)

    tap.before = lose_the_second


def return_of_two_units(store: SimStore) -> SimReturn:
    """A new open return of one shipped line of two units or more."""
    with store.lock:
        for order in store.orders.values():
            if order.returns or order.cancelled_at:
                continue
            shipped = Counter[str]()
            for fulfillment in order.fulfillments:
                for item in fulfillment.line_items_of(order):
                    shipped[item.id] += item.quantity
            two = next((ident for ident, units in shipped.items() if units >= 2), None)
            if two is not None:
                created = build_return(order, random.Random(3), store.now(), {two: shipped[two]}, ())
                assert created is not None
                store.touch(order)
                return created
    raise AssertionError("no shipped order with two units of a line")


def restock_one(cache: Cache, returned: SimReturn, location_id: str) -> None:
    with cache.sessions() as session:
        line = session.exec(
            select(ReverseFulfillmentOrderLineItem).where(
                ReverseFulfillmentOrderLineItem.return_id == returned.id
            )
        ).one()
        dispose_return(session, PACKER, returned.id, [Disposal(line.id, 1, "RESTOCKED", location_id)])
        session.commit()


def restocked(returned: SimReturn) -> list[int]:
    (rfo,) = returned.reverse_fulfillment_orders
    (line,) = rfo.line_items
    return [d.quantity for d in line.dispositions if d.type == "RESTOCKED"]


async def test_a_disposal_made_before_the_first_attempt_is_not_taken_as_this_one(
    cache: Cache, tmp_path: Path
) -> None:
    clock = Clock()
    store = SimStore(orders=60, seed=5, clock=clock)
    returned = return_of_two_units(store)
    location = store.order(returned.order_id).fulfillment_orders[0].location  # type: ignore[union-attr]
    client, tap, _ = simulated_client(store)
    other_tool = open_cache(f"sqlite:///{tmp_path / 'other-tool.sqlite3'}")
    hire(other_tool)
    async with client:
        await SyncEngine(client, other_tool).run_once()
        restock_one(other_tool, returned, location.id)  # yesterday, from another tool
        await push_until_empty(OutboxPusher(client, other_tool, clock=clock), clock)
        clock.advance(minutes=24 * 60)
        await SyncEngine(client, cache).run_once()
        restock_one(cache, returned, location.id)  # today, here: the second unit, alike
        lose_mutations_unexecuted(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    other_tool.close()
    assert restocked(returned) == [1, 1], "yesterday's restock was taken as today's: today's never reached it"
    assert states(cache) == ["done"]


async def test_a_disposal_another_action_made_is_not_taken_as_this_one(cache: Cache) -> None:
    clock = Clock()
    store = SimStore(orders=60, seed=5, clock=clock)
    returned = return_of_two_units(store)
    location = store.order(returned.order_id).fulfillment_orders[0].location  # type: ignore[union-attr]
    client, tap, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
        restock_one(cache, returned, location.id)
        restock_one(cache, returned, location.id)  # two actions on one return line, alike
        lose_the_second_mutation(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert restocked(returned) == [1, 1], "the first restock was taken as the second: it never reached it"
    assert states(cache) == ["done", "done"]
