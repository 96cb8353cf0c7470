"""Sync benchmark: how close a paged sync gets to the store's rate limit, and what the cache costs.

The throttled figures are measured against the in-process simulator (`httpx.ASGITransport`, no
network); the ingest passes and the first syncs against the simulator in its own process, where, as
at Shopify, a bulk operation's work runs beside the sync instead of taking turns with it for one
interpreter lock.

`throttled_ratio`
    A full sync of N orders (and their fulfillment orders) against a simulator whose cost bucket is
    small and slow enough that the bucket-limited minimum is about a minute. The minimum comes from
    the cost the store actually charged, read from every response's `extensions.cost.actualQueryCost`
    by a transport wrapper: (actual cost - initial bucket) / restore rate. Wall time / minimum shows
    what pacing, page sizing and our own processing add to what the rate limit forces. THROTTLED
    responses are counted too (goal: none). The restore rate is derived from an unthrottled
    fetch-only pass over the same store, so the minimum lands near the target whatever the documents
    cost. (At Shopify's Standard rate of 100 points/s a sync this size takes far longer; only the
    ratio matters.)

`ingest_ratio`
    An unthrottled full sync of M orders into a fresh SQLite file, divided by a fetch-only pass over
    the same pages (the same client documents, page sizes, read-ahead and follow-up line-item reads;
    JSON parsed by the client; nothing validated or written): the streams both read (locations,
    orders, fulfillment orders). The difference is what validation, mapping and cache writes add
    beyond what the pipeline hides while the store works. The store runs in a process of its own,
    reached over loopback HTTP as a real store is reached: its work does not compete with the sync's
    for one interpreter lock, which never happens in production. Machines are noisy, so the baseline
    is measured in the same run, bracketing the sync: fetch-only, sync, fetch-only again (after an
    untimed pass that warms the store process up); the baseline is the mean of the two. The ratio
    over every stream (returns, inventory and inbound shipments too, which the fetch-only pass does
    not read) and CPU time ratios are printed too.

Fairness: the simulated store is materialized before any timing so no pass pays for generating
orders, and then frozen out of the garbage collector (`gc.freeze`, unless `--no-gc-freeze`): in
production the client does not share its heap with the store, and otherwise every full collection
the sync's allocations trigger would also walk the simulator's objects. From the ingest pass on, this
process's collector is set as a station's is once it has started (`oms_tui.collector.settle`: what
start-up made frozen, a larger young generation), for the fetch-only passes and the syncs alike.

Both passes above page their history (`bulk_above_orders=None`), and the ingest pass skips the first
sync's open-work step (`open_work_limit=0`), which its fetch-only baseline does not send. Both size
nested line-item lists from what earlier pages held, as the engine does. `bulk_seconds` is the same
first sync of M orders through bulk operations instead (`bulk_above_orders=0`), for the record.

`first_work_s`, `first_work_ratio`, `bulk_first_sync_s`
    A first sync as a station runs it (defaults: open work first, history in bulk above 250 orders),
    unthrottled, of a large store (100,000 orders) and of a small one (1,000). `first_work_s` is the
    time from its first request until the cache's work queue shows, row for row, the first screen
    (the first 50 rows of the ready-to-pick queue) that the store's data calls for; `first_work_ratio` is the
    large store's over the small one's (goal <= 1.5: the floor can start working whatever the store's
    size). `bulk_first_sync_s` is the whole first sync of the large store, beside a paged estimate
    (its orders at the ingest pass's paged orders per second) and beside `bulk_download_s`: the
    same store's bulk operations merely run, downloaded and parsed (JSONL to objects, nothing
    validated or written), one after the other as the store allows. `bulk_sync_ratio` is the one
    over the other: what the sync adds to what the store makes it wait for. Each store runs in a
    process of its own, where the simulator prepares an operation's file in the background as
    Shopify does, so the fulfillment orders' file is prepared while the orders' file is written.

The last line printed is one JSON object with every figure, for scripts.

Usage: .venv/bin/python bench/sync.py [--quick] [--throttled-orders N] [--ingest-orders M]
       [--target-minimum SECONDS] [--bucket POINTS] [--first-work-orders LARGE SMALL] [--no-gc-freeze]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.priority import order_priority
from oms_tui.cache.types import utcnow
from oms_tui.collector import settle as settle_collector
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import OPEN as OPEN_STATUSES
from oms_tui.floor.queues.stages import Stage
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.server import SimServer, free_port
from oms_tui.sim.store import SimStore
from oms_tui.store import bulk
from oms_tui.store.client import StoreClient
from oms_tui.store.page_size import NestedSize
from oms_tui.store.sync import (
    HISTORY_READ_AHEAD,
    OPEN_WORK_LIMIT,
    STREAMS,
    StreamCounts,
    SyncEngine,
    SyncSummary,
)
from oms_tui.store.sync import OPEN_WORK as OPEN_WORK_STEP

SHOP_URL = "https://sim.test"
SEED = 7
PACING_MARGIN = 5.0  # points the client waits for beyond a request's cost (its default, passed explicitly)
UNLIMITED = 1e9  # bucket size and restore rate (points, points/s) that never throttle or pace
PAGED_STREAMS = (  # (document, connection path); the sync's first three streams, in its order
    ("locations_page", ("locations",)),
    ("orders_page", ("orders",)),
    ("fulfillment_orders_page", ("fulfillmentOrders",)),
)
FETCH_STREAM_NAMES = {"locations": "locations", "orders": "orders", "fulfillmentOrders": "fulfillment_orders"}
GOALS: dict[str, float] = {
    "throttled_ratio": 1.15,
    "ingest_ratio": 1.2,
    "bulk_sync_ratio": 1.3,
    "throttled_responses": 0,
    "first_work_ratio": 1.5,
}
QUEUE_SCREEN = 50  # rows of the work queue's first screen


# --- measuring what crossed the transport ---------------------------------------------------------


@dataclass
class Meter:
    """Requests, THROTTLED answers, the cost the store charged, and where the time went.

    With costs read, it also bounds from below how long the store's bucket sat full (refill wasted):
    from each response's `throttleStatus`, the level when the next request left, had it not capped.
    """

    requests: int = 0
    first_sent: float | None = None  # perf_counter() when the first request left
    throttled: int = 0
    actual_cost: int = 0
    full_bucket_requests: int = 0  # requested cost + pacing margin >= bucket: needs it full
    capped_seconds: float = 0.0
    store_seconds: float = 0.0  # inside the transport: the simulator's work and its (de)serializing
    paced_seconds: float = 0.0  # the client's pacing sleeps
    _last_status: tuple[float, float, float, float] | None = None  # (returned at, available, rate, size)

    async def sleep(self, seconds: float) -> None:
        self.paced_seconds += seconds
        await asyncio.sleep(seconds)

    def record(self, body: bytes, sent: float, returned: float) -> None:
        self._note_cap(sent)
        try:
            payload = json.loads(body)
        except ValueError:
            return
        if not isinstance(payload, dict):
            return
        errors = payload.get("errors")
        if isinstance(errors, list) and any(_is_throttled(error) for error in errors):
            self.throttled += 1
        cost = (payload.get("extensions") or {}).get("cost") or {}
        self.actual_cost += int(cost.get("actualQueryCost") or 0)
        status = cost.get("throttleStatus")
        if isinstance(status, dict):
            size, rate = float(status["maximumAvailable"]), float(status["restoreRate"])
            self._last_status = (returned, float(status["currentlyAvailable"]), rate, size)
            if (cost.get("requestedQueryCost") or 0) + PACING_MARGIN >= size:
                self.full_bucket_requests += 1

    def _note_cap(self, sent: float) -> None:
        if self._last_status is None:
            return
        returned, available, rate, size = self._last_status
        overflow = available + rate * (sent - returned) - size
        if overflow > 0:
            self.capped_seconds += overflow / rate


def _is_throttled(error: Any) -> bool:
    return isinstance(error, dict) and (error.get("extensions") or {}).get("code") == "THROTTLED"


class MeteredTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: counts and times every request, and reads its cost when `read_costs`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, meter: Meter, *, read_costs: bool) -> None:
        self._inner, self._meter, self._read_costs = inner, meter, read_costs

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.perf_counter()
        if self._meter.first_sent is None:
            self._meter.first_sent = sent
        response = await self._inner.handle_async_request(request)
        self._meter.requests += 1
        self._meter.store_seconds += time.perf_counter() - sent
        if not self._read_costs:
            return response
        body = await response.aread()
        await response.aclose()
        self._meter.record(body, sent, time.perf_counter())
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, extensions=response.extensions
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def make_client(store: Starlette | str, meter: Meter, *, read_costs: bool) -> StoreClient:
    """A client of the simulator: in this process (its app), or in its own (its URL)."""
    inner: httpx.AsyncBaseTransport = (
        httpx.AsyncHTTPTransport() if isinstance(store, str) else httpx.ASGITransport(app=store)
    )
    return StoreClient(
        store if isinstance(store, str) else SHOP_URL,
        SecretStr(DEFAULT_TOKEN),
        transport=MeteredTransport(inner, meter, read_costs=read_costs),
        sleep=meter.sleep,
        pacing_margin=PACING_MARGIN,
    )


def unthrottled_app(store: SimStore) -> Starlette:
    return create_app(store, restore_rate=UNLIMITED, bucket=UNLIMITED)


# --- the passes -----------------------------------------------------------------------------------


@dataclass
class Pass:
    seconds: float
    cpu_seconds: float
    meter: Meter
    objects: int
    streams: dict[str, float] = field(default_factory=dict)  # seconds per stream, in the order run

    @property
    def client_seconds(self) -> float:
        """Wall time outside the store and outside pacing sleeps: the client's and the engine's work."""
        return self.seconds - self.meter.store_seconds - self.meter.paced_seconds


class StreamClock:
    """Seconds per stream: each stream ends at its last page (the last stream, at `stop`)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._ends: dict[str, float] = {}

    def mark(self, stream: str, *_: object) -> None:
        self._ends[stream] = time.perf_counter()

    def stop(self, streams: Sequence[str]) -> dict[str, float]:
        ends = {**self._ends, streams[-1]: time.perf_counter()}
        durations, previous = {}, self.started
        for stream in streams:
            end = ends.get(stream, previous)
            durations[stream], previous = end - previous, end
        return durations


