"""Injected faults: seeded, visible to httpx as a client would meet them, and the manual switches."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from oms_tui.sim.faults import Faults
from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import GRAPHQL_PATH, sim_client
from tests.sim.conftest import Clock, gql

TAG = 'mutation($id: ID!) { tagsAdd(id: $id, tags: ["packed"]) { userErrors { message } } }'


def test_fault_sequence_is_the_same_for_the_same_seed() -> None:
    first = [Faults("hostile", seed=11).before_request() for _ in range(1)]
    a, b = Faults("hostile", seed=11), Faults("hostile", seed=11)
    drawn = [a.before_request() for _ in range(200)]
    assert drawn == [b.before_request() for _ in range(200)]
    assert a.fired == Counter(kind for kind in drawn if kind)  # what tests read to know faults happened
    assert first[0] == Faults("hostile", seed=11).before_request()
    assert {Faults("hostile", seed=s).before_request() for s in range(200)} > {None}


async def test_outage_switch_fails_every_request_until_turned_off(store: SimStore) -> None:
    async with sim_client(store) as client:
        client.app_state.faults.outage = True  # type: ignore[attr-defined]
        for _ in range(6):
            try:
                response = await client.post(
                    GRAPHQL_PATH, json={"query": "{ locations(first: 1) { nodes { id } } }"}
                )
            except httpx.TransportError:
                continue
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "1"
            assert response.headers["content-type"].startswith("text/html")
        assert client.app_state.faults.fired.total() == 6  # type: ignore[attr-defined]
        client.app_state.faults.outage = False  # type: ignore[attr-defined]
        assert "data" in await gql(client, "{ locations(first: 1) { nodes { id } } }")


async def test_mutation_applied_then_connection_dropped(store: SimStore) -> None:
    order = store.order_at(0)
    async with sim_client(store) as client:
        client.app_state.faults.drop_after_mutations = 1  # type: ignore[attr-defined]
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(GRAPHQL_PATH, json={"query": TAG, "variables": {"id": order.id}})
        assert "packed" in order.tags  # applied although the client never saw the answer
        assert client.app_state.faults.fired == {"dropped_after_mutation": 1}  # type: ignore[attr-defined]
        body = await gql(client, TAG, id=order.id)  # the retry goes through and changes nothing more
        assert body["data"]["tagsAdd"]["userErrors"] == []
        assert order.tags.count("packed") == 1


async def test_search_lags_behind_writes_while_lookups_are_fresh(clock: Clock) -> None:
    store = SimStore(orders=30, seed=7, clock=clock, search_lag=60)
    order = store.order_at(0)
    since = clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    search = """query($q: String) { orders(first: 50, sortKey: UPDATED_AT, query: $q) { nodes { id } } }"""
    async with sim_client(store) as client:
        await gql(client, TAG, id=order.id)
        found = await gql(client, search, q=f"updated_at:>='{since}'")
        assert found["data"]["orders"]["nodes"] == []
        fresh = await gql(client, "query($id: ID!) { order(id: $id) { tags } }", id=order.id)
        assert "packed" in fresh["data"]["order"]["tags"]
        clock.advance(61)
        found = await gql(client, search, q=f"updated_at:>='{since}'")
        assert found["data"]["orders"]["nodes"] == [{"id": order.id}]
