"""The simulator over loopback (as in docs/simulator.md), auth and versions, and bulk operations."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.server import run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import GRAPHQL_PATH, sim_client

DOC_QUERY = '{"query": "{ orders(first: 3) { nodes { id name displayFulfillmentStatus } } }"}'


def test_curl_example_from_the_docs_works_over_loopback() -> None:
    store = SimStore(orders=20, seed=7)
    with run_in_thread(store, token="shpat_demo") as server:
        assert server.url.startswith("http://127.0.0.1:")
        if shutil.which("curl"):
            output = subprocess.run(
                [
                    "curl",
                    "-s",
                    "-X",
                    "POST",
                    server.graphql_url,
                    "-H",
                    "Content-Type: application/json",
                    "-H",
                    "X-Shopify-Access-Token: shpat_demo",
                    "-d",
                    DOC_QUERY,
                ],
                check=True,
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout
            body = json.loads(output)
        else:
            body = httpx.post(
                server.graphql_url, content=DOC_QUERY, headers={"X-Shopify-Access-Token": "shpat_demo"}
            ).json()
    assert [n["name"] for n in body["data"]["orders"]["nodes"]] == ["#1001", "#1002", "#1003"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 5


def test_dropped_connection_is_a_transport_error_over_uvicorn() -> None:
    with run_in_thread(SimStore(orders=5)) as server:
        server.app.state.faults.outage = True
        outcomes = set()
        for _ in range(8):
            try:
                outcomes.add(
                    httpx.post(
                        server.graphql_url,
                        json={"query": '{ order(id: "x") { id } }'},
                        headers={"X-Shopify-Access-Token": server.token},
                    ).status_code
                )
            except httpx.TransportError:
                outcomes.add("transport error")
    assert outcomes == {503, "transport error"}


async def test_a_client_that_went_away_before_its_body_was_read_is_no_error() -> None:
    """An app quitting mid-sync closes its connections: the simulator must not raise (uvicorn would
    print starlette's ClientDisconnect traceback on the terminal), and never answers."""
    app = create_app(SimStore(orders=5))
    store_changes = app.state.store.changes
    messages = [
        {"type": "http.request", "body": b'{"query": "{ ord', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": GRAPHQL_PATH,
        "raw_path": GRAPHQL_PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"x-shopify-access-token", DEFAULT_TOKEN.encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8787),
    }
    await app(scope, receive, send)  # raised ClientDisconnect
    assert [message["status"] for message in sent if message["type"] == "http.response.start"] == [499]
    assert app.state.store.changes == store_changes


@pytest.mark.parametrize(
    ("path", "token", "status"),
    [
        (GRAPHQL_PATH, "wrong", 401),
        ("/admin/api/2099-01/graphql.json", None, 404),  # not released
        ("/admin/api/2026-05/graphql.json", None, 404),  # not a release month
    ],
)
async def test_bad_token_and_unknown_version(path: str, token: str | None, status: int) -> None:
    async with sim_client(SimStore(orders=5)) as client:
        headers = {"X-Shopify-Access-Token": token} if token else {}
        response = await client.post(
            path, json={"query": "{ locations(first: 1) { nodes { id } } }"}, headers=headers
        )
    assert response.status_code == status
    if status == 401:
        assert response.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }


@pytest.mark.parametrize(
    ("asked", "served"), [("2026-04", "2026-04"), ("2025-07", "2025-07"), ("2024-01", "2025-04")]
)
async def test_every_answer_names_the_version_served_and_old_ones_fall_forward(
    asked: str, served: str
) -> None:
    async with sim_client(SimStore(orders=5)) as client:
        client.app_state.faults.deprecated_reason = "Order.riskLevel"  # type: ignore[attr-defined]
        response = await client.post(
            f"/admin/api/{asked}/graphql.json", json={"query": "{ locations(first: 1) { nodes { id } } }"}
        )
    assert response.status_code == 200 and "data" in response.json()
    assert response.headers["X-Shopify-API-Version"] == served
    assert response.headers["X-Shopify-API-Deprecated-Reason"] == "Order.riskLevel"
