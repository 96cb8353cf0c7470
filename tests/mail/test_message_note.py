"""A sent message is noted on the order at the store, through the outbox: appended below the store's
note (never replacing it, also when it changed at the store after the message went), exactly once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import OutboxAction
from oms_tui.floor.actions.store_actions import Actor, append_note
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import no_sleep, simulated_client
from tests.store.test_outbox import Clock, cache, push_until_empty, shippable
from tests.store.test_outbox_actions import count_mutations, order_of

__all__ = ["cache"]
LINE = "2026-11-21 10:00 UTC S01 emailed the customer (delayed): Your order is delayed <1.2@brand.test>"


@pytest.mark.parametrize("lost_answers", [0, 1], ids=["clean", "answer-lost"])
async def test_the_line_goes_below_the_stores_note_once(cache: Cache, lost_answers: int) -> None:
    store = SimStore(orders=30, seed=12)
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        order_id = order_of(store, shippable(cache, 1)[0])
        with cache.sessions() as session:
            append_note(session, Actor("desk-1", "S01"), order_id, LINE)
            session.commit()
        store.orders[order_id].note = "customer: deliver to the neighbour"  # someone else, in Shopify
        app.state.faults.drop_after_mutations = lost_answers
        sent = count_mutations(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock, sleep=no_sleep), clock)
    assert store.orders[order_id].note == f"customer: deliver to the neighbour\n{LINE}"
    assert sum(sent.values()) == 1
    with cache.sessions() as session:
        assert [action.state for action in session.exec(select(OutboxAction))] == ["done"]
