"""One-line simulator clients for tests anywhere in the suite (in process, no sockets)."""

from __future__ import annotations

from typing import Any

import httpx

from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.server import API_VERSION
from oms_tui.sim.store import SimStore

BASE_URL = "https://sim.test"
GRAPHQL_PATH = f"/admin/api/{API_VERSION}/graphql.json"


def sim_client(
    store: SimStore | None = None, token: str = DEFAULT_TOKEN, **app_options: Any
) -> httpx.AsyncClient:
    """An httpx client wired to a fresh simulator app: `client.app_state` has store, faults and buckets."""
    app = create_app(store or SimStore(), token=token, **app_options)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers={"X-Shopify-Access-Token": token}
    )
    client.app_state = app.state  # type: ignore[attr-defined]
    return client
