"""A big seeded shop written into a cache fast, for tests of big queues and for `bench/ui.py`.

Rows are made directly (no simulator, no HTTP, no payload validation: a million orders would take a
quarter of an hour that way) and written with the cache's own upserts, a batch per transaction, with
the tag rows and search documents sync's writers keep beside the orders.
Every stage of the floor gets some work: open, in progress, held, cancelled and shipped orders (the
older the order, the likelier it shipped, as in a real shop), claims, pick lists and exceptions.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import (
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Location,
    Order,
    PickList,
    PickListLine,
    Staff,
)
from oms_tui.cache.order_search import refresh_order_search
from oms_tui.cache.order_tags import refresh_order_tags
from oms_tui.cache.priority import order_priority

BATCH = 5_000
FLOOR_WORK = 20_000  # the newest orders, among which some are claimed, picked or have exceptions
HISTORY = timedelta(days=45)
SLA = timedelta(hours=24)  # the default: every order's ship-by time
LOCATIONS = [
    ("gid://shopify/Location/1", "Main Warehouse", 6),
    ("gid://shopify/Location/2", "East Coast DC", 3),
    ("gid://shopify/Location/3", "Soho Store", 1),
]
STAFF = [("P01", "Ana Pereira"), ("P02", "Ben Okafor"), ("P03", "Chen Wei"), ("K01", "Dana Kim")]
FIRST = ["Ada", "Bo", "Cyd", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kai", "Liv", "Max", "Noa"]
LAST = ["Smith", "Garcia", "Nguyen", "Okoro", "Jensen", "Rossi", "Kowalski", "Tanaka", "Silva", "Moreau"]
CHANNELS = [("web", 80), ("pos", 8), ("shopify_draft_order", 7), ("Wholesale Hub", 5)]
SHIPPING = ["UPS Ground", "USPS Priority Mail", "FedEx 2Day", "DHL Express Worldwide"]
SKUS = [
    f"{product}-{colour}-{size}"
    for product in ("TEE", "HOOD", "TOTE", "SHELL", "BEAN", "SOCK")
    for colour in ("BLK", "NVY", "OLV", "SND")
    for size in ("S", "M", "L")
]


def order_gid(index: int) -> str:
    return f"gid://shopify/Order/{5_801_000_000 + index}"


def fulfillment_order_gid(index: int) -> str:
    return f"gid://shopify/FulfillmentOrder/{6_900_000_000 + index}"


def fo_line_gid(index: int, line: int) -> str:
    return f"gid://shopify/FulfillmentOrderLineItem/{15_200_000_000_000 + index * 8 + line}"


class _Batch:
    def __init__(self) -> None:
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {}

    def add(self, model: type[SQLModel], **row: Any) -> None:
        self.rows.setdefault(model, []).append(row)


def fill_cache(
    cache: Cache,
    orders: int,
    *,
    now: datetime,
    seed: int = 7,
    open_share: float | None = None,
    lean: bool = False,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Write `orders` seeded orders, each with one fulfillment order, into an empty `cache`.

    `open_share`, when given, is the share of orders left open (otherwise it falls with age).
    `lean` writes only what a queue shows (no order line items, the fulfillment orders' lines stay):
    searching by SKU then finds nothing, and the cache is built about twice as fast.
    """
    from oms_tui.cache.upsert import upsert_all  # the writer sync's own upserts use

    rng = random.Random(seed)
    with cache.sessions() as session:
        upsert_all(
            session,
            Location,
            [{"id": i, "name": n, "is_active": True, "synced_at": now} for i, n, _ in LOCATIONS],
        )
        upsert_all(
            session,
            Staff,
            [{"code": c, "name": n, "role": "picker", "active": True, "created_at": now} for c, n in STAFF],
        )
        session.commit()
    weights = [weight for _, _, weight in LOCATIONS]
    start = now - HISTORY
    step = HISTORY / max(orders, 1)
    pick_list = 0
    for first in range(0, orders, BATCH):
        batch = _Batch()
        for index in range(first, min(first + BATCH, orders)):
            created = start + step * index
            age = 1 - index / max(orders, 1)
            tags = [
                tag
                for tag, share in (("rush", 0.08), ("wholesale", 0.03), ("gift", 0.06))
                if rng.random() < share
            ]
            order_id, fo_id = order_gid(index), fulfillment_order_gid(index)
            roll = rng.random()
            shipped_chance = 1 - open_share if open_share is not None else 0.03 + 0.9 * age
            cancelled = roll < 0.02
            shipped = not cancelled and roll < shipped_chance
            held = not cancelled and not shipped and rng.random() < 0.03
            location_id, location_name, _ = rng.choices(LOCATIONS, weights)[0]
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            updated = (
                min(now, created + timedelta(hours=rng.randint(2, 30))) if shipped or cancelled else created
            )
            batch.add(
                Order,
                id=order_id,
                name=f"#{1001 + index}",
                customer_name=name,
                email=f"{name.replace(' ', '.').lower()}{index % 97}@example.com",
                shipping_address=None,
                financial_status="PAID",
                fulfillment_status="FULFILLED" if shipped else "UNFULFILLED",
                risk_level="LOW",
                risk_recommendation="ACCEPT",
                tags=tags,
                priority=order_priority(tags),
                note=None,
                closed=shipped or cancelled,
                created_at=created,
                updated_at=updated,
                ship_by=created + SLA,  # as sync writes it with the default SLA
                cancelled_at=updated if cancelled else None,
                cancel_reason="CUSTOMER" if cancelled else None,
                channel=rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0],
                shipping_method=rng.choice(SHIPPING),
                synced_at=now,
            )
            status = "CLOSED" if shipped or cancelled else "ON_HOLD" if held else "OPEN"
            batch.add(
                FulfillmentOrder,
                id=fo_id,
                order_id=order_id,
                status=status,
                request_status="UNSUBMITTED",
                location_id=location_id,
                location_name=location_name,
                fulfill_at=None,
                created_at=created,
                updated_at=updated,
                synced_at=now,
            )
            lines = rng.choice((1, 1, 1, 2, 3))
            for k in range(lines):
                sku, quantity = rng.choice(SKUS), rng.choice((1, 1, 2))
                line_id = f"gid://shopify/LineItem/{13_600_000_000_000 + index * 8 + k}"
                batch.add(
                    FulfillmentOrderLineItem,
                    id=fo_line_gid(index, k),
                    fulfillment_order_id=fo_id,
                    line_item_id=line_id,
                    sku=sku,
                    total_quantity=quantity,
                    remaining_quantity=0 if shipped or cancelled else quantity,
                )
                if lean:
                    continue
                batch.add(
                    LineItem,
                    id=line_id,
                    order_id=order_id,
                    position=k,
                    sku=sku,
                    barcode=f"400{index * 8 + k:010d}",
                    title=sku,
                    quantity=quantity,
                    current_quantity=0 if cancelled else quantity,
                    unfulfilled_quantity=0 if shipped or cancelled else quantity,
                    requires_shipping=True,
                )
            if shipped:
                batch.add(
                    Fulfillment,
                    id=f"gid://shopify/Fulfillment/{5_300_000_000 + index}",
                    order_id=order_id,
                    status="SUCCESS",
                    tracking_company="UPS",
                    tracking_number=f"1Z{seed:03d}{index:012d}",
                    tracking_url=None,
                    created_at=updated,
                )
            if held:
                batch.add(
                    FulfillmentHold,
                    id=f"gid://shopify/FulfillmentHold/{2_800_000_000 + index}",
                    fulfillment_order_id=fo_id,
                    reason="AWAITING_PAYMENT",
                    reason_notes="Waiting for bank transfer",
                    handle=None,
                )
            recent = index >= orders - FLOOR_WORK  # a floor works on today's orders, whatever the history
            if recent and status == "OPEN":
                pick_list = _floor_work(batch, rng, index, fo_id, now, pick_list)
            if recent and rng.random() < 0.01:
                batch.add(
                    FloorException,
                    kind="short pick",
                    severity="warning",
                    state="open",
                    order_id=order_id,
                    subject=fo_id,
                    message="1 unit short at the bin",
                    owner=None,
                    resolution=None,
                    created_at=now,
                    resolved_at=None,
                )
        with cache.sessions() as session:
            for model, rows in batch.rows.items():
                upsert_all(session, model, rows)
            written = [row["id"] for row in batch.rows[Order]]
            refresh_order_tags(session.connection(), written)  # as sync's writers keep them
            refresh_order_search(session.connection(), written)
            session.commit()
        if progress is not None:
            progress(min(first + BATCH, orders))


