"""A first sync: the open work first, the history by pages or in bulk as the store's size says, and
bulk operations that end without a result falling back instead of stopping the sync for good."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import FloorException, FulfillmentOrder, SyncState
from oms_tui.cache.priority import order_priority
from oms_tui.cache.types import utcnow
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import OPEN_WORK, StreamCounts, SyncEngine
from tests.store.simulated import Tap, assert_cache_matches, no_sleep, simulated_client


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


class Killed(Exception):
    """Stands for the process dying at this point: nothing after it runs."""


def operation_of(request: httpx.Request) -> str:
    """The GraphQL operation a request sends (`OrdersPage`, `BulkRun`, ...), or the path of a GET."""
    if request.method != "POST":
        return request.url.path
    words = json.loads(request.content)["query"].split()
    return words[1].split("(")[0]


def record_operations(tap: Tap) -> list[str]:
    sent: list[str] = []
    tap.before = lambda count, request: sent.append(operation_of(request))
    return sent


def expected_first_screen(store: SimStore, rows: int = 50) -> list[str]:
    """The queue's first screen (ready to pick) as the store's data makes it, in the queue's order."""
    work = [
        (order_priority(order.tags), order.created_at, order.id, fo.id)
        for order in store.orders.values()
        if order.cancelled_at is None
        for fo in order.fulfillment_orders
        if fo.status in ("OPEN", "IN_PROGRESS")
    ]
    return [fo_id for *_, fo_id in sorted(work)[:rows]]


def first_screen(cache: Cache) -> list[str]:
    with cache.sessions() as session:
        return [row.key for row in window(session, Stage.READY_TO_PICK, QueueFilter(), utcnow(), limit=50)]


# --- the open work first --------------------------------------------------------------------------


@pytest.mark.parametrize("bulk_above_orders", [None, 100], ids=["paged-history", "bulk-history"])
async def test_a_first_sync_fills_the_queue_before_reading_the_history(
    cache: Cache, bulk_above_orders: int | None
) -> None:
    store = SimStore(orders=300, seed=31)
    client, _, _ = simulated_client(store)
    screens: dict[str, list[list[str]]] = {}  # what the queue showed after each commit of each step

    def progress(step: str, _counts: StreamCounts) -> None:
        screens.setdefault(step, []).append(first_screen(cache))

    engine = SyncEngine(
        client, cache, bulk_above_orders=bulk_above_orders, on_progress=progress, sleep=no_sleep
    )
    async with client:
        summary = await engine.run_once()
    assert list(screens) == [
        "locations",
        OPEN_WORK,
        "orders",
        "fulfillment_orders",
        "returns",
        "inventory",
        "inbound",
    ]
    assert summary.streams["orders"].created == 300  # open work counts with the streams it belongs to
    # Each page of open work commits its orders, then its fulfillment orders: the queue shows them.
    assert [len(screen) > 0 for screen in screens[OPEN_WORK][:2]] == [False, True]
    assert screens["orders"][0] == expected_first_screen(store), "the history starts after the open work"
    assert_cache_matches(store, cache)


async def test_the_open_work_is_read_once(cache: Cache) -> None:
    store = SimStore(orders=60, seed=32)
    client, tap, _ = simulated_client(store)
    sent = record_operations(tap)
    async with client:
        await SyncEngine(client, cache).run_once()
        assert "OpenFulfillmentOrders" in sent
        sent.clear()
        store.live_step(5)
        again = await SyncEngine(client, cache).run_once()
    assert "OpenFulfillmentOrders" not in sent and again.total("created") + again.total("updated") > 0
    assert_cache_matches(store, cache)


# --- the history: pages or bulk, decided from the order count -------------------------------------


async def test_a_large_store_goes_bulk_without_walking_pages_first(cache: Cache) -> None:
    store = SimStore(orders=300, seed=33)
    client, tap, _ = simulated_client(store)
    sent = record_operations(tap)
    async with client:
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
        first = Counter(sent)
        assert_cache_matches(store, cache)
        sent.clear()
        store.live_step(10)
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
    assert (first["OrdersCount"], first["BulkRun"]) == (1, 2)  # counted once; orders and fulfillment orders
    assert (first["OrdersPage"], first["FulfillmentOrdersPage"]) == (0, 0), "no ordinary history pages"
    again = Counter(sent)
    assert (again["OrdersCount"], again["BulkRun"]) == (0, 0)  # later syncs page from the watermark
    assert again["OrdersPage"] >= 1 and again["FulfillmentOrdersPage"] >= 1
    assert_cache_matches(store, cache)


