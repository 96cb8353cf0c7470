"""The floor under load: station processes (the real app, headless, worked by scripted scanners) on one
PostgreSQL cache, syncing with a live simulated store that fails now and then.

    python -m bench.floor_load --stations 16 --seconds 600

Each station first works alone (the others idle), then all work at once: its scan-to-screen p95
under load over the same alone is its `load_ratio` (goal <= 1.5). The manager's board says how long
after a change elsewhere it shows it (`board_p95_s`, goal <= 1 s). Afterwards the outbox is pushed
to the end and the cache and the store are compared: orders worked by two people, shipments sent
twice or never, units picked beyond what was asked (all must be 0). The database comes from
OMS_BENCH_POSTGRES_URL (the local server by default); a database of its own is made and dropped.
The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import col, select, update

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.engine import make_engine
from oms_tui.cache.models import (
    BinLocation,
    FloorException,
    FulfillmentOrder,
    LineItem,
    Order,
    OutboxAction,
    PackSession,
    PickList,
    PickListLine,
    Role,
    Staff,
)
from oms_tui.floor.queues.stages import OPEN_EXCEPTION
from oms_tui.sim.faults import PROFILES
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine

REPO = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
HOLD = """mutation Hold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) { userErrors { message } }
}"""


def roles(stations: int) -> list[str]:
    """A receiving station (it syncs), a manager's board, and pickers and packers in turn."""
    return [
        "receiving",
        "board",
        *("picker" if n % 2 == 0 else "packer" for n in range(max(2, stations - 2))),
    ]


@contextmanager
def database(base: str, keep: bool = False) -> Iterator[str]:
    """A database of the run's own, dropped after it unless `keep` (to look into a broken invariant)."""
    name = f"floor_load_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"the run's database is kept: {name}", file=sys.stderr)
        else:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


def prepare(cache: Cache, codes: dict[str, str]) -> None:
    """Staff for each station and a bin for every SKU in every location."""
    role_of = {"picker": Role.PICKER, "packer": Role.PACKER, "receiving": Role.SUPPORT, "board": Role.MANAGER}
    with cache.sessions() as session:
        for code, role in codes.items():
            session.add(Staff(code=code, name=f"{role.title()} {code}", role=role_of[role]))
        skus = sorted({sku for sku in session.exec(select(LineItem.sku)) if sku})
        locations = sorted({loc for loc in session.exec(select(FulfillmentOrder.location_id)) if loc})
        for n, sku in enumerate(skus):
            for location in locations:
                session.add(
                    BinLocation(
                        location_id=location, sku=sku, code=f"{'ABC'[n % 3]}-{n // 3 + 1}-{n % 4 + 1}"
                    )
                )
        session.commit()


class Trading(threading.Thread):
    """The shop keeps trading: new orders, edits, cancellations (the simulator's live events) and
    holds placed by another app of the shop."""

    def __init__(self, shop: SimServer, speed: float) -> None:
        super().__init__(daemon=True, name="trading")
        self.shop, self.every, self.stopping = shop, 5.0 / speed, threading.Event()
        self.events: Counter[str] = Counter()

    def run(self) -> None:
        rng = random.Random(3)
        headers = {"X-Shopify-Access-Token": self.shop.token}
        with httpx.Client(headers=headers, timeout=10) as client:
            while not self.stopping.wait(self.every):
                for event in self.shop.store.live_step(1):
                    self.events[event.split(":")[0]] += 1
                if rng.random() < 0.2:
                    self.hold(client, rng)

    def hold(self, client: httpx.Client, rng: random.Random) -> None:
        store = self.shop.store
        with store.lock:  # the store's own threads change it meanwhile
            order = store.order_at(rng.randrange(max(0, store.order_count - 300), store.order_count))
            fo = next((fo for fo in order.fulfillment_orders if fo.status == "OPEN" and not fo.holds), None)
        if fo is None:
            return
        hold = {"reason": "OTHER", "reasonNotes": "checking the address"}
        try:
            client.post(self.shop.graphql_url, json={"query": HOLD, "variables": {"id": fo.id, "hold": hold}})
            self.events["hold"] += 1
        except httpx.HTTPError:
            self.events["hold_failed"] += 1  # the store failed now and then: so be it


