"""What the store says about the API itself reaches the cache once and the manager's status line.

The simulator sends what Shopify sends (`X-Shopify-API-Version`, `X-Shopify-API-Deprecated-Reason`,
notes in `extensions`), and the real client reads it.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import ApiNotice
from oms_tui.cache.types import utcnow
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.sim.app import DEFAULT_TOKEN
from oms_tui.sim.store import SimStore
from oms_tui.store.api_notices import Notice, current_notices, record_notices
from oms_tui.store.client import StoreClient
from oms_tui.store.errors import StoreQueryError
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import Tap, no_sleep, simulated_client

LOCATIONS = "{ locations(first: 5) { nodes { id } } }"
MOVE_TO_OURS = 'move to API version 2026-04 (set api_version = "2026-04")'


def client_asking_for(version: str, **switches: Any) -> tuple[StoreClient, Tap]:
    """A client asking the simulator for API `version`; `switches` set on the simulator's faults."""
    _, tap, app = simulated_client(SimStore(orders=3, seed=2))
    for name, value in switches.items():
        setattr(app.state.faults, name, value)
    client = StoreClient(
        "https://sim.test", SecretStr(DEFAULT_TOKEN), api_version=version, transport=tap, sleep=no_sleep
    )
    return client, tap


async def test_an_unserved_version_and_deprecations_are_noticed_once_each() -> None:
    client, _ = client_asking_for(
        "2025-01",  # older than the simulator's oldest supported version: it falls forward to 2025-04
        deprecated_reason="Order.riskLevel",
        deprecation_notes=["Order.riskLevel", "Order.risks"],  # one also in the header, one only here
    )
    async with client:
        for _ in range(3):
            await client.execute(LOCATIONS)
        assert [(n.kind, n.message) for n in client.take_notices()] == [
            (
                "version",
                "the store answered with API version 2025-04 to a request for 2025-01, which it no longer "
                f"serves: {MOVE_TO_OURS}",
            ),
            ("deprecated", f"deprecated in API version 2025-01: Order.riskLevel; {MOVE_TO_OURS}"),
            ("deprecated", f"deprecated in API version 2025-01: Order.risks; {MOVE_TO_OURS}"),
        ]
        assert client.take_notices() == []  # taken: the next pass collects afresh


async def test_a_clean_answer_has_no_notices() -> None:
    client, _ = client_asking_for("2026-04")
    async with client:
        await client.execute(LOCATIONS)
        assert client.take_notices() == []


async def test_deprecations_on_our_own_version_say_to_upgrade_oms_tui() -> None:
    client, _ = client_asking_for("2026-04", deprecated_reason="Order.riskLevel")
    async with client:
        await client.execute(LOCATIONS)
        (notice,) = client.take_notices()
    assert notice.message == (
        "deprecated in API version 2026-04: Order.riskLevel; "
        "move to API version after 2026-04: upgrade oms-tui (this one is built for 2026-04)"
    )


def test_notices_are_kept_once_with_first_and_last_sighting(any_cache: Cache) -> None:
    notices = [Notice("deprecated", "deprecated in API version 2025-01: Order.risks; move to 2026-04")]
    monday = utcnow() - timedelta(days=3)
    record_notices(any_cache, notices, now=monday)
    record_notices(any_cache, notices, now=monday + timedelta(hours=5))
    with any_cache.sessions() as session:
        (row,) = session.exec(select(ApiNotice)).all()
    assert (row.first_seen, row.last_seen) == (monday, monday + timedelta(hours=5))
    assert current_notices(any_cache, now=monday + timedelta(hours=6)) == [row]
    assert current_notices(any_cache, now=monday + timedelta(days=2)) == []  # not seen since: dealt with


async def test_a_404_on_the_api_path_says_the_version_is_probably_wrong() -> None:
    client, tap = client_asking_for("2099-01")
    async with client:
        with pytest.raises(StoreQueryError) as refused:
            await client.execute(LOCATIONS)
    assert str(refused.value) == (
        "HTTP 404 for query: no Admin API at https://sim.test/admin/api/2099-01/graphql.json; "
        "the API version '2099-01' is probably wrong (oms-tui is built for 2026-04)"
    )
    assert tap.requests == 1  # not retried


@pytest.mark.parametrize("url", ["http://my-brand.myshopify.com", "http://10.0.0.5:8787"])
def test_the_client_never_sends_the_token_over_plain_http_off_this_machine(url: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"refusing to send the store token to {url} over plain")):
        StoreClient(url, SecretStr(DEFAULT_TOKEN))
    StoreClient("http://127.0.0.1:8787", SecretStr(DEFAULT_TOKEN))  # the simulator on this machine


async def test_the_status_line_shows_the_notice_with_the_version_to_move_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    client, _ = client_asking_for("2025-01")
    async with client:
        update = await runtime.one_pass(
            SyncEngine(client, runtime.cache), OutboxPusher(client, runtime.cache)
        )
    assert update.text.endswith(
        "; API notice: the store answered with API version 2025-04 to a request for 2025-01, which it no "
        f"longer serves: {MOVE_TO_OURS}"
    )
    assert [n.kind for n in current_notices(runtime.cache)] == ["version"]  # recorded for every station
    runtime.close()


async def test_a_notice_about_an_old_version_goes_once_the_setting_is_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms_tui.sync_health import read_stored_health

    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    old, _ = client_asking_for("2025-01")
    async with old:
        await runtime.one_pass(SyncEngine(old, runtime.cache), OutboxPusher(old, runtime.cache))
    assert read_stored_health(runtime.cache, "2025-01").notices  # the header, while asking for 2025-01

    fixed, _ = client_asking_for("2026-04")  # api_version set as the notice said
    async with fixed:
        update = await runtime.one_pass(SyncEngine(fixed, runtime.cache), OutboxPusher(fixed, runtime.cache))
    assert "API notice" not in update.text
    assert read_stored_health(runtime.cache, "2026-04").notices == ()
    runtime.close()