async def test_an_order_changed_while_the_bulk_operation_runs_is_kept_as_its_later_copy(cache: Cache) -> None:
    """The store reads no snapshot: an order changed after its page was read is listed again, with
    its lines, further on. The cache keeps the later copy, each line once."""
    store = SimStore(orders=600, seed=39)
    client, tap, app = simulated_client(store)
    sent = record_operations(tap)
    read_page, changed = app.state.bulk.execute, []

    def change_an_order_already_read(document: Any, variables: dict[str, Any]) -> dict[str, Any]:
        if variables.get("after") and not changed:
            with store.lock:
                order = min(store.orders.values(), key=lambda o: (o.updated_at, o.id))  # on the first page
                order.note = "changed while the operation ran"
                store.touch(order)
                changed.append(order.id)
        return read_page(document, variables)

    app.state.bulk.execute = change_an_order_already_read
    async with client:
        await SyncEngine(client, cache, bulk_above_orders=100, open_work_limit=0, sleep=no_sleep).run_once()
    orders_file = next(operation for operation in sent if operation.startswith("/bulk/"))
    text = app.state.bulk.results[orders_file.removeprefix("/bulk/").removesuffix(".jsonl")]
    assert text.count(f'"id": "{changed[0]}"') == 2
    assert_cache_matches(store, cache)


async def test_a_small_store_is_paged(cache: Cache) -> None:
    store = SimStore(orders=80, seed=34)
    client, tap, _ = simulated_client(store)
    sent = record_operations(tap)
    async with client:
        await SyncEngine(client, cache, bulk_above_orders=100).run_once()
    assert Counter(sent)["OrdersCount"] == 1 and Counter(sent)["BulkRun"] == 0
    assert_cache_matches(store, cache)


