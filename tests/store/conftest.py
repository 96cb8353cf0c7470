from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from graphql import GraphQLSchema
from pydantic import SecretStr

from oms_tui.store.client import StoreClient
from oms_tui.store.retry import RetryPolicy

from .fakes import SHOP, TOKEN, FakeTime

MakeClient = Callable[..., StoreClient]


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def make_client(full_schema: GraphQLSchema, fake_time: FakeTime) -> AsyncIterator[MakeClient]:
    made: list[StoreClient] = []

    def make(transport: httpx.AsyncBaseTransport, **options: object) -> StoreClient:
        options = {
            "schema": full_schema, "sleep": fake_time.sleep, "clock": fake_time.clock,
            "rng": random.Random(7), "retry": RetryPolicy(attempts=4, base_delay=1.0, give_up_after=60.0),
            **options,
        }  # fmt: skip
        client = StoreClient(SHOP, SecretStr(TOKEN), transport=transport, **options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
