"""The access token appears in the request header and nowhere else: not in errors, reprs or logs."""

from __future__ import annotations

import logging

import httpx
import pytest

from oms_tui.store.errors import StoreError

from .conftest import MakeClient
from .fakes import TOKEN, Script, graphql_error, ok

FAULTS = [
    httpx.Response(401, json={"errors": "[API] Invalid API key or access token"}),
    httpx.Response(403, text="Forbidden"),
    graphql_error("ACCESS_DENIED", "Access denied", extensions={"requiredAccess": "`read_orders`"}),
    graphql_error("MAX_COST_EXCEEDED", "too costly"),
    httpx.Response(400, text="bad request"),
    *[httpx.Response(500, text="<html>down</html>")] * 4,
    *[httpx.ConnectError("refused")] * 4,
    *[httpx.ReadTimeout("slow")] * 4,
]


async def test_token_never_leaks(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "oms_tui"):
        caplog.set_level(logging.DEBUG, logger=name)
    script = Script(*FAULTS, ok({"shop": {"name": "x"}}))
    client = make_client(script.transport)
    seen: list[str] = [repr(client), str(client.__dict__)]
    while script.steps:
        try:
            await client.execute("{ shop { name } }")
        except StoreError as error:
            seen += [str(error), repr(error), repr(error.__cause__), repr(error.__context__)]
    mutation_error = None
    script.steps.append(httpx.ReadTimeout("slow"))
    try:
        await client.execute("fulfillment_create", {"fulfillment": {}})
    except StoreError as error:
        mutation_error = error
    assert mutation_error is not None
    seen += [str(mutation_error), repr(mutation_error)]

    assert all(r.headers["X-Shopify-Access-Token"] == TOKEN for r in script.requests)
    assert caplog.records, "the client logs its retries"
    seen += [record.getMessage() for record in caplog.records]
    seen += [caplog.text]
    assert not [text for text in seen if TOKEN in text]
