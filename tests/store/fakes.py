"""Test doubles for the store client: a fake clock, scripted responses, a server-side cost bucket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from graphql import GraphQLSchema, parse

from oms_tui.shopify.cost import requested_cost

TOKEN = "shpat_s3cr3t_t0k3n_value"
SHOP = "https://test-shop.myshopify.com"


@dataclass
class FakeTime:
    """A clock that only moves when the client sleeps; every sleep is recorded."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def cost_extension(requested: float, available: float, maximum: float = 1000, rate: float = 50) -> dict:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def ok(data: dict, **cost: float) -> httpx.Response:
    body: dict[str, Any] = {"data": data}
    if cost:
        body["extensions"] = cost_extension(**cost)
    return httpx.Response(200, json=body)


def graphql_error(
    code: str, message: str, *, extensions: dict | None = None, **cost: float
) -> httpx.Response:
    body: dict[str, Any] = {
        "errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]
    }
    if cost:
        body["extensions"] = cost_extension(**cost)
    return httpx.Response(200, json=body)


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """A transport answering each request with the next scripted step; records the requests."""

    def __init__(self, *steps: Step):
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    def variables(self) -> list[dict]:
        return [json.loads(r.content)["variables"] for r in self.requests]


class BucketStore:
    """A store with a leaky bucket on the fake clock: throttles exactly as Shopify's rule says."""

    def __init__(self, schema: GraphQLSchema, time: FakeTime, *, maximum: float, rate: float, data: dict):
        self.schema, self.time, self.maximum, self.rate, self.data = schema, time, maximum, rate, data
        self.available, self.as_of = maximum, 0.0
        self.throttled = 0
        self.served = 0
        self.transport = httpx.MockTransport(self.handle)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.answer(request)
        await asyncio.sleep(0)  # other tasks run while the answer travels back, as they would
        return response

    def answer(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        requested = requested_cost(self.schema, parse(body["query"]), body["variables"])
        now = self.time.now
        self.available = min(self.maximum, self.available + (now - self.as_of) * self.rate)
        self.as_of = now
        if requested > self.available:
            self.throttled += 1
            return graphql_error(
                "THROTTLED", "Throttled", requested=requested, available=self.available,
                maximum=self.maximum, rate=self.rate,
            )  # fmt: skip
        self.available -= requested
        self.served += 1
        return ok(
            self.data, requested=requested, available=self.available, maximum=self.maximum, rate=self.rate
        )
