"""`oms-tui labels` against the simulator served on loopback (store and EasyPost imitation), the
label service configured as for EasyPost itself: only the key and the address differ."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.enums import ExceptionKind, LabelState
from oms_tui.cache.models import FloorException, ShippingLabel
from oms_tui.label_service import DEMO_PATH
from oms_tui.sim.carrier.state import DEMO_API_KEY
from oms_tui.sim.store import SimStore
from tests.cli_shop import oms, serving
from tests.labels.conftest import ORDERS, SEED, SHIP_FROM
from tests.printing.conftest import read_back


@pytest.fixture
def shop(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, synced_cache_file: Path
) -> Iterator[str]:
    """The served shop's URL; the station signed in as packer P01, labels to the print folder."""
    shutil.copyfile(synced_cache_file, db_url.removeprefix("sqlite:///"))
    with serving(SimStore(orders=ORDERS, seed=SEED), monkeypatch):
        url = os.environ["OMS_SHOP_URL"]
        monkeypatch.setenv("OMS_LABEL_API_KEY", DEMO_API_KEY)
        monkeypatch.setenv("OMS_LABEL_API_BASE", url + DEMO_PATH)
        monkeypatch.setenv("OMS_SHIP_FROM", json.dumps({"default": SHIP_FROM}))
        monkeypatch.setenv("OMS_STAFF", "P01")
        monkeypatch.setenv("OMS_PRINT_FOLDER", str(tmp_path / "prints"))
        yield url


def ledger(url: str) -> dict[str, object]:
    answer: dict[str, object] = httpx.get(url + "/__ledger").json()
    return answer


def labels(db_url: str) -> list[ShippingLabel]:
    cache = open_cache(db_url)
    with cache.reads() as session:
        rows = list(session.exec(select(ShippingLabel)))
    cache.close()
    return rows


def first_open_order(db_url: str) -> str:
    from tests.labels.conftest import LabelShop

    cache = open_cache(db_url)
    try:
        return LabelShop.open_orders(type("Shop", (), {"cache": cache})(), 1)[0].name  # type: ignore[arg-type]
    finally:
        cache.close()


def test_rates_then_a_pdf_label_whose_barcode_reads_as_its_tracking_number(
    shop: str, db_url: str, tmp_path: Path
) -> None:
    order = first_open_order(db_url)
    rates = oms("labels", "rates", order, "--weight", "700")
    assert rates.exit_code == 0, rates.output
    chosen = [line for line in rates.output.splitlines() if line.startswith("*")]
    assert len(chosen) == 1 and "USPS" in rates.output and "UPS" in rates.output
    bought = oms("labels", "buy", order, "--weight", "700", "--to", str(tmp_path / "label.pdf"))
    assert bought.exit_code == 0, bought.output
    tracking = bought.stdout.splitlines()[0]
    assert chosen[0].split()[1] == labels(db_url)[0].rate_id, "the rule's rate was bought"
    assert read_back(tmp_path / "label.pdf", tmp_path).barcodes == [[tracking]]
    again = oms("labels", "buy", order)
    assert (
        again.exit_code == 1 and again.output.count("\n") == 1 and "already has a live label" in again.output
    )
    [charge] = [entry for entry in ledger(shop)["entries"] if entry["type"] == "charge"]  # type: ignore[attr-defined]
    assert charge["tracking_code"] == tracking


BAD_INPUT = [
    (["--to", "label.txt"], "name a .pdf or a .zpl file"),
    (["--box", "crate"], "unknown box 'crate'"),
    (["--weight", "0"], "--weight"),
    (["--rate", "rate_nope"], "'rate_nope' is not one of"),
]


def test_bad_input_is_one_line_and_buys_nothing(shop: str, db_url: str) -> None:
    order = first_open_order(db_url)
    for args, said in BAD_INPUT:
        result = oms("labels", "buy", order, *args)
        assert result.exit_code != 0 and said in result.output, args
        assert "Traceback" not in result.output
    assert ledger(shop)["entries"] == []
    assert all(label.state == LabelState.DROPPED for label in labels(db_url))
    assert oms("labels", "buy", "#99999").output.strip().count("\n") == 0


