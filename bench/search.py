"""Search benchmark: "where is my order?" as a person types it, at 10,000 and at 1,000,000 orders.

Caches are built by sync's own writer (`write_orders`, which keeps the search documents) from
store-shaped payloads, in batches of 1,000 orders, and kept in `--data` between runs (a cache is
reused when it holds the expected number of orders). Each order has a customer, an email, a phone,
one to four lines (SKU, barcode) and, for most, a tracking number.

Queries: for sampled orders, what a person would type to find them (the order number, a surname,
an email, phone digits, a lower-case partial SKU, a barcode, a tracking number), measured at every
prefix as it is typed (from one character up to twelve), the way the search screen runs them.
Printed: p50/p95 per size and per kind of query, the query plans at the largest size, and as the
last line one JSON object (`search_p50_ms`, `search_p95_ms` per size, `scale_ratio` of the p95s).

Usage: .venv/bin/python bench/search.py [--sizes 10000,1000000] [--postgres URL] [--data DIR]
       [--samples N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.engine import make_engine
from oms_tui.cache.models import Order
from oms_tui.floor.orders.search import matching_order_ids, search_orders
from oms_tui.store.payloads import OrderNode
from oms_tui.store.sync_writes import write_orders

SEED = 11
BATCH = 1_000
START = datetime(2025, 1, 1, tzinfo=UTC)
FIRST = ["Jane", "John", "Ana", "Bo", "Maria", "Li", "Omar", "Priya", "Sven", "Zoë", "Kofi", "Elena"]
LAST = ["Smith", "Jones", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Chen", "Okafor", "Novak"]
PRODUCTS = ["TEE", "MUG", "CAP", "SOCK", "BAG", "HAT", "SCARF", "BELT", "GLOVE", "HOODIE"]
COLOURS = ["BLK", "WHT", "RED", "GRN", "NVY", "TAN"]
SIZES = ["XS", "S", "M", "L", "XL"]
DOMAINS = ["example.com", "mail.test", "post.example", "inbox.test"]
PREFIX_MAX = 12


def payload(number: int) -> dict[str, Any]:
    """Order `number` as the store sends it; derived from (SEED, number) alone."""
    rng = random.Random(SEED * 1_000_003 + number)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    created = START + timedelta(seconds=number * 30)
    lines = []
    for k in range(rng.choice((1, 1, 2, 3, 4))):
        sku = f"{rng.choice(PRODUCTS)}-{rng.choice(COLOURS)}-{rng.choice(SIZES)}"
        lines.append(
            {
                "id": f"gid://shopify/LineItem/{number * 10 + k}",
                "sku": sku,
                "name": sku.title(),
                "quantity": 1,
                "currentQuantity": 1,
                "unfulfilledQuantity": 1,
                "variant": {"barcode": f"40{rng.randrange(10**11):011d}"},
            }
        )
    shipped = rng.random() < 0.8
    return {
        "id": f"gid://shopify/Order/{5_800_000_000 + number}",
        "name": f"#{1000 + number}",
        "createdAt": created.isoformat(),
        "updatedAt": created.isoformat(),
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "FULFILLED" if shipped else "UNFULFILLED",
        "email": f"{first}.{last}{rng.randrange(1000)}@{rng.choice(DOMAINS)}".lower(),
        "customer": {"displayName": f"{first} {last}"},
        "shippingAddress": {
            "name": f"{first} {last}",
            "phone": f"+1 ({rng.randrange(200, 999)}) 555-{rng.randrange(10**4):04d}",
        },
        "lineItems": {"nodes": lines},
        "fulfillments": [
            {
                "id": f"gid://shopify/Fulfillment/{number}",
                "status": "SUCCESS",
                "createdAt": created.isoformat(),
                "trackingInfo": [{"company": "UPS", "number": f"1Z{rng.randrange(10**16):016d}"}],
            }
        ]
        if shipped
        else [],
    }


def build(cache: Cache, size: int) -> None:
    with cache.sessions() as session:
        have = session.exec(select(func.count()).select_from(Order)).one()
    if have == size:
        print(f"  reusing the cache of {size:,} orders")
        return
    if have:
        sys.exit(f"the cache holds {have:,} orders, not {size:,}: remove it or pick another --data")
    started = time.perf_counter()
    for first in range(0, size, BATCH):
        nodes = [OrderNode.model_validate(payload(n)) for n in range(first, min(size, first + BATCH))]
        with cache.sessions() as session:
            write_orders(session, nodes, {}, START)
            session.commit()
        if first and first % 100_000 == 0:
            print(f"  {first:,} orders written ({time.perf_counter() - started:.0f} s)", flush=True)
    if cache.engine.dialect.name == "postgresql":
        with cache.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    print(f"  built {size:,} orders in {time.perf_counter() - started:.0f} s")


def typed(sample: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, text) for each prefix a person types while looking for this order."""
    line = sample["lineItems"]["nodes"][0]
    wanted = {
        "order number": sample["name"].lstrip("#"),
        "surname": sample["customer"]["displayName"].split()[-1],
        "email": sample["email"],
        "phone digits": sample["shippingAddress"]["phone"][-8:].replace("-", ""),
        "partial sku": line["sku"].lower()[:7],
        "barcode": line["variant"]["barcode"],
    }
    if sample["fulfillments"]:
        wanted["tracking"] = sample["fulfillments"][0]["trackingInfo"][0]["number"]
    for kind, whole in wanted.items():
        for end in range(1, min(len(whole), PREFIX_MAX) + 1):
            yield kind, whole[:end]