@contextmanager
def temp_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="oms-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _serve_store(orders: int, port: int, first_screen_out: Any) -> None:
    """A store process: the simulator with every order materialized, unthrottled, until killed.
    Once it serves, it sends the queue's first screen its data calls for."""
    store = prepared_store(orders, freeze=True)
    SimServer(store, port=port, restore_rate=UNLIMITED, bucket=UNLIMITED).start()
    first_screen_out.send(expected_first_screen(store))
    threading.Event().wait()


@dataclass(frozen=True)
class StoreProcess:
    url: str
    first_screen: list[str]  # the ready-to-pick queue's first rows, as the store's data makes them


@contextmanager
def store_process(orders: int) -> Iterator[StoreProcess]:
    """The simulated store in a process of its own, reached over loopback HTTP as a real store is
    reached: its work does not compete with the sync's for this process's interpreter lock, and
    what the sync does while it waits for a page is what it does while a real store works."""
    spawn = multiprocessing.get_context("spawn")
    receive, send = spawn.Pipe(duplex=False)
    port = free_port("127.0.0.1")
    process = spawn.Process(target=_serve_store, args=(orders, port, send), daemon=True)
    process.start()
    try:
        if not receive.poll(timeout=600):
            raise RuntimeError("the store process did not start")
        yield StoreProcess(f"http://127.0.0.1:{port}", receive.recv())
    finally:
        process.kill()
        process.join()