def fake_lp(bin_dir: Path, script: str) -> Path:
    """An `lp` that records its arguments and copies the file it is given, then runs `script`."""
    bin_dir.mkdir(exist_ok=True)
    lp = bin_dir / "lp"
    lp.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{bin_dir}/lp.args"\n'
        f'for last in "$@"; do :; done\ncp "$last" "{bin_dir}/printed"\n{script}\n'
    )
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def test_a_zpl_label_goes_raw_to_the_thermal_printer_and_a_failure_keeps_it(
    shop: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_LABEL_PRINTER", "Zebra")
    monkeypatch.setenv("OMS_LABEL_FORMAT", "ZPL")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    spool = fake_lp(tmp_path / "bin", 'echo "request id is Zebra-7 (1 file(s))"')
    order = first_open_order(db_url)
    bought = oms("labels", "buy", order)
    assert bought.exit_code == 0, bought.output
    tracking = bought.stdout.splitlines()[0]
    sent = (spool / "lp.args").read_text().splitlines()
    assert sent[:4] == ["-d", "Zebra", "-o", "raw"]
    printed = (spool / "printed").read_text()
    assert printed.startswith("^XA") and f"^FD{tracking}^FS" in printed
    fake_lp(tmp_path / "bin", 'echo "lp: Zebra is offline" >&2; exit 1')
    again = oms("labels", "reprint", order)
    assert (
        again.exit_code == 1 and "printer Zebra failed: lp: Zebra is offline (label kept at" in again.output
    )
    kept = Path(again.output.split("label kept at ")[1].rstrip(")\n"))
    assert tracking in kept.read_text()
    cache = open_cache(db_url)
    with cache.reads() as session:
        problem = session.exec(
            select(FloorException).where(FloorException.kind == ExceptionKind.PRINT_FAILED)
        ).one()
        assert str(kept) in problem.message
    cache.close()
    assert len([e for e in ledger(shop)["entries"]]) == 1, "a reprint buys nothing"  # type: ignore[attr-defined]


def test_void_then_refunds_confirm_and_the_ledger_nets_to_zero(
    shop: str, db_url: str, tmp_path: Path
) -> None:
    order = first_open_order(db_url)
    assert oms("labels", "buy", order, "--to", str(tmp_path / "l.pdf")).exit_code == 0
    voided = oms("labels", "void", order)
    assert voided.exit_code == 0, voided.output
    assert "voiding, refund submitted" in voided.output
    refunds = oms("labels", "refunds")
    assert refunds.exit_code == 0 and "refund refunded" in refunds.output
    assert ledger(shop)["net"] == "0.00"
    assert oms("labels", "void", order).exit_code == 1, "nothing live to void"


def test_the_days_scan_form_for_one_carrier(shop: str, db_url: str, tmp_path: Path) -> None:
    order = first_open_order(db_url)
    bought = oms("labels", "buy", order, "--to", str(tmp_path / "l.pdf"))
    tracking = bought.stdout.splitlines()[0]
    carrier = labels(db_url)[0].carrier
    assert carrier is not None
    other = "UPS" if carrier != "UPS" else "USPS"
    assert oms("labels", "scan-form", "--carrier", other).exit_code == 1
    form = oms("labels", "scan-form", "--carrier", carrier, "--to", str(tmp_path / "form.pdf"))
    assert form.exit_code == 0, form.output
    assert f"{carrier}, 1 labels" in form.output
    assert tracking in read_back(tmp_path / "form.pdf", tmp_path).pages[0]
    assert oms("labels", "scan-form").exit_code == 1, "nothing left for a form"


def test_a_batchs_single_item_orders_get_their_labels_in_pick_order_once(
    shop: str, db_url: str, tmp_path: Path
) -> None:
    from sqlmodel import func

    from oms_tui.cache.models import FulfillmentOrder, FulfillmentOrderLineItem, Order, PickList, PickListLine

    cache = open_cache(db_url)
    with cache.sessions() as session:
        units = dict(
            session.exec(
                select(FulfillmentOrder.order_id, func.sum(FulfillmentOrderLineItem.remaining_quantity))
                .join(
                    FulfillmentOrderLineItem,
                    FulfillmentOrderLineItem.fulfillment_order_id == FulfillmentOrder.id,
                )
                .where(FulfillmentOrder.status == "OPEN")
                .group_by(FulfillmentOrder.order_id)
            ).all()
        )
        candidates = sorted(order_id for order_id, count in units.items() if count > 1)
        several, singles = candidates[0], candidates[1:3]
        for order_id in singles:  # the rest of these two shipped already: one unit left each
            lines = session.exec(
                select(FulfillmentOrderLineItem)
                .join(FulfillmentOrder, FulfillmentOrderLineItem.fulfillment_order_id == FulfillmentOrder.id)
                .where(FulfillmentOrder.order_id == order_id)
            ).all()
            for n, line in enumerate(lines):
                line.remaining_quantity = 1 if n == 0 else 0
        batch = PickList(staff_code="P01", station="pack-1", location_id="x")
        session.add(batch)
        session.flush()
        walk = [singles[1], several, singles[0]]  # the walk passes the second order first
        for sequence, order_id in enumerate(walk):
            fo = session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == order_id)).first()
            assert fo is not None
            session.add(
                PickListLine(
                    pick_list_id=batch.id,
                    sequence=sequence,
                    fulfillment_order_id=fo.id,
                    fulfillment_order_line_item_id="x",
                    needed=1,
                )
            )
        names = [session.get_one(Order, order_id).name for order_id in (singles[1], singles[0])]
        batch_id = str(batch.id)
        session.commit()
    cache.close()
    first = oms("labels", "batch", batch_id)
    assert first.exit_code == 0, first.output
    printed = [line.split()[0] for line in first.stdout.splitlines()]
    assert printed == names, "the single-item orders, in pick order"
    assert "2 of 2 labels bought and printed" in first.output
    again = oms("labels", "batch", batch_id)
    assert again.exit_code == 0 and len(ledger(shop)["entries"]) == 2, "a rerun buys nothing twice"  # type: ignore[arg-type]
    assert oms("labels", "batch", "999").output.strip() == "Error: no pick batch 999"
