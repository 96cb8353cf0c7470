"""`oms-tui sync` against a simulator on loopback, and `oms-tui outbox` on the embedded defaults."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlmodel import col, select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, Order, OutboxAction
from oms_tui.cli import main
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore


def test_sync_prints_a_summary_per_stream(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SimStore(orders=40, seed=7)  # no live activity: the store holds still while it is read
    with run_in_thread(store, plan="plus") as server:
        monkeypatch.setenv("OMS_SHOP_URL", server.url)
        monkeypatch.setenv("OMS_SHOPIFY_TOKEN", server.token)
        result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["stream", "created", "updated", "unchanged", "errors"]
    counts = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    # created, updated, errors (open work is read first, so the history reads some of it unchanged)
    assert [counts["orders"][n] for n in (0, 1, 3)] == [str(len(store.orders)), "0", "0"]
    assert [counts["fulfillment_orders"][n] for n in (0, 1, 3)] == [
        str(len(store.fulfillment_orders)),
        "0",
        "0",
    ]
    assert lines[-1].startswith("done in ")
    cache = open_cache(db_url)
    with cache.sessions() as session:
        assert set(session.exec(select(Order.id))) == set(store.orders)
    cache.close()


def test_outbox_lists_and_discards_with_confirmation(db_url: str) -> None:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        session.add(
            OutboxAction(
                order_id="gid://shopify/Order/1",
                kind="note",
                payload={"orderId": "gid://shopify/Order/1", "note": "x"},
                state="failed",
                attempts=1,
                last_error="Order does not exist",
                station="pack-1",
            )
        )
        session.commit()
    runner = CliRunner()
    listed = runner.invoke(main, ["outbox"])
    assert "failed   note" in listed.output and "Order does not exist" in listed.output
    declined = runner.invoke(main, ["outbox", "discard", "1"], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    accepted = runner.invoke(main, ["outbox", "discard", "1"], input="y\n")
    assert accepted.exit_code == 0 and "discarded action 1" in accepted.output
    assert runner.invoke(main, ["outbox"]).output.strip() == "outbox empty: the store has every action"
    with cache.sessions() as session:
        assert session.exec(select(OutboxAction)).one().state == "discarded"
        outbox_events = select(AuditEvent).where(col(AuditEvent.action).startswith("outbox."))
        assert [event.action for event in session.exec(outbox_events)] == ["outbox.discard"]
    cache.close()


@pytest.fixture
def shop(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimServer]:
    """A small simulator on loopback, configured as the shop (plain http is fine on this machine).
    Its bucket refills fast: its whole catalogue's stock is read at Standard's 100 points a second
    in nearly two minutes, and no test here is about pacing."""
    with run_in_thread(SimStore(orders=5, seed=3), restore_rate=5000) as server:
        monkeypatch.setenv("OMS_SHOP_URL", server.url)
        monkeypatch.setenv("OMS_SHOPIFY_TOKEN", server.token)
        yield server


def test_sync_lists_what_the_store_says_about_the_api_and_pipes_cleanly(
    shop: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.app.state.faults.deprecated_reason = "Order.riskLevel"
    monkeypatch.setenv("OMS_API_VERSION", "2025-01")  # no longer served: the store falls forward
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output  # the progress counter redraws only on a terminal
    move_to = 'move to API version 2026-04 (set api_version = "2026-04")'
    assert [line for line in result.stdout.splitlines() if line.startswith("API notice")] == [
        "API notice: the store answered with API version 2025-04 to a request for 2025-01, which it no "
        f"longer serves: {move_to}",
        f"API notice: deprecated in API version 2025-01: Order.riskLevel; {move_to}",
    ]


def test_sync_with_an_api_version_the_store_does_not_know_is_one_line(
    shop: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_API_VERSION", "2099-01")
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: sync stopped: HTTP 404 for locations_page: no Admin API at {shop.url}/admin/api/2099-01/"
        "graphql.json; the API version '2099-01' is probably wrong (oms-tui is built for 2026-04)\n"
    )


def test_sync_watch_says_a_refused_token_and_keeps_trying_until_stopped(
    shop: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token may be rotated in the settings meanwhile: `sync --watch` does not give up on it."""
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", "shpat_revoked_token")
    monkeypatch.setenv("OMS_POLL_INTERVAL", "0.05")
    command = [sys.executable, "-m", "oms_tui", "sync", "--watch"]
    watch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watch.stdout or ()], daemon=True).start()
    try:
        said = [lines.get(timeout=60) for _ in range(2)]
        assert all(line.startswith("! store refused the token: ") for line in said), said
        assert "trying again in" in said[0]
        assert watch.poll() is None  # still watching
        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=30) == 0  # stopped by the person, not by the refusal
    finally:
        watch.kill()
        watch.wait()