def prepared_store(orders: int, freeze: bool) -> SimStore:
    """A store with every order materialized (fulfillment orders are inside), optionally GC-frozen."""
    store = SimStore(orders=orders, seed=SEED, kept_generated=orders)
    for _ in store.orders:
        pass
    if freeze:
        gc.collect()
        gc.freeze()
    return store


async def _follow_line_items(client: StoreClient, nodes: list[dict[str, Any]]) -> list[int]:
    """Read the rest of any long line-item list, as the engine does; returns every list's length."""
    lengths = []
    for node in nodes:
        line_items = node.get("lineItems") or {}
        length = len(line_items.get("nodes") or [])
        page_info = line_items.get("pageInfo") or {}
        if page_info.get("hasNextPage"):
            length += len(await client.fetch_remaining_line_items(node["id"], page_info["endCursor"] or ""))
        lengths.append(length)
    return lengths


async def fetch_only(app: Starlette | str, *, read_costs: bool = False) -> Pass:
    """Every page the engine reads (and the follow-up line-item reads), parsed, never written; nested
    lists sized from what earlier pages held, as the engine sizes them."""
    meter, objects = Meter(), 0
    async with make_client(app, meter, read_costs=read_costs) as client:
        cpu, clock = time.process_time(), StreamClock()
        for document, path in PAGED_STREAMS:
            nested = NestedSize()
            async for page in client.paginate(
                document, {}, connection_path=path, nested=nested, read_ahead=HISTORY_READ_AHEAD
            ):
                objects += len(page)
                nested.observe(await _follow_line_items(client, page))
            clock.mark(FETCH_STREAM_NAMES[path[0]])
        cpu = time.process_time() - cpu
        streams = clock.stop(list(FETCH_STREAM_NAMES.values()))
    return Pass(sum(streams.values()), cpu, meter, objects, streams)