class StationProcess:
    def __init__(self, role: str, code: str, env: dict[str, str], speed: float) -> None:
        self.role, self.code = role, code
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.floor_station", role, code, str(speed)],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def cpu_s(self) -> float | None:
        """CPU seconds this station has used so far (Linux's /proc; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"station {self.code} ({self.role}) ended: exit {self.process.wait()}")
        return dict(json.loads(line))


def _share(before: float | None, after: float | None, seconds: float) -> float | None:
    return None if before is None or after is None else (after - before) / seconds


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # progress; stdout has the figures


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def connections(cache: Cache) -> int:
    with cache.engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            ).scalar()
            or 0
        )


def size_and_orders(cache: Cache) -> tuple[int, int]:
    with cache.engine.connect() as connection:
        size = connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    with cache.reads() as session:
        orders = session.exec(select(func.count()).select_from(Order)).one()
    return int(size or 0), int(orders)


async def push_to_the_end(shop: SimServer, cache: Cache) -> None:
    """The store stops failing; everything waiting is pushed, each action's backoff skipped."""
    shop.app.state.faults.profile = PROFILES["none"]
    async with StoreClient(shop.url, SecretStr(shop.token)) as client:
        pusher = OutboxPusher(client, cache)
        for _ in range(60):
            with cache.sessions() as session:
                session.exec(update(OutboxAction).values(next_attempt_at=None))  # type: ignore[call-overload]
                session.commit()
            if (await pusher.push_ready()).waiting == 0:
                return
            await asyncio.sleep(0.5)


def at_once(spans: Sequence[tuple[str, datetime, datetime | None]]) -> int:
    """Fulfillment orders with two of these (id, start, end: None while open) overlapping in time."""
    by_id: dict[str, list[tuple[datetime, datetime]]] = {}
    for ident, start, end in spans:
        by_id.setdefault(ident, []).append((start, end or datetime.max.replace(tzinfo=UTC)))
    overlapping = 0
    for ranges in by_id.values():
        ranges.sort()
        overlapping += any(later[0] < earlier[1] for earlier, later in pairwise(ranges))
    return overlapping


def invariants(shop: SimServer, cache: Cache) -> dict[str, int]:
    with cache.reads() as session:
        # A fulfillment order is worked by two people at once when two of its pick lists, or two of
        # its packs, were open at the same time (a partial shipment's rest is picked and packed again).
        picks = session.exec(
            select(PickListLine.fulfillment_order_id, PickList.created_at, PickList.completed_at)
            .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
            .where(col(PickListLine.withdrawn).is_(None))
            .distinct()
        ).all()
        packs = session.exec(
            select(PackSession.fulfillment_order_id, PackSession.started_at, PackSession.finished_at).where(
                col(PackSession.state) == "confirmed"
            )
        ).all()
        shipped = set(
            session.exec(
                select(PackSession.tracking_number).where(
                    col(PackSession.state) == "confirmed", col(PackSession.tracking_number).is_not(None)
                )
            ).all()
        )
        overpicked = session.exec(
            select(
                func.coalesce(func.sum(PickListLine.picked - PickListLine.needed - PickListLine.short), 0)
            ).where(PickListLine.picked > PickListLine.needed)
        ).one()
        refused = set(
            session.exec(select(OutboxAction.id).where(col(OutboxAction.state).not_in(("done",)))).all()
        )
        # A shipment the store refused (its order held or cancelled meanwhile) is not lost when a
        # person has it in front of them: an open exception about its outbox action.
        flagged = {
            int(subject.removeprefix("outbox:"))
            for subject in session.exec(
                select(FloorException.subject)
                .where(col(FloorException.state).in_(OPEN_EXCEPTION))
                .where(col(FloorException.subject).like("outbox:%"))
            )
            if subject
        }
        rejected = {
            action.payload["tracking"]["number"]
            for action in session.exec(
                select(OutboxAction).where(
                    OutboxAction.kind == "fulfill", col(OutboxAction.id).in_(refused & flagged)
                )
            )
            if action.payload.get("tracking")
        }
    delivered = Counter(
        info.number
        for order in shop.store.orders.values()
        for fulfillment in order.fulfillments
        for info in fulfillment.tracking_info
        if info.number and info.number.startswith("GM")
    )
    return {
        "double_claims": at_once(picks) + at_once(packs),
        "double_shipments": sum(1 for n in delivered.values() if n > 1),
        "lost_shipments": len({number for number in shipped - rejected if number not in delivered}),
        "rejected_shipments": len(rejected),  # refused by the store, each in front of a person
        "overpicked_units": int(overpicked or 0),
        "shipments": len(shipped),
        "outbox_not_done": len(refused),  # rejected by the store (an order cancelled meanwhile)
    }


