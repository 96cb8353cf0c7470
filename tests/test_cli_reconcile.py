"""`oms-tui reconcile` against a simulator on loopback: what it prints and the exit code scripts read."""

from __future__ import annotations

import pytest
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import Order
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.store.reconcile.examine import forget_orders
from tests.cli_shop import oms, serving, synced_store


def test_reconcile_exits_0_clean_2_left_by_a_dry_run_1_repaired(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = synced_store(db_url, orders=30)
    with serving(store, monkeypatch):
        clean = oms("reconcile")
        assert clean.exit_code == 0, clean.output
        assert "differences    0 found, 0 repaired, 0 left" in clean.output
        assert "\r" not in clean.output  # the bar draws only on a terminal

        gone = list(store.orders)[3]
        cache = open_cache(db_url)
        with cache.sessions() as session:
            forget_orders(session, [gone])
            session.commit()
        dry = oms("reconcile", "--dry-run")
        assert dry.exit_code == 2, dry.output
        assert f"missing     {gone}" in dry.output and "(dry run: nothing changed)" in dry.output
        with cache.sessions() as session:
            assert session.get(Order, gone) is None

        since = min(order.created_at for order in store.orders.values()).date().isoformat()
        mended = oms("reconcile", "--since", since)
        assert mended.exit_code == 1, mended.output
        assert "1 found, 1 repaired, 0 left" in mended.output
        with cache.sessions() as session:
            assert session.get(Order, gone) is not None
            assert [run.trigger for run in session.exec(select(ReconcileRun))] == ["cli"] * 3
        cache.close()


def test_a_day_that_is_not_a_day_is_one_line(db_url: str) -> None:
    result = oms("reconcile", "--since", "yesterday")
    assert result.exit_code == 2
    assert "'yesterday' is not a day (YYYY-MM-DD)" in result.output