async def full_sync(
    app: Starlette | str,
    database: Path,
    *,
    read_costs: bool,
    bulk_above_orders: int | None = None,
    open_work_limit: int = OPEN_WORK_LIMIT,
) -> tuple[Pass, SyncSummary]:
    """One `SyncEngine.run_once` into a fresh SQLite file (migrations run before the clock starts)."""
    meter = Meter()
    cache = open_cache(f"sqlite:///{database}")
    try:
        async with make_client(app, meter, read_costs=read_costs) as client:
            cpu, clock = time.process_time(), StreamClock()
            engine = SyncEngine(
                client,
                cache,
                bulk_above_orders=bulk_above_orders,
                open_work_limit=open_work_limit,
                on_progress=clock.mark,
            )
            summary = await engine.run_once()
            cpu = time.process_time() - cpu
            streams = clock.stop(["locations", OPEN_WORK_STEP, *STREAMS[1:]])
    finally:
        cache.close()
    objects = summary.total("created") + summary.total("updated") + summary.total("unchanged")
    return Pass(sum(streams.values()), cpu, meter, objects, streams), summary


# --- a first sync as a station runs it ------------------------------------------------------------


def expected_first_screen(store: SimStore) -> list[str]:
    """The queue's first screen (ready to pick) as the store's data makes it, in the queue's order."""
    work = [
        (order_priority(order.tags), order.created_at, order.id, fo.id)
        for order in store.orders.values()
        if order.cancelled_at is None
        for fo in order.fulfillment_orders
        if fo.status in OPEN_STATUSES
    ]
    return [fo_id for *_, fo_id in sorted(work)[:QUEUE_SCREEN]]


