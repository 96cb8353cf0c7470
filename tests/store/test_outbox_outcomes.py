"""The outbox after unknown outcomes and rejections: evidence from the store decides, nothing is lost."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import col, func, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FloorException, FulfillmentOrderLineItem, LineItem, OutboxAction
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.store_actions import Tracking, hold, release_hold, set_note, ship
from oms_tui.sim.model import FulfillmentHold, gid
from oms_tui.sim.order_mutations import cancel_order
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.errors import StoreAuthError
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import assert_cache_matches, no_sleep, simulated_client
from tests.store.test_outbox import (
    PACKER,
    Clock,
    cache,
    push_until_empty,
    shippable,
    upstream_tracking_numbers,
)

__all__ = ["cache"]  # the fixture, shared with test_outbox


def action_states(cache: Cache) -> list[str]:
    with cache.sessions() as session:
        return [a.state for a in session.exec(select(OutboxAction).order_by(col(OutboxAction.id)))]


def lose_mutations_unexecuted(tap, count: int = 1) -> None:  # type: ignore[no-untyped-def]
    """The next `count` mutations are dropped on the way: the store never runs them, the client
    cannot know that (the connection broke after sending)."""
    left = [count]

    def before(_n: int, request: httpx.Request) -> None:
        if left[0] and b"mutation" in request.content:
            left[0] -= 1
            raise httpx.ReadError("connection reset", request=request)

    tap.before = before


async def test_a_refused_token_while_checking_keeps_the_outcome_unknown(cache: Cache) -> None:
    store = SimStore(orders=60, seed=5)
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        with cache.sessions() as session:
            ship(session, PACKER, fo_id, tracking=Tracking("OMS-ONCE"))
            session.commit()
        app.state.faults.drop_after_mutations = 1  # applied, then the answer is lost
        await OutboxPusher(client, cache, clock=clock).push_ready()
        assert action_states(cache) == ["sending"]
        clock.advance()
        async with StoreClient(
            "https://sim.test", SecretStr("revoked"), transport=tap, sleep=no_sleep
        ) as refused:
            with pytest.raises(StoreAuthError):
                await OutboxPusher(refused, cache, clock=clock).push_ready()
        assert action_states(cache) == ["sending"], "an unknown outcome became 'not sent'"
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert upstream_tracking_numbers(store) == Counter({"OMS-ONCE": 1})


@pytest.mark.parametrize("at_the_store", ["cancelled", "fulfilled without tracking"])
async def test_a_lost_shipment_that_can_no_longer_be_sent_becomes_an_exception(
    cache: Cache, at_the_store: str
) -> None:
    store = SimStore(orders=60, seed=8)
    client, tap, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        with cache.sessions() as session:
            ship(session, PACKER, fo_id, tracking=Tracking("OMS-LOST"))
            session.commit()
        lose_mutations_unexecuted(tap)
        await OutboxPusher(client, cache, clock=clock).push_ready()
        assert action_states(cache) == ["sending"]
        order = store.orders[store.fulfillment_orders[fo_id].order_id]
        if at_the_store == "cancelled":
            cancel_order(store, order, "CUSTOMER", True)
        else:
            data = await client.execute(
                "fulfillment_create",
                {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}},
            )
            assert data["fulfillmentCreate"]["userErrors"] == []
        clock.advance()
        summary = await OutboxPusher(client, cache, clock=clock).push_ready()
    assert (summary.done, summary.failed) == (0, 1)
    assert upstream_tracking_numbers(store) == Counter()
    with cache.sessions() as session:
        (action,) = session.exec(select(OutboxAction)).all()
        (problem,) = session.exec(select(FloorException)).all()
    assert action.state == "failed" and "OMS-LOST" in (action.last_error or "")
    assert problem.order_id == order.id and "can no longer be sent" in problem.message


async def test_a_lost_answer_is_found_at_the_store_by_every_line_shipped(cache: Cache) -> None:
    store = SimStore(orders=400, seed=3)
    client, _, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        fo_id = next(
            ident for ident in shippable(cache, 60) if len(store.fulfillment_orders[ident].line_items) > 40
        )
        left = {
            line.line_item.id: line.remaining_quantity for line in store.fulfillment_orders[fo_id].line_items
        }
        with cache.sessions() as session:
            ship(session, PACKER, fo_id)  # every line, no tracking number: only the lines tell
            session.commit()
        app.state.faults.drop_after_mutations = 1
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    order = store.orders[store.fulfillment_orders[fo_id].order_id]
    shipped = [f.quantities for f in order.fulfillments if fo_id in f.fulfillment_order_ids]
    assert shipped == [{ident: quantity for ident, quantity in left.items() if quantity}]
    assert action_states(cache) == ["done"]


async def test_re_reading_after_a_shipment_keeps_every_line_of_a_long_order(cache: Cache) -> None:
    store = SimStore(orders=400, seed=3)
    client, _, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        fo_id = next(
            ident for ident in shippable(cache, 60) if len(store.fulfillment_orders[ident].line_items) > 40
        )
        first = store.fulfillment_orders[fo_id].line_items[0]
        with cache.sessions() as session:
            ship(session, PACKER, fo_id, {first.id: 1})
            session.commit()
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
        await SyncEngine(client, cache).run_once()
    order_id = store.fulfillment_orders[fo_id].order_id
    with cache.sessions() as session:
        lines = session.exec(select(func.count()).where(LineItem.order_id == order_id)).one()
        fo_lines = session.exec(
            select(func.count()).where(FulfillmentOrderLineItem.fulfillment_order_id == fo_id)
        ).one()
    assert (lines, fo_lines) == (
        len(store.orders[order_id].line_items),
        len(store.fulfillment_orders[fo_id].line_items),
    )
    assert_cache_matches(store, cache)


async def test_objects_held_back_behind_a_rejected_action_are_read_again(cache: Cache) -> None:
    now = [utcnow()]
    store = SimStore(orders=60, seed=6, clock=lambda: now[0])
    client, _, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        fo = store.fulfillment_orders[fo_id]
        order = store.orders[fo.order_id]
        with cache.sessions() as session:
            ship(session, PACKER, fo_id, tracking=Tracking("OMS-REJECTED"))
            set_note(session, PACKER, order.id, "shipped by pack-1")
            session.commit()
        # Meanwhile someone put the order on hold at the store: the shipment is rejected.
        fo.holds.append(FulfillmentHold(gid("FulfillmentHold", store.new_id()), "OTHER", "check", None))
        fo.status = "ON_HOLD"
        store.touch(order, fo)
        assert (await OutboxPusher(client, cache, clock=clock).push_ready()).failed == 1
        await SyncEngine(client, cache).run_once()  # the note still waits: the order is held back
        fo.holds.clear()  # released at the store
        fo.status = "OPEN"
        store.touch(order, fo)
        await SyncEngine(client, cache).run_once()  # held back again
        now[0] += timedelta(minutes=10)
        other = store.fulfillment_orders[shippable(cache, 2)[1]]
        store.touch(store.orders[other.order_id], other)  # the shop goes on: watermarks move past
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            rejected = session.exec(select(OutboxAction).where(OutboxAction.state == "failed")).one()
            rejected.state = "discarded"  # a person gave up on the shipment
            session.commit()
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
        await SyncEngine(client, cache).run_once()
    assert action_states(cache) == ["discarded", "done"]
    assert_cache_matches(store, cache)


async def test_a_release_sent_before_its_hold_was_synced_releases_only_that_hold(cache: Cache) -> None:
    store = SimStore(orders=60, seed=9)
    client, _, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        with cache.sessions() as session:
            hold(session, PACKER, fo_id, "INCORRECT_ADDRESS", "flat number missing")
            release_hold(session, PACKER, fo_id)  # the hold's id is not known here yet
            session.commit()
        fo = store.fulfillment_orders[fo_id]
        fraud = FulfillmentHold(gid("FulfillmentHold", store.new_id()), "HIGH_RISK_OF_FRAUD", "review", None)
        fo.holds.append(fraud)  # placed by someone else at the store
        fo.status = "ON_HOLD"
        store.touch(store.orders[fo.order_id], fo)
        await push_until_empty(OutboxPusher(client, cache, clock=clock, sleep=no_sleep), clock)
    assert [h.id for h in store.fulfillment_orders[fo_id].holds] == [fraud.id]
    assert action_states(cache) == ["done", "done"]