def run(
    stations: int, seconds: float, alone: float, speed: float, orders: int, base: str, keep: bool = False
) -> dict[str, Any]:
    layout = roles(stations)
    codes = {f"S{n:02d}": role for n, role in enumerate(layout)}
    with (
        database(base, keep) as url,
        run_in_thread(SimStore(orders=orders, seed=12), plan="plus", faults="mild") as shop,
    ):
        cache = open_cache(url)
        size_empty, _ = size_and_orders(cache)
        asyncio.run(first_sync(shop, cache))
        size_synced, orders_synced = size_and_orders(cache)
        prepare(cache, codes)
        config = Path(tempfile.mkdtemp(prefix="floor-load-")) / "config.toml"
        config.touch()
        env = {**os.environ, "PYTHONPATH": str(REPO), "OMS_CONFIG_FILE": str(config)}
        env |= {"OMS_SHOP_URL": shop.url, "OMS_SHOPIFY_TOKEN": shop.token, "OMS_DATABASE_URL": url}
        env |= {"OMS_SCAN_GAP_MS": "0"}
        started = time.perf_counter()
        station_processes = [
            StationProcess(role, code, {**env, "OMS_STATION": f"{role}-{code}"}, speed)
            for code, role in codes.items()
        ]
        trading = Trading(shop, speed)
        try:
            for station in station_processes:
                assert station.answer().get("ready")
            startup_s = time.perf_counter() - started
            say(f"{stations} stations up in {startup_s:.1f} s")
            trading.start()
            idle_connections = connections(cache)
            alone_p95: dict[str, float] = {}
            alone_reports: dict[str, dict[str, Any]] = {}
            idle_cpu: dict[str, list[float]] = {}  # by role: CPU share of a station while another works
            for station in station_processes:
                if station.role != "board":
                    others = [other for other in station_processes if other is not station]
                    cpu_before, began = [other.cpu_s() for other in others], time.monotonic()
                    station.send({"work": alone, "phase": "alone"})
                    alone_reports[station.code] = station.answer()
                    took = time.monotonic() - began
                    for other, before in zip(others, cpu_before, strict=True):
                        if (share := _share(before, other.cpu_s(), took)) is not None:
                            idle_cpu.setdefault(other.role, []).append(share)
                    alone_p95[station.code] = p95(alone_reports[station.code]["latencies"])
                    if alone_reports[station.code]["latencies"]:
                        say(f"{station.code} ({station.role}) alone: p95 {alone_p95[station.code]:.3f} s")
                    else:  # left out of load_ratio: there is nothing to compare it with
                        refusals = alone_reports[station.code]["refusals"]
                        say(f"{station.code} ({station.role}) alone: no scan; the app said {refusals}")
            size_before, orders_before = size_and_orders(cache)
            cpu_before = {station.code: station.cpu_s() for station in station_processes}
            load_began = time.monotonic()
            for station in station_processes:
                station.send({"work": seconds, "phase": "load"})
            in_use: list[int] = []
            runnable: list[float] = []  # the machine's load average: processes wanting a core
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                in_use.append(connections(cache))
                runnable.append(os.getloadavg()[0])
                time.sleep(1)
            reports = {station.code: station.answer() for station in station_processes}
            load_cpu: dict[str, list[float]] = {}
            for station in station_processes:
                share = _share(cpu_before[station.code], station.cpu_s(), time.monotonic() - load_began)
                if share is not None:
                    load_cpu.setdefault(station.role, []).append(share)
            for station in station_processes:
                station.send({"quit": True})
        finally:
            trading.stopping.set()
            for station in station_processes:
                try:
                    station.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    station.process.kill()
        asyncio.run(push_to_the_end(shop, cache))
        size_after, orders_after = size_and_orders(cache)
        counted = invariants(shop, cache)
        cache.close()
    load_p95 = {code: p95(report["latencies"]) for code, report in reports.items() if codes[code] != "board"}
    ratios = {code: load_p95[code] / alone_p95[code] for code in load_p95 if alone_p95.get(code)}
    board = next(report for code, report in reports.items() if codes[code] == "board")

    def of_role(role: str) -> list[dict[str, Any]]:
        """The stations' reports of one role, alone and under load."""
        return [
            report
            for code in codes
            if codes[code] == role
            for report in (alone_reports.get(code), reports[code])
            if report is not None
        ]

    packing, picking = of_role("packer"), of_role("picker")
    return {
        "stations": stations,
        "seconds": seconds,
        "speed": speed,
        "startup_s": round(startup_s, 2),
        "alone_p95_s": {code: round(v, 4) for code, v in alone_p95.items()},
        "load_p95_s": {code: round(v, 4) for code, v in load_p95.items()},
        "load_ratio": round(max(ratios.values(), default=0.0), 3),
        "load_ratios": {code: round(v, 3) for code, v in ratios.items()},
        "board_p95_s": round(p95(board["latencies"]), 3),
        "board_updates": len(board["latencies"]),
        "scans": sum(report["actions"] for report in reports.values()),
        "refused": sum(report["refused"] for report in reports.values()),
        **counted,
        # the packers' part of `shipments` (both count the whole run: alone and under load)
        "packs_shipped": sum(report["shipped"] for report in packing),
        "packer_scans": sum(report["actions"] for report in packing),
        "packer_refused": sum(report["refused"] for report in packing),
        "packer_refusals": dict(sum((Counter(report["refusals"]) for report in packing), Counter())),
        "packer_waited_s": sum(report["waited"] for report in packing),  # nothing picked to pack
        "picker_refusals": dict(sum((Counter(report["refusals"]) for report in picking), Counter())),
        # What a station of each role costs the machine: a core's share, while another station works
        # alone (changes heard, screens read again and drawn) and while all work.
        "idle_cpu_share": {role: round(statistics.fmean(shares), 3) for role, shares in idle_cpu.items()},
        "load_cpu_share": {role: round(statistics.fmean(shares), 3) for role, shares in load_cpu.items()},
        "load_average_max": max(runnable, default=0.0),  # against the machine's cores (os.cpu_count())
        "cores": os.cpu_count(),
        "pg_connections_idle": idle_connections,
        "pg_connections_max": max(in_use, default=0),
        "pg_connections_mean": round(statistics.fmean(in_use), 1) if in_use else 0,
        "store_events": dict(trading.events),
        "new_orders": orders_after - orders_before,
        "cache_mb": round(size_after / 1e6, 1),
        # What the store's orders take (the first sync into the empty cache), and what the floor's
        # own work adds as it goes (audit, picks, packs, claims, rows not yet vacuumed).
        "cache_growth_mb_per_1000_orders": round((size_synced - size_empty) / 1e6 / orders_synced * 1000, 2),
        "floor_growth_mb_per_minute": round((size_after - size_before) / 1e6 / (seconds / 60), 2),
    }