class FirstScreenWatch:
    """After each commit, until it matches: does the cache's queue show the expected first screen?"""

    def __init__(self, cache: Cache, expected: list[str]) -> None:
        self.cache, self.expected = cache, expected
        self.at: float | None = None
        self.checks = 0

    def __call__(self, _step: str, _counts: StreamCounts) -> None:
        if self.at is not None:
            return
        self.checks += 1
        with self.cache.sessions() as session:
            shown = [
                row.key
                for row in window(session, Stage.READY_TO_PICK, QueueFilter(), utcnow(), limit=QUEUE_SCREEN)
            ]
        if shown == self.expected:
            self.at = time.perf_counter()


@dataclass
class FirstSync:
    orders: int
    first_work_s: float
    seconds: float  # the whole first sync, from its first request
    meter: Meter
    summary: SyncSummary
    checks: int  # queue reads until the first screen matched (each after a commit)


async def measure_bulk_download(store: StoreProcess) -> float:
    """Only what a bulk first sync waits on the store for: each history stream's bulk operation run,
    polled as the engine polls it, and its file downloaded and parsed."""
    async with make_client(store.url, Meter(), read_costs=False) as client:
        started = time.perf_counter()
        for stream in ("orders", "fulfillment_orders"):
            operation_id, _ = await bulk.start(client, stream)
            operation = await bulk.wait(client, operation_id)
            await bulk.read_tree(client, operation["url"])
        return time.perf_counter() - started


async def measure_first_sync(orders: int, store: StoreProcess, work: Path) -> FirstSync:
    """A default first sync (open work first, history in bulk above the engine's threshold)."""
    meter = Meter()
    cache = open_cache(f"sqlite:///{work / f'first-{orders}.db'}")
    watch = FirstScreenWatch(cache, store.first_screen)
    try:
        async with make_client(store.url, meter, read_costs=False) as client:
            summary = await SyncEngine(client, cache, on_progress=watch).run_once()
            ended = time.perf_counter()
    finally:
        cache.close()
    started = meter.first_sent or ended
    first_work = (watch.at or float("nan")) - started
    print(
        f"  {orders:,} orders: first screen after {first_work:.2f} s, whole sync {ended - started:.2f} s,"
        f" {meter.requests} requests",
        flush=True,
    )
    return FirstSync(orders, first_work, ended - started, meter, summary, watch.checks)


# --- the two benchmarks ---------------------------------------------------------------------------


@dataclass
class Throttled:
    orders: int
    bucket: float
    restore_rate: float
    estimated_cost: int
    run: Pass
    summary: SyncSummary

    @property
    def minimum(self) -> float:
        return max(self.run.meter.actual_cost - self.bucket, 0.0) / self.restore_rate

    @property
    def ratio(self) -> float:
        return self.run.seconds / self.minimum if self.minimum > 0 else float("nan")


@dataclass
class Ingest:
    orders: int
    fetches: list[Pass]  # fetch-only passes run before and after the sync
    sync: Pass
    summary: SyncSummary
    bulk_seconds: float  # the same first sync through bulk operations

    @property
    def baseline_seconds(self) -> float:
        return fmean(p.seconds for p in self.fetches)

    @property
    def ratio(self) -> float:
        """The streams the fetch-only pass reads too (locations, orders, fulfillment orders)."""
        matched = sum(self.sync.streams.get(stream, 0.0) for stream in FETCH_STREAM_NAMES.values())
        return matched / self.baseline_seconds

    @property
    def cpu_ratio(self) -> float:
        return self.sync.cpu_seconds / fmean(p.cpu_seconds for p in self.fetches)

    @property
    def ratio_all_streams(self) -> float:
        """With the streams the fetch-only pass does not read: returns, inbound shipments, and
        inventory (whose queries come from the cache)."""
        return self.sync.seconds / self.baseline_seconds

    def stream_ratio(self, stream: str) -> float:
        baseline = fmean(p.streams.get(stream, 0.0) for p in self.fetches)
        return self.sync.streams.get(stream, 0.0) / baseline if baseline else float("nan")

    @property
    def orders_per_s(self) -> float:
        return self.orders / self.sync.seconds


