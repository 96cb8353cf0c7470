"""The manager's reports over a year of history, at 1,000,000 orders against the same at 10,000.

Each cache holds a year of summary tables as the floor writes them (`floor.reports.rollup`: one row
per person, station and hour they worked; shipments by day and lead time; exceptions by day), made
directly with bulk inserts from a simulated year: each order picked by one of 8 pickers and packed by
one of 6 packers in a working hour (07:00-19:00 UTC), 1-4 units, 3% mis-scans, 1% short picks, 5%
exceptions, a label for each (one of 5 services; 2% voided, most of those refunded). The reports never
read the audit log nor the labels, so they are not written here.

Timed: what the Reports screen and `oms-tui report` read for a year: picks and packs by day, week
and person, on-time and exceptions by day and week, label spend by day, week and service, and picks
and packs by hour for the last day,
from a freshly opened cache (median of --runs; wall and CPU time).
`report_ratio` = that time at --orders over the same at --small (goal <= 2).

Usage: PYTHONPATH=. .venv/bin/python bench/reports.py [--orders N] [--small N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

YEAR_END = date(2026, 11, 30)
DAYS = 365
PICKERS = [f"K{n:02d}" for n in range(1, 9)]
PACKERS = [f"P{n:02d}" for n in range(1, 7)]
KINDS = ("short pick", "payment", "address_incomplete", "sla_breached", "put_back")
SERVICES = (
    ("USPS", "GroundAdvantage"),
    ("USPS", "Priority"),
    ("UPS", "Ground"),
    ("UPS", "2ndDayAir"),
    ("FedEx", "FEDEX_GROUND"),
)


def simulate(orders: int, seed: int = 7) -> tuple[list[dict[str, Any]], ...]:
    """The summary rows a year of `orders` leaves behind."""
    from oms_tui.cache.label_spend import COUNTS

    rng = random.Random(seed)
    hours: dict[tuple[datetime, str, str], Counter[str]] = {}
    shipments: Counter[tuple[date, int]] = Counter()
    problems: Counter[tuple[date, str, str]] = Counter()
    labels: dict[tuple[date, str, str], Counter[str]] = {}
    first = YEAR_END - timedelta(days=DAYS - 1)
    for _ in range(orders):
        day = first + timedelta(days=rng.randrange(DAYS))
        start = datetime(day.year, day.month, day.day, rng.randrange(7, 19), tzinfo=UTC)
        units = rng.randint(1, 4)
        picker, packer = rng.choice(PICKERS), rng.choice(PACKERS)
        pick = hours.setdefault((start, picker, "pick-1"), Counter())
        pick.update(orders_picked=1, units_picked=units, pick_seconds=40 + 25 * units)
        if rng.random() < 0.03:
            pick["pick_mis_scans"] += 1
        if rng.random() < 0.01:
            pick["short_picks"] += 1
        packed = start + timedelta(hours=rng.choice((0, 1, 1, 2)))
        pack = hours.setdefault((packed, packer, "pack-1"), Counter())
        pack.update(orders_packed=1, units_packed=units, pack_seconds=60 + 15 * units)
        if rng.random() < 0.03:
            pack["pack_mis_scans"] += 1
        shipments[(packed.date(), int(rng.expovariate(1 / 14)))] += 1
        spent = labels.setdefault((packed.date(), *rng.choice(SERVICES)), Counter())
        price = rng.randrange(475, 3500)
        spent.update(bought=1, bought_cents=price)
        if rng.random() < 0.02:
            refunded = rng.random() < 0.9
            spent.update(voided=1, refunded=refunded, refunded_cents=price * refunded)
            spent.update(pending=not refunded, pending_cents=price * (not refunded))
        if rng.random() < 0.05:
            kind = rng.choice(KINDS)
            problems[(day, kind, "opened")] += 1
            problems[(min(day + timedelta(days=rng.randrange(3)), YEAR_END), kind, "closed")] += 1
    names = (
        "orders_picked",
        "units_picked",
        "orders_packed",
        "units_packed",
        "pick_mis_scans",
        "pack_mis_scans",
        "short_picks",
        "pick_seconds",
        "pack_seconds",
    )
    hour_rows = [
        {
            "hour": hour,
            "staff_code": staff,
            "station": station,
            **{name: counts.get(name, 0) for name in names},
        }
        for (hour, staff, station), counts in hours.items()
    ]
    days: dict[tuple[date, str, str], Counter[str]] = {}
    for (hour, staff, station), counts in hours.items():
        days.setdefault((hour.date(), staff, station), Counter()).update(counts)
    day_rows = [
        {"day": day, "staff_code": staff, "station": station, **{name: counts.get(name, 0) for name in names}}
        for (day, staff, station), counts in days.items()
    ]
    ship_rows = [{"day": day, "lead_hours": lead, "shipments": n} for (day, lead), n in shipments.items()]
    kinds = {(day, kind) for day, kind, _ in problems}
    exception_rows = [
        {
            "day": day,
            "kind": kind,
            "opened": problems[(day, kind, "opened")],
            "closed": problems[(day, kind, "closed")],
        }
        for day, kind in kinds
    ]
    spend_rows = [
        {
            "day": day,
            "carrier": carrier,
            "service": service,
            "currency": "USD",
            **{n: counts[n] for n in COUNTS},
        }
        for (day, carrier, service), counts in labels.items()
    ]
    return hour_rows, day_rows, ship_rows, exception_rows, spend_rows


def build(path: Path, orders: int) -> dict[str, int]:
    from sqlalchemy import insert

    from oms_tui.cache.database import open_cache
    from oms_tui.cache.models import ReportDay, ReportException, ReportHour, ReportLabelSpend, ReportShipment

    path.unlink(missing_ok=True)
    cache = open_cache(f"sqlite:///{path}", create=True)
    rows = simulate(orders)
    with cache.sessions() as session:
        models = (ReportHour, ReportDay, ReportShipment, ReportException, ReportLabelSpend)
        for model, batch in zip(models, rows, strict=True):
            session.execute(insert(model.__table__), batch)  # type: ignore[attr-defined]
        session.commit()
    cache.close()
    names = ("hour_rows", "day_rows", "shipment_rows", "exception_rows", "label_spend_rows")
    return {name: len(batch) for name, batch in zip(names, rows, strict=True)}


def open_reports(path: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to open the cache and make every report the screen offers over the year,
    and the hourly ones for its last day."""
    from oms_tui.cache.database import open_cache
    from oms_tui.floor.reports.text_tables import report

    start, cpu = time.perf_counter(), time.process_time()
    cache = open_cache(f"sqlite:///{path}")
    first = YEAR_END - timedelta(days=DAYS - 1)
    with cache.reads() as session:
        for name, groupings in (
            ("picks", ("day", "week", "person")),
            ("packs", ("day", "week", "person")),
            ("on-time", ("day", "week")),
            ("exceptions", ("day", "week")),
            ("label-spend", ("day", "week", "service")),
        ):
            for by in groupings:
                assert report(session, name, first, YEAR_END, by).rows  # type: ignore[arg-type]
        for name in ("picks", "packs"):
            assert report(session, name, YEAR_END, YEAR_END, "hour").rows
    cache.close()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "oms-tui-bench")
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"orders": args.orders, "small": args.small}
    for label, orders in (("small", args.small), ("big", args.orders)):
        path = args.cache_dir / f"reports-{orders}.sqlite3"
        began = time.perf_counter()
        figures[f"{label}_rows"] = build(path, orders)
        figures[f"{label}_build_s"] = round(time.perf_counter() - began, 1)
        timed = [open_reports(path) for _ in range(args.runs)]
        for n, kind in enumerate(("s", "cpu_s")):
            figures[f"report_{label}_{kind}"] = round(statistics.median(run[n] for run in timed), 4)
    figures["report_ratio"] = round(figures["report_big_s"] / figures["report_small_s"], 2)
    figures["report_ratio_cpu"] = round(figures["report_big_cpu_s"] / figures["report_small_cpu_s"], 2)
    print(f"{'orders':>10}  {'hour rows':>9}  {'day rows':>8}  {'year of reports':>15}  {'CPU':>7}")
    for label in ("small", "big"):
        size, rows = figures["small" if label == "small" else "orders"], figures[f"{label}_rows"]
        wall, cpu = figures[f"report_{label}_s"], figures[f"report_{label}_cpu_s"]
        print(f"{size:>10,}  {rows['hour_rows']:>9,}  {rows['day_rows']:>8,}  {wall:>14.3f}s  {cpu:>6.3f}s")
    print(f"report_ratio {figures['report_ratio']} (CPU {figures['report_ratio_cpu']}; goal <= 2)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