def measure(cache: Cache, size: int, samples: int) -> dict[str, Any]:
    rng = random.Random(size)
    timings: dict[str, list[float]] = {}
    found = 0
    with cache.sessions() as session:
        search_orders(session, "warm up")
        for number in rng.sample(range(size), samples):
            sample = payload(number)
            for kind, query in typed(sample):
                started = time.perf_counter()
                hits = search_orders(session, query)
                timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            found += any(hit.name == sample["name"] for hit in hits)
    every = [ms for values in timings.values() for ms in values]
    print(f"  {len(every)} searches; the sought order among the hits of the whole text: {found}/{samples}")
    for kind, values in timings.items():
        p50, p95 = pct(values, 50), pct(values, 95)
        print(f"  {kind:>14}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(values):6.1f}")
    return {"p50": pct(every, 50), "p95": pct(every, 95), "found": found, "samples": samples}


def pct(values: list[float], point: int) -> float:
    return quantiles(values, n=100)[point - 1] if len(values) > 1 else values[0]


def show_plans(cache: Cache) -> None:
    """The query plans of a search and of the queue's filter, on the largest cache."""
    with cache.sessions() as session:
        connection = session.connection()
        explain = "EXPLAIN QUERY PLAN" if connection.dialect.name == "sqlite" else "EXPLAIN"
        filtered = select(Order.id).where(col(Order.id).in_(matching_order_ids("smith"))).limit(200)
        statements = {
            "queue filter 'smith'": filtered.compile(connection, compile_kwargs={"literal_binds": True})
        }
        for label, statement in statements.items():
            print(f"  plan of the {label}:")
            for row in connection.execute(text(f"{explain} {statement}")):
                print(f"    {row[-1] if connection.dialect.name == 'sqlite' else row[0]}")
        if connection.dialect.name == "sqlite":
            return
        for term in ("smith", "1z12345"):
            query = (
                f"SELECT order_id FROM order_search WHERE document LIKE '%{term}%' ORDER BY id DESC LIMIT 50"
            )
            print(f"  plan of a search for {term!r}:")
            for (line,) in connection.execute(text(f"EXPLAIN ANALYZE {query}")):
                print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (schemas bench_search_N)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/oms-bench-search"))
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[str, Any] = {"engine": "postgresql" if args.postgres else "sqlite"}
    for size in sizes:
        print(f"{size:,} orders ({results['engine']})")
        cache = open_cache(cache_url(args, size))
        try:
            build(cache, size)
            results[str(size)] = measure(cache, size, args.samples)
            if size == max(sizes):
                show_plans(cache)
        finally:
            cache.close()
    small, large = str(min(sizes)), str(max(sizes))
    figures = {
        "engine": results["engine"],
        **{f"search_p50_ms_{size}": round(results[str(size)]["p50"], 2) for size in sizes},
        **{f"search_p95_ms_{size}": round(results[str(size)]["p95"], 2) for size in sizes},
        "scale_ratio": round(results[large]["p95"] / results[small]["p95"], 2),
    }
    print(json.dumps(figures))


def cache_url(args: argparse.Namespace, size: int) -> str:
    if not args.postgres:
        args.data.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{args.data / f'search-{size}.sqlite3'}"
    schema = f"bench_search_{size}"
    admin = make_engine(args.postgres)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    admin.dispose()
    return f"{args.postgres}{'&' if '?' in args.postgres else '?'}options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