@pytest.mark.parametrize(
    "answer",
    [
        {"errors": [{"message": "Field 'ordersCount' doesn't exist on type 'QueryRoot'"}]},
        {"data": {"ordersCount": {"count": None}}},
        {"errors": [{"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]},  # every retry
    ],
    ids=["rejected", "malformed", "failing"],
)
async def test_a_store_whose_order_count_cannot_be_read_is_paged(cache: Cache, answer: dict) -> None:
    store = SimStore(orders=80, seed=35)
    client, tap, _ = simulated_client(store)
    sent = record_operations(tap)
    tap.rewrite = lambda body: json.dumps(answer).encode() if sent[-1] == "OrdersCount" else body
    async with client:
        summary = await SyncEngine(client, cache, bulk_above_orders=10, sleep=no_sleep).run_once()
    assert Counter(sent)["OrdersCount"] >= 1 and Counter(sent)["BulkRun"] == 0
    assert summary.streams["orders"].created == 80 and not summary.errors
    assert_cache_matches(store, cache)


async def test_page_sizes_follow_what_the_pages_held(cache: Cache) -> None:
    """Requested cost assumes 10 lines per order; sizing from the lines orders really have sends fewer
    requests (pages plus follow-ups for longer orders) than that rule does."""
    store = SimStore(orders=400, seed=35)
    client, tap, _ = simulated_client(store)
    sent: list[str] = []
    sizes: list[tuple[int, int]] = []  # (first, lineItemsFirst) of each page of orders

    def record(count: int, request: httpx.Request) -> None:
        sent.append(operation_of(request))
        if sent[-1] == "OrdersPage":
            variables = json.loads(request.content)["variables"]
            sizes.append((variables["first"], variables.get("lineItemsFirst", 10)))

    tap.before = record
    async with client:
        await SyncEngine(client, cache, bulk_above_orders=None, open_work_limit=0).run_once()
    assert_cache_matches(store, cache)
    # the cost rule alone: 2 + 16 x 60 <= 1,000 (each of 10 lines reads its variant and its bundle)
    assert sizes[0] == (16, 10)
    assert {size for size in sizes[1:]} != {(16, 10)}, "later pages are sized from what earlier ones held"
    longer = sum(1 for order in store.orders.values() if len(order.line_items) > 10)
    by_the_rule = -(-len(store.orders) // 16) + longer  # pages of 16, a follow-up per longer order
    assert Counter(sent)["OrdersPage"] + Counter(sent)["OrderLineItems"] < by_the_rule


# --- bulk operations that end without a result ----------------------------------------------------


@pytest.mark.parametrize("ending", ["FAILED", "EXPIRED", "CANCELED"])
async def test_a_bulk_operation_that_ends_without_a_result_falls_back_to_paging(
    cache: Cache, ending: str
) -> None:
    store = SimStore(orders=150, seed=36)
    client, tap, app = simulated_client(store)
    app.state.bulk.end_next(ending, "INTERNAL_SERVER_ERROR" if ending == "FAILED" else None)
    polled: list[tuple[str, str]] = []  # (operation id, status) as each poll saw it

    def seen(body: bytes) -> bytes:
        try:
            operation = (json.loads(body).get("data") or {}).get("bulkOperation")
        except ValueError:  # a JSONL result file
            return body
        if isinstance(operation, dict):
            polled.append((operation["id"], operation["status"]))
        return body

    tap.rewrite = seen
    sent = record_operations(tap)
    async with client:
        first = await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
        assert_cache_matches(store, cache)
        sent.clear()
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
    assert not first.errors
    failed_id = polled[0][0]
    statuses = [status for ident, status in polled if ident == failed_id]
    assert statuses[-1] == ending and polled[-1][1] == "COMPLETED"  # the fulfillment orders' completed
    if ending == "CANCELED":
        assert statuses[-2] == "CANCELING", "CANCELING is waited through"
    assert "BulkStatus" not in sent, "a later pass polls no finished operation"
    with cache.sessions() as session:
        (problem,) = session.exec(select(FloorException)).all()
        state = session.get_one(SyncState, "orders")
    assert (problem.kind, problem.subject) == ("sync_failed", failed_id)
    assert ending.lower() in problem.message and "page by page" in problem.message
    assert state.cursor is None and state.watermark is not None


async def test_the_partial_data_of_a_failed_operation_is_read_and_completed(cache: Cache) -> None:
    store = SimStore(orders=150, seed=37)
    client, tap, app = simulated_client(store)
    app.state.bulk.end_next("FAILED", "TIMEOUT", partial=0.5)  # the file stops in the middle of an order
    sent = record_operations(tap)
    written: list[int] = []
    engine = SyncEngine(
        client, cache, bulk_above_orders=100, open_work_limit=0, sleep=no_sleep,
        on_progress=lambda step, counts: written.append(counts.created) if step == "orders" else None,
    )  # fmt: skip
    async with client:
        await engine.run_once()
    partial = sent.index("/bulk/9000000000001-partial.jsonl")
    assert written[0] > 0 and sent.index("OrdersPage") > partial, "partial data is written before paging"
    assert_cache_matches(store, cache)  # objects cut short in the file were completed by the pages


# --- killed anywhere in a first sync --------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "bulk_above_orders", "ending"),
    [(1, None, None), (2, None, None), (3, 100, None), (4, 100, None), (5, 100, "FAILED")],
)
async def test_a_first_sync_killed_anywhere_resumes_to_the_store(
    any_cache: Cache, seed: int, bulk_above_orders: int | None, ending: str | None
) -> None:
    cache = any_cache
    store = SimStore(orders=200, seed=seed)
    client, tap, app = simulated_client(store)
    if ending:
        app.state.bulk.end_next(ending, partial=0.4)
    kill_at = random.Random(seed).randint(3, 30)

    def die(count: int, _request: httpx.Request) -> None:
        if count == kill_at:
            raise Killed

    tap.before = die

    def engine() -> SyncEngine:
        return SyncEngine(
            client, cache, bulk_above_orders=bulk_above_orders, open_work_limit=60, sleep=no_sleep
        )

    async with client:
        with pytest.raises(Killed):
            await engine().run_once()
        tap.before = lambda count, request: None
        store.live_step(5)
        await engine().run_once()  # a new process would do exactly this
        # A bulk operation the store ran before those changes left them to the pass after.
        await engine().run_once()
    assert_cache_matches(store, cache)


async def test_a_bulk_file_is_read_again_when_its_last_batch_is_never_written(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history counts as read only once the file's last batch is in the cache: a process that
    dies writing it leaves the operation to the next pass, which writes the file again."""
    store = SimStore(orders=300, seed=41)  # one batch: the last
    client, _, _ = simulated_client(store)
    write = SyncEngine._write_nodes

    def dies_writing_orders(engine: SyncEngine, stream: Any, *args: Any) -> None:
        if stream.name == "orders":
            raise Killed
        write(engine, stream, *args)

    def engine() -> SyncEngine:
        return SyncEngine(client, cache, bulk_above_orders=100, open_work_limit=0, sleep=no_sleep)

    monkeypatch.setattr(SyncEngine, "_write_nodes", dies_writing_orders)
    async with client:
        with pytest.raises(Killed):
            await engine().run_once()
        with cache.sessions() as session:
            orders = session.get_one(SyncState, "orders")
        assert orders.cursor and orders.watermark is None  # the operation is kept, nothing marked read
        monkeypatch.undo()
        await engine().run_once()
    assert_cache_matches(store, cache)


async def test_the_open_work_is_read_oldest_first_page_after_page_up_to_its_limit(cache: Cache) -> None:
    """With more open work than `open_work_limit`, several pages are read, each going on where the last
    stopped, in creation order: what the first sync shows before the history is the oldest work."""
    store = SimStore(orders=300, seed=31)
    client, tap, _ = simulated_client(store)
    sent = record_operations(tap)
    oldest_first = [
        fo.id
        for fo in sorted(store.fulfillment_orders.values(), key=lambda fo: int(fo.id.rsplit("/", 1)[1]))
        if fo.status not in ("CLOSED", "CANCELLED", "INCOMPLETE")
    ]
    limit = 50
    assert len(oldest_first) > 2 * limit
    read: list[int] = []  # how many of the oldest open work the cache held at each commit

    def progress(step: str, _counts: StreamCounts) -> None:
        if step == OPEN_WORK:
            with cache.reads() as session:
                cached = set(session.exec(select(FulfillmentOrder.id)))
            assert cached == set(oldest_first[: len(cached)]), "open work read out of creation order"
            read.append(len(cached))

    async with client:
        await SyncEngine(
            client, cache, open_work_limit=limit, on_progress=progress, sleep=no_sleep
        ).run_once()
    assert Counter(sent)["OpenFulfillmentOrders"] > 1  # more than one page
    assert read == sorted(read) and limit <= read[-1] < len(oldest_first)
    assert_cache_matches(store, cache)


async def test_the_store_prepares_the_fulfillment_orders_file_while_the_orders_file_is_written(
    cache: Cache,
) -> None:
    """One bulk operation runs at a time: the next starts as soon as the orders' has completed, and a
    real store builds its file while this one is downloaded and written."""
    store = SimStore(orders=300, seed=36)
    client, tap, _ = simulated_client(store)
    sent = record_operations(tap)
    async with client:
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
    files = [n for n, operation in enumerate(sent) if operation.startswith("/bulk/")]
    runs = [n for n, operation in enumerate(sent) if operation == "BulkRun"]
    assert len(files) == len(runs) == 2
    assert runs[1] < files[0], sent
    assert_cache_matches(store, cache)


async def test_a_sync_killed_while_the_orders_file_is_read_polls_the_fulfillment_orders_operation_it_started(
    cache: Cache,
) -> None:
    """The fulfillment orders' operation, started before the process died, is the one polled after:
    the store is not asked for another (it would refuse it while that one runs)."""
    store = SimStore(orders=300, seed=37)
    client, tap, _ = simulated_client(store)
    sent: list[str] = []

    def die_at_the_first_download(_count: int, request: httpx.Request) -> None:
        sent.append(operation_of(request))
        if sent[-1].startswith("/bulk/") and sum(s.startswith("/bulk/") for s in sent) == 1:
            raise Killed

    tap.before = die_at_the_first_download
    async with client:
        with pytest.raises(Killed):
            await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
        assert sent.count("BulkRun") == 2  # the orders' and, already, the fulfillment orders'
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
    assert sent.count("BulkRun") == 2, sent
    assert_cache_matches(store, cache)


ALREADY_RUNNING = json.dumps(
    {
        "data": {
            "bulkOperationRunQuery": {
                "bulkOperation": None,
                "userErrors": [
                    {
                        "field": None,
                        "message": "A bulk query operation for this app and shop is already in progress.",
                        "code": "OPERATION_IN_PROGRESS",
                    }
                ],
            }
        }
    }
).encode()


async def test_a_fulfillment_orders_operation_the_store_will_not_start_early_is_asked_for_at_its_turn(
    cache: Cache, caplog: pytest.LogCaptureFixture
) -> None:
    """Another app's operation still runs: the early start says the stream will ask again, and its
    turn, refused too, reads page by page."""
    store = SimStore(orders=300, seed=38)
    client, tap, _ = simulated_client(store)
    starts = 0

    def refuse_the_second_start(body: bytes) -> bytes:
        nonlocal starts
        if b'"bulkOperationRunQuery"' not in body:
            return body
        starts += 1  # the store did start them: operations nobody here polls
        return ALREADY_RUNNING if starts >= 2 else body

    tap.rewrite = refuse_the_second_start
    async with client:
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
    said = [m.rsplit("; ", 1)[1] for m in caplog.messages if "no bulk operation" in m]
    assert said == ["asking again at its turn", "reading page by page"]
    assert starts == 3
    assert_cache_matches(store, cache)