async def first_sync(shop: SimServer, cache: Cache) -> None:
    async with StoreClient(shop.url, SecretStr(shop.token)) as client:
        for _ in range(5):  # the store fails now and then: a pass that failed is run again
            try:
                await SyncEngine(client, cache).run_once()
                return
            except Exception:
                await asyncio.sleep(0.5)
        await SyncEngine(client, cache).run_once()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=600.0, help="the load phase")
    parser.add_argument("--alone", type=float, default=10.0, help="each station alone first")
    parser.add_argument("--speed", type=float, default=10.0, help="times a person's pace")
    parser.add_argument("--orders", type=int, default=1500, help="orders in the store at the start")
    parser.add_argument("--keep", action="store_true", help="keep the run's database afterwards")
    args = parser.parse_args()
    base = os.environ.get("OMS_BENCH_POSTGRES_URL", DEFAULT_URL)
    figures = run(args.stations, args.seconds, args.alone, args.speed, args.orders, base, args.keep)
    print(f"{'station':<8}{'alone p95 s':>14}{'load p95 s':>14}{'ratio':>8}")
    for code, alone in figures["alone_p95_s"].items():
        ratio = figures["load_ratios"].get(code, 0.0)
        print(f"{code:<8}{alone:>14.4f}{figures['load_p95_s'].get(code, 0.0):>14.4f}{ratio:>8.2f}")
    print(
        f"load_ratio {figures['load_ratio']} (goal <= 1.5); board_p95_s {figures['board_p95_s']} (goal <= 1)"
    )
    print(
        f"double_claims {figures['double_claims']}, double_shipments {figures['double_shipments']}, "
        f"lost_shipments {figures['lost_shipments']}, overpicked_units {figures['overpicked_units']} "
        f"(all 0); {figures['rejected_shipments']} refused by the store, each an open exception"
    )
    print(
        f"packs shipped {figures['packs_shipped']} of {figures['shipments']} shipments; packer scans "
        f"{figures['packer_scans']}, refused {figures['packer_refused']}: {figures['packer_refusals']}; "
        f"{figures['packer_waited_s']} s waiting for picked orders"
    )
    print(f"pickers were told: {figures['picker_refusals']}")
    print(
        f"PostgreSQL connections: {figures['pg_connections_max']} at most, "
        f"{figures['pg_connections_idle']} with every station idle"
    )
    print(f"load average {figures['load_average_max']:.1f} at most on {figures['cores']} cores")
    print(
        f"a core's share per station: while another works {figures['idle_cpu_share']}, "
        f"all working {figures['load_cpu_share']}"
    )
    print(
        f"cache: {figures['cache_growth_mb_per_1000_orders']} MB per 1,000 orders synced; the floor's work "
        f"adds {figures['floor_growth_mb_per_minute']} MB a minute ({figures['cache_mb']} MB in all)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
