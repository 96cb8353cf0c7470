"""Label benchmark: the last item scan of a pack to its label sent to the printer, against the
carrier's own answer time for the same requests.

The floor code the pack station drives (no UI): a synced cache and the simulator on loopback (store
and EasyPost imitation, whose answers take `--create-ms` and `--buy-ms`, about what EasyPost takes);
for each of `--packs` orders, every unit but the last is scanned untimed, then the clock runs from
the last unit's scan through the label's quote (shipment and rates), the purchase through the outbox
(delivered at once), the label file's download, to `lp` (a stand-in that takes the job) returning.
Figures:

`label_p50_ms`, `label_p95_ms`
    Last item scan to the label sent to the printer.
`carrier_p50_ms`, `carrier_p95_ms`
    The imitation's own time to answer the same pack's create and buy requests (measured inside it:
    from each request's arrival to its answer), in the same run.
`label_ratio`
    label_p95_ms / carrier_p95_ms (goal <= 1.3: our part of the wait is small next to the carrier's).
`ours_p95_ms`
    p95 of each pack's time less its carrier time: what the station itself adds.

The last line printed is one JSON object with every figure.

Usage: PYTHONPATH=. .venv/bin/python bench/labels.py [--packs N] [--create-ms MS] [--buy-ms MS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import stat
import statistics
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import FulfillmentOrder, Order, Staff
from oms_tui.carriers.easypost_carrier import EasyPostCarrier
from oms_tui.config import Settings
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.labels.desk import LabelDesk
from oms_tui.floor.packing import packing
from oms_tui.label_service import DEMO_PATH
from oms_tui.printing.label_output import print_label
from oms_tui.sim.carrier.state import DEMO_API_KEY, CarrierSim
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine

PACKER = Actor("bench-1", "B01")
SHIP_FROM = {"name": "Bench", "street1": "1200 Harbor Blvd", "city": "Oakland", "state": "CA", "zip": "94607"}


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95 + 0.5) - 1)]


async def synced(server: SimServer, cache: Cache) -> list[str]:
    async with StoreClient(server.url, SecretStr(server.token)) as client:
        await SyncEngine(client, cache).run_once()
    with cache.sessions() as session:
        session.add(Staff(code="B01", name="Bench Packer", role="packer"))
        session.commit()
        open_fos = select(FulfillmentOrder.order_id).where(col(FulfillmentOrder.status).in_(("OPEN",)))
        not_open = select(FulfillmentOrder.order_id).where(col(FulfillmentOrder.status) != "OPEN")
        orders = session.exec(
            select(Order)
            .where(
                col(Order.cancelled_at).is_(None), col(Order.id).in_(open_fos), col(Order.id).not_in(not_open)
            )
            .order_by(col(Order.name))
        ).all()
        addresses = [(o.name, o.shipping_address or {}) for o in orders]
        return [
            name
            for name, a in addresses
            if a.get("countryCodeV2") == "US" and a.get("address1") and a.get("zip")
        ]


async def one_pack(desk: LabelDesk, cache: Cache, settings: Settings, name: str) -> float:
    with cache.sessions() as session:
        pack = packing.open_pack(session, PACKER, name)
        codes = [line.sku or line.barcode or "" for line in pack.lines for _ in range(line.needed)]
        for code in codes[:-1]:
            pack = packing.scan(session, PACKER, pack.session_ids, code)
        session.commit()
    started = time.perf_counter()
    with cache.sessions() as session:
        packing.scan(session, PACKER, pack.session_ids, codes[-1])
        session.commit()
    label = await desk.buy(name, weight_g=700)
    data = await desk.label_file(label)
    print_label(
        cache, settings, f"label-{label.tracking_number}", data, label.label_format.value, label.order_id
    )
    return time.perf_counter() - started


async def run(args: argparse.Namespace, work: Path) -> dict[str, float]:
    bin_dir = work / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text('#!/bin/sh\necho "request id is Bench-1 (1 file(s))"\n')
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    url = f"sqlite:///{work / 'cache.sqlite3'}"
    cache = open_cache(url, create=True)
    settings = Settings(
        database_url=url,
        station=PACKER.station,
        ship_from={"default": SHIP_FROM},
        print_folder=work / "prints",
        label_printer="Bench-Zebra",
    )
    store = SimStore(orders=max(160, args.packs * 8), seed=5)
    with run_in_thread(store, plan="plus") as server:
        names = (await synced(server, cache))[: args.packs]
        imitation: CarrierSim = server.app.state.carrier
        imitation.latency = {"shipment.create": args.create_ms / 1000, "shipment.buy": args.buy_ms / 1000}
        carrier = EasyPostCarrier(SecretStr(DEMO_API_KEY), server.url + DEMO_PATH)

        async def deliver(action_id: int) -> str:
            return await OutboxPusher(None, cache, carrier=carrier).deliver_now(action_id)

        desk = LabelDesk(cache, carrier, settings, PACKER, deliver)
        ours, theirs = [], []
        for name in names:
            before = len(imitation.answered)
            ours.append(await one_pack(desk, cache, settings, name))
            answered = imitation.answered[before:]
            theirs.append(
                sum(seconds for op, _, seconds in answered if op in ("shipment.create", "shipment.buy"))
            )
    cache.close()
    label_ms = [s * 1000 for s in ours]
    carrier_ms = [s * 1000 for s in theirs]
    return {
        "packs": len(ours),
        "label_p50_ms": round(statistics.median(label_ms), 1),
        "label_p95_ms": round(p95(label_ms), 1),
        "carrier_p50_ms": round(statistics.median(carrier_ms), 1),
        "carrier_p95_ms": round(p95(carrier_ms), 1),
        "label_ratio": round(p95(label_ms) / p95(carrier_ms), 3),
        "ours_p95_ms": round(p95([a - b for a, b in zip(label_ms, carrier_ms, strict=True)]), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--packs", type=int, default=200, help="packs timed one after the other")
    parser.add_argument(
        "--create-ms", type=float, default=450, help="the imitation's time to rate a shipment"
    )
    parser.add_argument("--buy-ms", type=float, default=650, help="the imitation's time to buy a label")
    args = parser.parse_args()
    os.environ["OMS_CONFIG_FILE"] = os.devnull
    with tempfile.TemporaryDirectory(prefix="oms-labels-bench-") as work:
        figures = asyncio.run(run(args, Path(work)))
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'scan to label printed':24}{figures['label_p50_ms']:>10}{figures['label_p95_ms']:>10}")
    print(f"{'carrier create + buy':24}{figures['carrier_p50_ms']:>10}{figures['carrier_p95_ms']:>10}")
    print(
        f"label_ratio {figures['label_ratio']} (goal <= 1.3); station's own p95 {figures['ours_p95_ms']} ms"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
