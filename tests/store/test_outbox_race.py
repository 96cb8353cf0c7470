"""Two pushers racing for one action with no sync lock between them: the compare-and-set claim lets
only one of them send it.

On PostgreSQL (READ COMMITTED) a pusher reads the action, then marks it `sending`; another pusher can
claim it in between. On SQLite the claim's transaction holds the write lock from its first read, so
nobody can come in between there: this race exists on PostgreSQL only.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from oms_tui.cache.database import Cache
from oms_tui.cache.engine import session_factory
from oms_tui.cache.migrate import upgrade
from oms_tui.cache.models import OutboxAction
from oms_tui.floor.actions.store_actions import Tracking, ship
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.conftest import postgres_engine_in_fresh_schema
from tests.store.simulated import simulated_client
from tests.store.test_outbox import PACKER, shippable, upstream_tracking_numbers
from tests.team import hire


@pytest.fixture
def postgres_cache() -> Iterator[Cache]:
    with postgres_engine_in_fresh_schema() as engine:
        upgrade(engine)
        cache = Cache(engine, session_factory(engine))
        hire(cache)
        yield cache


class HeldPusher:
    """Pusher B, in a thread of its own: it claims the action and is held at the store's door."""

    def __init__(self, store: SimStore, cache: Cache, action_id: int) -> None:
        self.at_the_store, self.go_on = threading.Event(), threading.Event()
        self.outcome: str | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(store, cache, action_id), daemon=True)

    def _run(self, store: SimStore, cache: Cache, action_id: int) -> None:
        try:
            self.outcome = asyncio.run(self._deliver(store, cache, action_id))
        except BaseException as exc:  # reported by the test thread
            self.error = exc
            self.at_the_store.set()

    async def _deliver(self, store: SimStore, cache: Cache, action_id: int) -> str:
        client, tap, _ = simulated_client(store)

        def hold_at_the_door(_count: int, request: httpx.Request) -> None:
            if b"mutation" in request.content:
                self.at_the_store.set()  # claimed (committed) and sending
                assert self.go_on.wait(timeout=30), "the test never let pusher B go on"

        tap.before = hold_at_the_door
        async with client:
            return await OutboxPusher(client, cache)._deliver(action_id)


def claim_in_between(engine: Engine, pusher_b: HeldPusher) -> None:
    """When this thread's pusher is about to mark the action `sending` (it has read it already),
    pusher B claims it first and is sending it."""
    me = threading.current_thread()

    started: list[bool] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        marking = statement.lstrip().upper().startswith(f"UPDATE {OutboxAction.__tablename__}".upper())
        if marking and threading.current_thread() is me and not started:
            started.append(True)
            pusher_b.thread.start()
            assert pusher_b.at_the_store.wait(timeout=30), "pusher B never reached the store"
            if pusher_b.error is not None:
                raise pusher_b.error

    event.listen(engine, "before_cursor_execute", before)


@pytest.mark.postgres
async def test_two_pushers_claiming_one_action_at_once_send_it_once(postgres_cache: Cache) -> None:
    cache = postgres_cache
    store = SimStore(orders=30, seed=23)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
        (fo_id,) = shippable(cache, 1)
        with cache.sessions() as session:
            action = ship(session, PACKER, fo_id, tracking=Tracking("OMS-RACE"))
            session.commit()
        assert action.id is not None
        pusher_b = HeldPusher(store, cache, action.id)
        claim_in_between(cache.engine, pusher_b)
        try:
            outcome_a = await OutboxPusher(client, cache)._deliver(action.id)
        finally:
            pusher_b.go_on.set()
            if pusher_b.thread.is_alive():
                pusher_b.thread.join(timeout=30)
    assert pusher_b.error is None
    assert (outcome_a, pusher_b.outcome) == ("", "done"), "pusher A took an action pusher B had claimed"
    assert upstream_tracking_numbers(store) == {"OMS-RACE": 1}
    with cache.sessions() as session:
        delivered = session.get_one(OutboxAction, action.id)
    assert (delivered.state, delivered.attempts) == ("done", 1)
