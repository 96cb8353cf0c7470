"""A cache synced from a small simulator shop with bins, and reading printed PDFs back as a person and
a scanner would: `pdftotext` for the words, `pdftoppm` + `zbarimg` for the barcodes."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import BinLocation, FulfillmentOrder, LineItem, Order
from oms_tui.floor.picking.pick_lists import PICKABLE
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client

TOOLS = ("pdftotext", "pdftoppm", "zbarimg")  # poppler-utils and zbar-tools; .ci/run installs them
DPI = 150  # a plain office scan


@pytest.fixture
def shop_cache(db_url: str) -> Cache:
    """The CLI's cache (`db_url`), synced from a 60-order simulator shop, every SKU on a shelf."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install poppler-utils zbar-tools")
    store = SimStore(orders=60, seed=12)
    cache = open_cache(db_url)
    client, _, _ = simulated_client(store)

    async def sync() -> None:
        async with client:
            await SyncEngine(client, cache).run_once()

    asyncio.run(sync())
    with cache.sessions() as session:
        skus = sorted({sku for sku in session.exec(select(LineItem.sku)) if sku})
        locations = sorted({loc for loc in session.exec(select(FulfillmentOrder.location_id)) if loc})
        for n, sku in enumerate(skus):
            for location in locations:
                code = f"{'ABC'[n % 3]}-{n // 3 + 1:02d}"
                session.add(BinLocation(location_id=location, sku=sku, code=code))
        session.commit()
    return cache


def orders_to_pick(cache: Cache, count: int) -> list[Order]:
    """`count` orders with work still to pick in the shop's first location, by name."""
    with cache.reads() as session:
        locations = select(FulfillmentOrder.location_id).order_by(col(FulfillmentOrder.location_id))
        first = session.exec(locations).first()
        pickable = select(FulfillmentOrder.order_id).where(
            col(FulfillmentOrder.status).in_(PICKABLE), FulfillmentOrder.location_id == first
        )
        elsewhere = select(FulfillmentOrder.order_id).where(
            col(FulfillmentOrder.status).in_(PICKABLE), FulfillmentOrder.location_id != first
        )
        orders = session.exec(
            select(Order)
            .where(col(Order.id).in_(pickable), col(Order.id).not_in(elsewhere))
            .order_by(col(Order.name))
            .limit(count)
        ).all()
    assert len(orders) == count, "the seeded shop has fewer orders to pick than the test needs"
    return list(orders)


@dataclass(frozen=True)
class ReadBack:
    pages: list[str]  # each page's text, as `pdftotext -layout` reads it
    barcodes: list[list[str]]  # each page's Code128 values, as zbarimg decodes them


def read_back(pdf: Path, tmp_path: Path) -> ReadBack:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.split("\f")[:-1]  # every page ends with a form feed
    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(prefix)], check=True)
    images = sorted(tmp_path.glob(f"{pdf.stem}-*.png"), key=lambda image: int(image.stem.rsplit("-", 1)[1]))
    barcodes = []
    for image in images:
        scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
        assert scanned.returncode in (0, 4), scanned.stderr  # 4: no barcode on the page
        barcodes.append(scanned.stdout.splitlines())
    assert len(images) == len(pages)
    return ReadBack(pages, barcodes)