def _floor_work(
    batch: _Batch, rng: random.Random, index: int, fo_id: str, now: datetime, pick_list: int
) -> int:
    """Some open work is claimed, some on a pick list being picked, some picked and waiting to pack."""
    roll = rng.random()
    code = STAFF[index % len(STAFF)][0]
    if roll < 0.01:
        batch.add(
            Claim,
            fulfillment_order_id=fo_id,
            staff_code=code,
            station="pick-1",
            since=now,
            lease_until=now + timedelta(hours=1),
        )
    elif roll < 0.03:
        pick_list += 1
        picked = roll >= 0.02  # the second half is picked and waits for a packer
        batch.add(
            PickList,
            id=pick_list,
            staff_code=code,
            station="pick-1",
            location_id="gid://shopify/Location/1",
            state="done" if picked else "open",
            created_at=now,
            completed_at=now if picked else None,
        )
        batch.add(
            PickListLine,
            id=pick_list,
            pick_list_id=pick_list,
            sequence=1,
            fulfillment_order_id=fo_id,
            fulfillment_order_line_item_id=fo_line_gid(index, 0),
            sku=None,
            bin_code="A-01-1",
            needed=1,
            picked=1 if picked else 0,
            short=0,
        )
    return pick_list


def prebuilt(directory: Path, orders: int, *, now: datetime, **options: Any) -> Path:
    """A SQLite file of `fill_cache(orders, now=now, **options)`, built once into `directory` and kept
    while this builder and the migrations are unchanged (a million orders take minutes)."""
    repo = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(
        Path(__file__).read_bytes() + repr((orders, now, sorted(options.items()))).encode()
    )
    for migration in sorted((repo / "oms_tui" / "cache" / "migrations" / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    path = directory / f"orders-{orders}-{digest.hexdigest()[:12]}.sqlite3"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        # Each process builds its own copy (test workers may start the same build at once); the
        # rename is atomic, so a reader sees a whole file or none.
        building = path.with_suffix(f".building-{os.getpid()}")
        for leftover in directory.glob(building.name + "*"):
            leftover.unlink()
        cache = open_cache(f"sqlite:///{building}")
        fill_cache(cache, orders, now=now, **options)
        cache.close()  # the last connection folds the write-ahead log into the file
        building.replace(path)
    return path