async def measure_throttled(
    orders: int, target_minimum: float, bucket: float, work: Path, freeze: bool
) -> Throttled:
    store = prepared_store(orders, freeze)
    estimate = await fetch_only(unthrottled_app(store), read_costs=True)
    restore_rate = max(estimate.meter.actual_cost - bucket, 1.0) / target_minimum
    print(
        f"  estimate: a fetch-only pass costs {estimate.meter.actual_cost:,} points in"
        f" {estimate.meter.requests} requests -> restore rate {restore_rate:.1f} points/s,"
        f" bucket {bucket:,.0f}",
        flush=True,
    )
    app = create_app(store, restore_rate=restore_rate, bucket=bucket)
    run, summary = await full_sync(app, work / "throttled.db", read_costs=True)
    print(f"  sync: {run.seconds:.2f} s", flush=True)
    return Throttled(orders, bucket, restore_rate, estimate.meter.actual_cost, run, summary)


async def measure_ingest(orders: int, work: Path) -> Ingest:
    settle_collector()  # this process as a station's once it has started (oms_tui/collector.py)
    with store_process(orders) as store:
        await fetch_only(store.url)  # the store process warms up (imports, first answers), untimed
        first = await fetch_only(store.url)
        print(f"  fetch-only #1: {first.seconds:.2f} s", flush=True)
        sync, summary = await full_sync(store.url, work / "ingest.db", read_costs=False, open_work_limit=0)
        print(f"  sync:          {sync.seconds:.2f} s", flush=True)
        second = await fetch_only(store.url)
        print(f"  fetch-only #2: {second.seconds:.2f} s", flush=True)
        bulk, _ = await full_sync(
            store.url, work / "bulk.db", read_costs=False, bulk_above_orders=0, open_work_limit=0
        )
    print(f"  bulk sync:     {bulk.seconds:.2f} s", flush=True)
    return Ingest(orders, [first, second], sync, summary, bulk.seconds)


# --- reporting ------------------------------------------------------------------------------------


def describe(name: str, run: Pass) -> str:
    paced = f", {run.meter.paced_seconds:.2f} paced" if run.meter.paced_seconds else ""
    return (
        f"  {name:<14} {run.seconds:7.2f} s wall ({run.meter.store_seconds:.2f} in the store{paced},"
        f" {run.client_seconds:.2f} client), {run.cpu_seconds:6.2f} s cpu,"
        f" {run.meter.requests:4d} requests, {run.objects:6d} objects"
    )


def describe_streams(name: str, run: Pass) -> str:
    return f"  {name:<14} " + ", ".join(
        f"{stream} {seconds:.2f} s" for stream, seconds in run.streams.items()
    )


def describe_summary(summary: SyncSummary) -> str:
    parts = [
        f"{stream} {c.created}+{c.updated}+{c.unchanged}" + (f" ({len(c.errors)} errors)" if c.errors else "")
        for stream, c in summary.streams.items()
    ]
    return "  sync counts (created+updated+unchanged): " + ", ".join(parts)


def figure(name: str, value: float, goal: float, comparison: str = "<=") -> str:
    met = value <= goal if comparison == "<=" else value == goal
    shown = f"{value:5.2f}" if isinstance(value, float) else f"{value:5d}"
    return f"  {name:<20} {shown}  (goal {comparison} {goal:g})  {'ok' if met else 'MISSED'}"


def report_throttled(result: Throttled) -> None:
    meter = result.run.meter
    print(f"\nThrottled sync of {result.orders:,} orders (paged)")
    print(describe("sync", result.run))
    print(describe_streams("per stream", result.run))
    print(describe_summary(result.summary))
    print(
        f"  cost actually spent {meter.actual_cost:,} points (fetch-only estimate {result.estimated_cost:,});"
        f" bucket {result.bucket:,.0f}, restore {result.restore_rate:.1f}/s -> minimum {result.minimum:.1f} s"
    )
    print(
        f"  pacing: {meter.full_bucket_requests} of {meter.requests} requests needed the whole bucket"
        f" (requested cost + {PACING_MARGIN:g} margin >= bucket); the bucket sat full for"
        f" >= {meter.capped_seconds:.2f} s before requests (refill wasted; a lower bound)"
    )
    print(figure("throttled_ratio", result.ratio, GOALS["throttled_ratio"]))
    print(figure("throttled_responses", meter.throttled, GOALS["throttled_responses"], "=="))


