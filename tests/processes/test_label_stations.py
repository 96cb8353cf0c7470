"""Labels bought by two stations on one cache, killed with SIGKILL at random points of their
purchases, with purchase answers lost on purpose: every order ends with one paid label or none, and
the carrier's own ledger agrees with the cache. OMS_TEST_LABEL_KILLS sets the rounds (2 by default;
the benchmark-sized run is a few dozen)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import OUTBOX_WAITING, LabelState
from oms_tui.cache.models import FulfillmentOrder, Order, OutboxAction, ShippingLabel
from oms_tui.cache.types import utcnow
from oms_tui.carriers.easypost_carrier import EasyPostCarrier
from oms_tui.label_service import DEMO_PATH
from oms_tui.sim.carrier.state import DEMO_API_KEY
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.labels.conftest import SHIP_FROM
from tests.process_group import ProcessGroups
from tests.processes.test_stations import REPO, database_url, kill_within
from tests.team import hire

ROUNDS = int(os.environ.get("OMS_TEST_LABEL_KILLS", "2"))


@pytest.fixture
def shop() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=60, seed=12), plan="plus") as server:
        server.app.state.carrier.faults.lose_buys = 0.25  # a purchase in four loses its answer
        yield server


def labeler(
    processes: ProcessGroups,
    shop: SimServer,
    cache: Cache,
    tmp_path: Path,
    name: str,
    staff: str,
    orders: list[str],
) -> subprocess.Popen[bytes]:
    config = tmp_path / "config.toml"
    config.touch()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OMS_CONFIG_FILE": str(config),
        "OMS_SHOP_URL": shop.url,
        "OMS_SHOPIFY_TOKEN": shop.token,
        "OMS_DATABASE_URL": database_url(cache),
        "OMS_STATION": name,
        "OMS_STAFF": staff,
        "OMS_LABEL_API_KEY": DEMO_API_KEY,
        "OMS_LABEL_API_BASE": shop.url + DEMO_PATH,
        "OMS_SHIP_FROM": json.dumps({"default": SHIP_FROM}),
    }
    command = [sys.executable, "-m", "tests.processes.labeler", *orders]
    return processes.start(command, cwd=REPO, env=env, stderr=subprocess.PIPE)


async def open_orders(shop: SimServer, cache: Cache) -> list[str]:
    async with StoreClient(shop.url, SecretStr(shop.token)) as client:
        await SyncEngine(client, cache).run_once()
    hire(cache, "P01", "M01")
    with cache.reads() as session:
        open_fos = select(FulfillmentOrder.order_id).where(FulfillmentOrder.status == "OPEN")
        orders = session.exec(
            select(Order).where(col(Order.cancelled_at).is_(None), col(Order.id).in_(open_fos))
        ).all()
        return sorted(
            order.name for order in orders if (order.shipping_address or {}).get("countryCodeV2") == "US"
        )


async def settle(shop: SimServer, cache: Cache) -> None:
    """The outbox rounds of a station that stays: later than any backoff or in-flight hold."""
    carrier = EasyPostCarrier(SecretStr(DEMO_API_KEY), shop.url + DEMO_PATH, timeout_s=5)
    async with StoreClient(shop.url, SecretStr(shop.token)) as client:
        for minutes in range(30, 300, 30):
            pusher = OutboxPusher(
                client, cache, carrier=carrier, clock=lambda m=minutes: utcnow() + timedelta(minutes=m)
            )
            if (await pusher.push_ready()).waiting == 0:
                return
    raise AssertionError("label actions still wait after the outbox rounds")


async def test_stations_killed_mid_purchase_pay_each_order_once(
    any_cache: Cache, shop: SimServer, tmp_path: Path, processes: ProcessGroups
) -> None:
    names = await open_orders(shop, any_cache)
    assert len(names) >= 6, "the seeded shop has too few orders to label"
    rng = random.Random(17)
    for _ in range(ROUNDS):
        first = labeler(processes, shop, any_cache, tmp_path, "pack-1", "P01", names)
        second = labeler(processes, shop, any_cache, tmp_path, "pack-2", "M01", names[::-1])
        kill_within(first, rng.uniform(1.0, 3.5))  # a process takes about a second to start
        kill_within(second, rng.uniform(0.5, 2.0))
    for process in (labeler(processes, shop, any_cache, tmp_path, "pack-1", "P01", names),):
        _, errors = process.communicate(timeout=240)
        assert process.returncode == 0, errors.decode()[-2000:]
    await settle(shop, any_cache)

    ledger = httpx.get(shop.url + "/__ledger").json()["entries"]
    charged = Counter(entry["reference"] for entry in ledger if entry["type"] == "charge")
    assert ledger and all(entry["type"] == "charge" for entry in ledger)
    doubled = {name: count for name, count in charged.items() if count > 1}
    assert not doubled, f"orders paid more than once: {doubled}"
    with any_cache.reads() as session:
        labels = session.exec(select(ShippingLabel)).all()
        orders = {order.id: order.name for order in session.exec(select(Order))}
        waiting = session.exec(select(OutboxAction).where(col(OutboxAction.state).in_(OUTBOX_WAITING))).all()
    assert not waiting
    bought = {orders[label.order_id]: label for label in labels if label.state == LabelState.BOUGHT}
    assert set(bought) == set(charged), "the cache's bought labels are the ledger's charges"
    by_tracking = {entry["tracking_code"]: entry for entry in ledger}
    for name, label in bought.items():
        entry = by_tracking[label.tracking_number]
        assert (entry["reference"], entry["shipment_id"]) == (name, label.shipment_id)
    assert not [label for label in labels if label.state == LabelState.BUYING]
    assert set(bought) == set(names), "every order got its label in the end"
    assert shop.app.state.carrier.faults.fired["lost"] > 0, "answers were lost on purpose"
