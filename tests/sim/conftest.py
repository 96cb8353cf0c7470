"""Simulator fixtures: a small seeded store on a frozen, steppable clock, and an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import GRAPHQL_PATH, sim_client


class Clock:
    """A store clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 47, 55, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> SimStore:
    return SimStore(orders=60, seed=7, clock=clock)


@pytest.fixture
async def client(store: SimStore) -> AsyncIterator[httpx.AsyncClient]:
    async with sim_client(store, plan="plus") as http:
        yield http


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a document; return the JSON body (asserting HTTP 200)."""
    response = await client.post(GRAPHQL_PATH, json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