def report_ingest(result: Ingest) -> None:
    print(f"\nUnthrottled ingest of {result.orders:,} orders into a fresh SQLite file")
    for index, run in enumerate(result.fetches, start=1):
        print(describe(f"fetch-only #{index}", run))
    print(describe("sync", result.sync))
    for index, run in enumerate(result.fetches, start=1):
        print(describe_streams(f"fetch-only #{index}", run))
    print(describe_streams("sync", result.sync))
    print(describe_summary(result.summary))
    extra = result.sync.meter.requests - result.fetches[0].meter.requests
    print(
        "  sync / fetch-only: "
        + ", ".join(
            f"{stream} {result.stream_ratio(stream):.2f}" for stream in ("orders", "fulfillment_orders")
        )
        + f"; every stream ({extra} requests the fetch-only pass does not send)"
        + f" {result.ratio_all_streams:.2f}; cpu time {result.cpu_ratio:.2f}"
    )
    print(figure("ingest_ratio", result.ratio, GOALS["ingest_ratio"]))
    print(f"  orders_per_s         {result.orders_per_s:5.1f}")
    print(f"  bulk_seconds         {result.bulk_seconds:5.1f}  (first sync through bulk operations)")


def report_first_syncs(large: FirstSync, small: FirstSync, ingest: Ingest, bulk_download: float) -> None:
    print("\nFirst sync (open work first; history in bulk above the engine's threshold), unthrottled")
    for run in (large, small):
        counts = ", ".join(
            f"{stream} {c.created + c.updated + c.unchanged}" for stream, c in run.summary.streams.items()
        )
        print(
            f"  {run.orders:>7,} orders: first screen {run.first_work_s:6.2f} s"
            f" (after {run.checks} commits), whole sync {run.seconds:7.2f} s,"
            f" {run.meter.requests} requests; objects read: {counts}"
        )
    print(figure("first_work_ratio", large.first_work_s / small.first_work_s, GOALS["first_work_ratio"]))
    print(
        f"  bulk_first_sync_s    {large.seconds:5.1f}  ({large.orders:,} orders; paged estimate"
        f" {paged_estimate(large, ingest):.0f} s at the ingest pass's {ingest.orders_per_s:.0f} orders/s)"
    )
    print(
        f"  bulk_download_s      {bulk_download:5.1f}  (the same bulk operations, downloaded and parsed only)"
    )
    print(figure("bulk_sync_ratio", large.seconds / bulk_download, GOALS["bulk_sync_ratio"]))


def paged_estimate(run: FirstSync, ingest: Ingest) -> float:
    return run.orders / ingest.orders_per_s


