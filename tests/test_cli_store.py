"""`oms-tui sync` against a simulator on loopback, and `oms-tui outbox` on the embedded defaults."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, Order, OutboxAction
from oms_tui.cli import main
from oms_tui.sim.server import run_in_thread
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
    assert counts["orders"] == [str(len(store.orders)), "0", "0", "0"]
    assert counts["fulfillment_orders"] == [str(len(store.fulfillment_orders)), "0", "0", "0"]
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
        assert [event.action for event in session.exec(select(AuditEvent))] == ["outbox.discard"]
    cache.close()
