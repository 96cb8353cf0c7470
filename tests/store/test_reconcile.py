"""`Reconciler` against the simulator with drift put in on purpose: each kind found and mended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.enums import ActionKind, ExceptionKind, OutboxState
from oms_tui.cache.models import FloorException, FulfillmentOrder, Order, OutboxAction
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.reconcile import ReconcileOptions, Reconciler
from oms_tui.store.reconcile.examine import forget_orders
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import assert_cache_matches, simulated_client

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


def small_store() -> SimStore:
    return SimStore(orders=60, seed=11, clock=clock, history=timedelta(days=20))


async def synced(store: SimStore, cache: Cache) -> StoreClient:
    client, _, _ = simulated_client(store)
    await SyncEngine(client, cache, clock=clock).run_once()
    assert_cache_matches(store, cache)
    return client


async def reconcile(client: StoreClient, cache: Cache, **options: object) -> tuple[int, list[str]]:
    report = await Reconciler(client, cache, clock=clock).run(ReconcileOptions(**options))  # type: ignore[arg-type]
    return report.exit_code, [f"{d.kind} {d.subject}" for d in report.differences]


def open_fulfillment_order(store: SimStore) -> tuple[str, str]:
    for order in store.orders.values():
        for fo in order.fulfillment_orders:
            if fo.status == "OPEN" and order.cancelled_at is None:
                return order.id, fo.id
    raise AssertionError("the shop has no open work")


async def test_a_clean_cache_is_clean_and_costs_a_few_requests(cache: Cache) -> None:
    store = small_store()
    client = await synced(store, cache)
    async with client:
        report = await Reconciler(client, cache, clock=clock).run(ReconcileOptions())
    assert (report.exit_code, report.differences) == (0, [])
    assert report.days_checked == 21 and report.points > 0
    with cache.sessions() as session:
        run = session.exec(select(ReconcileRun)).one()
    assert (run.days_checked, run.found, run.left, run.first_day) == (21, 0, 0, report.first_day.isoformat())


async def test_each_kind_of_drift_is_found_and_mended(any_cache: Cache) -> None:
    cache = any_cache  # SQLite and PostgreSQL
    store = small_store()
    client = await synced(store, cache)
    orders = list(store.orders.values())
    never_seen, noted = orders[5], orders[30]
    shipped_order, fo_id = open_fulfillment_order(store)
    async with client:
        with cache.sessions() as session:  # the cache never saw this order
            forget_orders(session, [never_seen.id])
            deleted = session.get_one(Order, orders[40].id).model_copy(update={"id": "gid://shopify/Order/1"})
            session.add(Order.model_validate(deleted.model_dump()))  # the store deleted this one
            session.commit()
        noted.note = "Leave at the back door"  # changed at the store without moving updatedAt
        store.keep(noted)
        await client.execute(  # a fulfilment made in Shopify's admin, not by the floor
            "fulfillment_create",
            {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}},
        )
        code, found = await reconcile(client, cache, deep=True)
        assert code == 1
        assert sorted(found) == sorted(
            [
                f"missing {never_seen.id}",
                "deleted gid://shopify/Order/1",
                f"changed {noted.id}",
                f"changed {shipped_order}",
            ]
        )
        assert_cache_matches(store, cache)
        assert await reconcile(client, cache, deep=True) == (0, [])


async def test_counts_alone_find_what_moved_and_leave_the_unmoved_note_to_deep(cache: Cache) -> None:
    store = small_store()
    client = await synced(store, cache)
    orders = list(store.orders.values())
    shipped_order, fo_id = open_fulfillment_order(store)
    async with client:
        with cache.sessions() as session:
            forget_orders(session, [orders[7].id])
            session.commit()
        orders[20].note = "gift wrap"
        store.keep(orders[20])
        await client.execute(
            "fulfillment_create",
            {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}},
        )
        code, found = await reconcile(client, cache)
        assert (code, sorted(found)) == (1, sorted([f"missing {orders[7].id}", f"changed {shipped_order}"]))
        with cache.sessions() as session:
            assert session.get_one(FulfillmentOrder, fo_id).status == "CLOSED"
            assert session.get_one(Order, orders[20].id).note != "gift wrap"
        assert await reconcile(client, cache, deep=True) == (1, [f"changed {orders[20].id}"])


async def test_a_dry_run_changes_nothing_and_says_differences_are_left(cache: Cache) -> None:
    store = small_store()
    client = await synced(store, cache)
    gone = list(store.orders)[12]
    async with client:
        with cache.sessions() as session:
            forget_orders(session, [gone])
            session.commit()
        code, found = await reconcile(client, cache, dry_run=True)
        assert (code, found) == (2, [f"missing {gone}"])
        with cache.sessions() as session:
            assert session.get(Order, gone) is None
            assert session.exec(select(FloorException)).all() == []
            run = session.exec(select(ReconcileRun)).one()
            assert (run.dry_run, run.found, run.repaired, run.left) == (True, 1, 0, 1)
        assert (await reconcile(client, cache))[0] == 1


async def test_a_delivered_fulfilment_the_store_does_not_show_is_left_as_an_exception(cache: Cache) -> None:
    store = small_store()
    client = await synced(store, cache)
    order_id, fo_id = open_fulfillment_order(store)
    async with client:
        with cache.sessions() as session:
            session.add(
                OutboxAction(
                    order_id=order_id,
                    kind=ActionKind.FULFILL,
                    payload={"fulfillmentOrderId": fo_id, "lines": []},
                    state=OutboxState.DONE,
                    station="pack-1",
                    created_at=NOW - timedelta(hours=2),
                    result={"fulfillment": {"id": "gid://shopify/Fulfillment/777"}},
                )
            )
            session.commit()
        code, found = await reconcile(client, cache)
        assert (code, found) == (2, [f"outbox {order_id}"])
        assert (await reconcile(client, cache))[0] == 2  # still there, not raised twice
        with cache.sessions() as session:
            raised = session.exec(select(FloorException)).all()
    assert [(e.kind, e.order_id) for e in raised] == [(ExceptionKind.RECONCILE_DIFFERENCE, order_id)]
    assert "no such fulfillment" in raised[0].message


async def test_since_checks_only_the_days_from_then(cache: Cache) -> None:
    store = small_store()
    client = await synced(store, cache)
    async with client:
        report = await Reconciler(client, cache, clock=clock).run(
            ReconcileOptions(since=(NOW - timedelta(days=3)).date())
        )
    assert (report.days_checked, report.exit_code) == (4, 0)


async def test_the_last_run_shows_on_the_boards_sync_panel(cache: Cache) -> None:
    from oms_tui.floor.queues.board import board_figures
    from oms_tui.screens.board_screen import _sync
    from oms_tui.sync_health import SyncHealth

    store = small_store()
    client = await synced(store, cache)
    async with client:
        with cache.sessions() as session:
            forget_orders(session, [list(store.orders)[9]])
            session.commit()
        await reconcile(client, cache, dry_run=True)  # a dry run repairs nothing: not the board's figure
        with cache.sessions() as session:
            assert board_figures(session, NOW, timedelta(hours=24)).reconciled is None
        await reconcile(client, cache)
        await reconcile(client, cache)
    with cache.sessions() as session:
        last = board_figures(session, NOW, timedelta(hours=24)).reconciled
    assert last is not None and (last.found, last.days_checked) == (0, 21)
    panel = _sync(SyncHealth("pack-1"), (), NOW + timedelta(hours=3), last).plain
    assert "reconciled 3h ago: 21 days, clean" in panel
    last.left, last.found = 2, 2
    assert (
        "reconciled 0s ago: 21 days, 2 differences left" in _sync(SyncHealth("pack-1"), (), NOW, last).plain
    )
