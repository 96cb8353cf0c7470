"""Every kind of floor action, recorded at a station and delivered to the store exactly once, also when
the store's answer is lost after it applied the action."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, parse
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FloorException, OutboxAction
from oms_tui.floor.actions import store_actions as act
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import Tap, assert_cache_matches, no_sleep, simulated_client
from tests.store.test_outbox import PACKER, Clock, cache, push_until_empty, shippable

MANAGER = act.Actor(station="office", staff_code="M01")

__all__ = ["cache"]  # the fixture, shared with test_outbox


@dataclass(frozen=True)
class Case:
    record: Callable[[Session, SimStore, str], object]  # records the action for one fulfillment order
    check: Callable[[SimStore, str], None]  # asserts the store's state afterwards
    mutations: int = 1  # requests that change the store: each action is sent once, lost answers or not


def other_location(store: SimStore, fo_id: str) -> str:
    here = store.fulfillment_orders[fo_id].location.id
    return next(ident for ident, location in store.locations.items() if ident != here and location.is_active)


def fulfillments_of(store: SimStore, fo_id: str) -> list[dict[str, int]]:
    order = store.orders[store.fulfillment_orders[fo_id].order_id]
    return [f.quantities for f in order.fulfillments if fo_id in f.fulfillment_order_ids]


def check_shipped(store: SimStore, fo_id: str) -> None:
    fo = store.fulfillment_orders[fo_id]
    assert fo.status == "CLOSED" and len(fulfillments_of(store, fo_id)) == 1


def check_partly_shipped(store: SimStore, fo_id: str) -> None:
    first = store.fulfillment_orders[fo_id].line_items[0]
    assert fulfillments_of(store, fo_id) == [{first.line_item.id: 1}]


def record_partial(session: Session, store: SimStore, fo_id: str) -> object:
    return act.ship(session, PACKER, fo_id, {store.fulfillment_orders[fo_id].line_items[0].id: 1})


def record_hold_then_release(session: Session, store: SimStore, fo_id: str) -> object:
    act.hold(session, PACKER, fo_id, "OTHER", "customer called")
    return act.release_hold(session, PACKER, fo_id)


MOVED_TO: dict[str, str] = {}  # fulfillment order -> where the station moved it


def record_move(session: Session, store: SimStore, fo_id: str) -> object:
    MOVED_TO[fo_id] = other_location(store, fo_id)
    return act.move(session, PACKER, fo_id, MOVED_TO[fo_id])


def check_moved(store: SimStore, fo_id: str) -> None:
    assert store.fulfillment_orders[fo_id].location.id == MOVED_TO[fo_id]


def order_of(store: SimStore, fo_id: str) -> str:
    return store.fulfillment_orders[fo_id].order_id


CASES = {
    "ship": Case(
        lambda s, st, fo: act.ship(s, PACKER, fo, tracking=act.Tracking("OMS-00001", "UPS")), check_shipped
    ),
    "partial ship": Case(record_partial, check_partly_shipped),
    "hold": Case(
        lambda s, st, fo: act.hold(s, PACKER, fo, "INCORRECT_ADDRESS", "no flat number"),
        lambda st, fo: _assert(
            [(h.reason, h.reason_notes) for h in st.fulfillment_orders[fo].holds]
            == [("INCORRECT_ADDRESS", "no flat number")]
        ),
    ),
    "hold and release": Case(
        record_hold_then_release,
        lambda st, fo: _assert(
            st.fulfillment_orders[fo].holds == [] and st.fulfillment_orders[fo].status == "OPEN"
        ),
        mutations=2,
    ),
    "move": Case(record_move, check_moved),
    "cancel": Case(
        lambda s, st, fo: act.cancel(
            s, MANAGER, order_of(st, fo), "CUSTOMER", refund=act.Refund.ORIGINAL, restock=True
        ),
        lambda st, fo: _assert(st.orders[order_of(st, fo)].cancelled_at is not None),
    ),
    "note": Case(
        lambda s, st, fo: act.set_note(s, PACKER, order_of(st, fo), "leave at the back door"),
        lambda st, fo: _assert(st.orders[order_of(st, fo)].note == "leave at the back door"),
    ),
    "tags": Case(
        lambda s, st, fo: act.add_tags(s, PACKER, order_of(st, fo), ["rush", "gift"]),
        lambda st, fo: _assert({"rush", "gift"} <= set(st.orders[order_of(st, fo)].tags)),
    ),
}


def count_mutations(tap: Tap) -> Counter[str]:
    """Mutations the client sends from now on, by field name."""
    sent: Counter[str] = Counter()

    def seen(_count: int, request: httpx.Request) -> None:
        operation = parse(json.loads(request.content)["query"]).definitions[0]
        if isinstance(operation, OperationDefinitionNode) and operation.operation == OperationType.MUTATION:
            sent[operation.name.value if operation.name else "?"] += 1

    tap.before = seen
    return sent


def _assert(condition: bool) -> None:
    assert condition


@pytest.mark.parametrize("lost_answers", [0, 1, 2], ids=["clean", "one-answer-lost", "two-answers-lost"])
@pytest.mark.parametrize("kind", list(CASES))
async def test_each_floor_action_reaches_the_store_once(cache: Cache, kind: str, lost_answers: int) -> None:
    store = SimStore(orders=80, seed=12, job_delay=0)  # a cancellation's job ends by the next request
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        fo_id = next(
            ident
            for ident in shippable(cache, 20)
            if store.fulfillment_orders[ident].status == "OPEN"
            and not store.orders[order_of(store, ident)].fulfillments
            and all(
                line.remaining_quantity == line.total_quantity
                for line in store.fulfillment_orders[ident].line_items
            )
        )
        with cache.sessions() as session:
            CASES[kind].record(session, store, fo_id)
            session.commit()
        app.state.faults.drop_after_mutations = lost_answers  # applied at the store, answers lost
        sent = count_mutations(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock, sleep=no_sleep), clock)
        assert sum(sent.values()) == CASES[kind].mutations, f"sent again after a lost answer: {sent}"
        await SyncEngine(client, cache).run_once()
    CASES[kind].check(store, fo_id)
    with cache.sessions() as session:
        states = session.exec(select(OutboxAction.state).order_by(col(OutboxAction.id))).all()
    assert set(states) == {"done"}
    assert_cache_matches(store, cache)


async def test_a_lost_note_is_not_sent_over_a_note_changed_at_the_store_meanwhile(cache: Cache) -> None:
    store = SimStore(orders=30, seed=12)
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        order_id = order_of(store, shippable(cache, 1)[0])
        with cache.sessions() as session:
            act.set_note(session, PACKER, order_id, "leave at the back door")
            session.commit()
        app.state.faults.drop_after_mutations = 1
        await OutboxPusher(client, cache, clock=clock, sleep=no_sleep).push_ready()
        store.orders[order_id].note = "customer: deliver to the neighbour"  # someone else, in Shopify
        sent = count_mutations(tap)
        clock.advance()
        await OutboxPusher(client, cache, clock=clock, sleep=no_sleep).push_ready()
    assert store.orders[order_id].note == "customer: deliver to the neighbour" and not sent
    with cache.sessions() as session:
        (action,) = session.exec(select(OutboxAction)).all()
    assert action.state == "failed" and "changed at the store meanwhile" in (action.last_error or "")


async def test_a_check_that_cannot_be_read_keeps_the_outcome_unknown(cache: Cache) -> None:
    """Only the store's answer to the action itself rejects it; a failed read-back is retried."""
    store = SimStore(orders=30, seed=12)
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        fo_id = shippable(cache, 1)[0]
        shipped_before = len(store.orders[order_of(store, fo_id)].fulfillments)
        with cache.sessions() as session:
            act.ship(session, PACKER, fo_id, tracking=act.Tracking("OMS-CHECK-1"))
            session.commit()
        app.state.faults.drop_after_mutations = 1  # shipped at the store, answer lost
        await OutboxPusher(client, cache, clock=clock, sleep=no_sleep).push_ready()
        tap.rewrite = lambda body: b'{"errors": [{"message": "Internal error reading fulfillments"}]}'
        clock.advance()
        await OutboxPusher(client, cache, clock=clock, sleep=no_sleep).push_ready()
        with cache.sessions() as session:
            (action,) = session.exec(select(OutboxAction)).all()
            problems = session.exec(select(FloorException)).all()
        assert action.state == "sending" and "could not check" in (action.last_error or "")
        assert problems == [], "a failed read-back opened an exception as if the store had rejected it"
        tap.rewrite = lambda body: body
        clock.advance()
        await push_until_empty(OutboxPusher(client, cache, clock=clock, sleep=no_sleep), clock)
    with cache.sessions() as session:
        assert session.exec(select(OutboxAction.state)).all() == ["done"]
    assert len(store.orders[order_of(store, fo_id)].fulfillments) == shipped_before + 1
