"""A shop for label tests: a cache synced from a small simulated shop, the simulator served on
loopback (the EasyPost SDK speaks real HTTP to its imitation), a signed-in packer and a label desk."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import FulfillmentOrder, Order
from oms_tui.cache.types import utcnow
from oms_tui.carriers.easypost_carrier import EasyPostCarrier
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.labels.desk import LabelDesk
from oms_tui.label_service import DEMO_PATH
from oms_tui.sim.carrier.state import DEMO_API_KEY, CarrierSim
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.outbox import OutboxPusher, PushSummary
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client
from tests.team import hire

SHIP_FROM = {
    "name": "Main Warehouse",
    "street1": "1200 Harbor Blvd",
    "city": "Oakland",
    "state": "CA",
    "zip": "94607",
    "country": "US",
}


@dataclass
class LabelShop:
    store: SimStore
    server: SimServer
    cache: Cache
    settings: Settings
    carrier: EasyPostCarrier

    @property
    def imitation(self) -> CarrierSim:
        sim: CarrierSim = self.server.app.state.carrier
        return sim

    def ledger(self) -> dict[str, object]:
        answer: dict[str, object] = httpx.get(f"{self.server.url}/__ledger").json()
        return answer

    def charges(self) -> list[dict[str, str]]:
        entries: list[dict[str, str]] = self.ledger()["entries"]  # type: ignore[assignment]
        return [entry for entry in entries if entry["type"] == "charge"]

    def desk(self, actor: Actor) -> LabelDesk:
        return LabelDesk(self.cache, self.carrier, self.settings, actor, self.deliver)

    async def deliver(self, action_id: int) -> str:
        return await OutboxPusher(None, self.cache, carrier=self.carrier).deliver_now(action_id)

    def client(self) -> StoreClient:
        return StoreClient(self.server.url, SecretStr(self.server.token))

    def push(self, later: timedelta = timedelta(minutes=30)) -> PushSummary:
        """An outbox round as the station holding the sync lock runs it, `later` than now (past any
        backoff or in-flight hold)."""

        async def run() -> PushSummary:
            async with self.client() as client:
                pusher = OutboxPusher(
                    client, self.cache, carrier=self.carrier, clock=lambda: utcnow() + later
                )
                return await pusher.push_ready()

        return asyncio.run(run())

    def open_orders(self, count: int) -> list[Order]:
        """`count` open US orders with every fulfillment order open, by name."""
        with self.cache.reads() as session:
            orders = session.exec(
                select(Order).where(col(Order.cancelled_at).is_(None)).order_by(col(Order.name))
            ).all()
            found = []
            for order in orders:
                fos = session.exec(
                    select(FulfillmentOrder).where(FulfillmentOrder.order_id == order.id)
                ).all()
                address = order.shipping_address or {}
                if fos and all(fo.status == "OPEN" for fo in fos) and address.get("countryCodeV2") == "US":
                    found.append(order)
            assert len(found) >= count, "the seeded shop has too few open US orders"
            return found[:count]


ORDERS, SEED = 16, 12


@pytest.fixture(scope="session")
def synced_cache_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache synced from the seeded shop once; each test works on a copy (the shop is the same
    again: it is made from its seed)."""
    path = tmp_path_factory.mktemp("labels") / "synced.sqlite3"
    cache = open_cache(f"sqlite:///{path}", create=True)
    client, _, _ = simulated_client(SimStore(orders=ORDERS, seed=SEED))

    async def sync() -> None:
        async with client:
            await SyncEngine(client, cache).run_once()

    asyncio.run(sync())
    hire(cache)
    cache.close()
    return path


@pytest.fixture
def label_shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synced_cache_file: Path
) -> Iterator[LabelShop]:
    monkeypatch.setenv("OMS_CONFIG_FILE", "/dev/null")
    path = tmp_path / "cache.sqlite3"
    shutil.copyfile(synced_cache_file, path)
    url = f"sqlite:///{path}"
    store = SimStore(orders=ORDERS, seed=SEED)
    cache = open_cache(url)
    settings = Settings(
        database_url=url,
        station="pack-1",
        ship_from={"default": SHIP_FROM},
        print_folder=tmp_path / "prints",
    )
    with run_in_thread(store) as server:
        carrier = EasyPostCarrier(SecretStr(DEMO_API_KEY), server.url + DEMO_PATH, timeout_s=2)
        yield LabelShop(store, server, cache, settings, carrier)
    cache.close()


PACKER = Actor("pack-1", "P01")