def summary_json(
    throttled: Throttled, ingest: Ingest, large: FirstSync, small: FirstSync, bulk_download: float
) -> dict[str, Any]:
    meter = throttled.run.meter
    return {
        "throttled_ratio": round(throttled.ratio, 3),
        "throttled_responses": meter.throttled,
        "throttled_orders": throttled.orders,
        "throttled_seconds": round(throttled.run.seconds, 2),
        "throttled_minimum_seconds": round(throttled.minimum, 2),
        "throttled_actual_cost": meter.actual_cost,
        "throttled_requests": meter.requests,
        "throttled_full_bucket_requests": meter.full_bucket_requests,
        "throttled_capped_seconds": round(meter.capped_seconds, 2),
        "restore_rate": round(throttled.restore_rate, 2),
        "bucket": throttled.bucket,
        "ingest_ratio": round(ingest.ratio, 3),
        "ingest_cpu_ratio": round(ingest.cpu_ratio, 3),
        "ingest_ratio_all_streams": round(ingest.ratio_all_streams, 3),
        "ingest_orders": ingest.orders,
        "ingest_sync_seconds": round(ingest.sync.seconds, 2),
        "ingest_fetch_seconds": [round(p.seconds, 2) for p in ingest.fetches],
        "ingest_sync_streams": {name: round(seconds, 2) for name, seconds in ingest.sync.streams.items()},
        "orders_per_s": round(ingest.orders_per_s, 1),
        "bulk_seconds": round(ingest.bulk_seconds, 2),
        "first_work_s": {str(run.orders): round(run.first_work_s, 2) for run in (large, small)},
        "first_work_ratio": round(large.first_work_s / small.first_work_s, 3),
        "first_work_requests": {str(run.orders): run.meter.requests for run in (large, small)},
        "bulk_first_sync_s": round(large.seconds, 2),
        "bulk_first_sync_orders": large.orders,
        "bulk_download_s": round(bulk_download, 2),
        "bulk_sync_ratio": round(large.seconds / bulk_download, 3),
        "paged_first_sync_estimate_s": round(paged_estimate(large, ingest), 1),
        "goals": GOALS,
    }


# --- entry point ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke sizes: 300 / 1,000 orders, ~10 s minimum")
    parser.add_argument("--throttled-orders", type=int, help="orders in the throttled sync (default 2,000)")
    parser.add_argument("--ingest-orders", type=int, help="orders in the ingest passes (default 10,000)")
    parser.add_argument(
        "--target-minimum", type=float, help="bucket-limited minimum to aim for, s (default 60)"
    )
    parser.add_argument("--bucket", type=float, default=1000.0, help="simulated bucket size, points")
    parser.add_argument(
        "--first-work-orders",
        type=int,
        nargs=2,
        metavar=("LARGE", "SMALL"),
        help="store sizes of the first-sync runs (default 100,000 and 1,000)",
    )
    parser.add_argument(
        "--no-gc-freeze", dest="freeze", action="store_false", help="leave the simulator's heap to the GC"
    )
    args = parser.parse_args(argv)
    args.throttled_orders = args.throttled_orders or (300 if args.quick else 2000)
    args.ingest_orders = args.ingest_orders or (1000 if args.quick else 10_000)
    args.target_minimum = args.target_minimum or (10.0 if args.quick else 60.0)
    args.first_work_orders = args.first_work_orders or ((10_000, 1000) if args.quick else (100_000, 1000))
    return args


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with temp_dir() as work:
        print(f"Throttled sync: {args.throttled_orders:,} orders, target minimum {args.target_minimum:g} s")
        throttled = await measure_throttled(
            args.throttled_orders, args.target_minimum, args.bucket, work, args.freeze
        )
        gc.unfreeze()  # the throttled run's store is garbage now
        gc.collect()
        print(f"Ingest: {args.ingest_orders:,} orders")
        ingest = await measure_ingest(args.ingest_orders, work)
        print("First syncs: {:,} and {:,} orders".format(*args.first_work_orders))
        large_orders, small_orders = args.first_work_orders
        with store_process(large_orders) as store:
            large = await measure_first_sync(large_orders, store, work)
            bulk_download = await measure_bulk_download(store)
        print(f"  bulk operations run, downloaded and parsed: {bulk_download:.2f} s", flush=True)
        with store_process(small_orders) as store:
            small = await measure_first_sync(small_orders, store, work)
    report_throttled(throttled)
    report_ingest(ingest)
    report_first_syncs(large, small, ingest, bulk_download)
    return summary_json(throttled, ingest, large, small, bulk_download)


def main(argv: list[str] | None = None) -> int:
    result = asyncio.run(run(parse_args(argv)))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
