"""`oms-tui print`: the PDFs read back as a packer and a scanner would (pdftotext, pdftoppm, zbarimg)."""

from __future__ import annotations

import subprocess
from itertools import chain
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FulfillmentOrder, LineItem, Order
from oms_tui.cli import main
from oms_tui.config import Settings
from oms_tui.floor.picking.pick_lists import PICKABLE, plan_pick
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.printing.content import address_lines
from tests.printing.conftest import orders_to_pick, read_back

PAGE_POINTS = {"a4": (595, 842), "letter": (612, 792), "4x6": (288, 432)}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["print", *args])
    return result.exit_code, result.output


def page_size(pdf: Path) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    line = next(row for row in info.splitlines() if row.startswith("Page size:"))
    width, _, height = line.split()[2:5]
    return round(float(width)), round(float(height))


@pytest.mark.parametrize("paper", ["a4", "letter", "4x6"])
def test_packing_slips_read_back_to_their_orders(
    shop_cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paper: str
) -> None:
    monkeypatch.setenv("OMS_SLIP_PAPER", paper)
    monkeypatch.setenv("OMS_SHOP_NAME", "Northwind Outfitters")
    orders = orders_to_pick(shop_cache, 3)
    pdf = tmp_path / "slips.pdf"
    # The ways a person names an order: as the store shows it, without '#', and by its id.
    named = [orders[0].name, orders[1].name.lstrip("#"), orders[2].id]
    code, output = run("packing-slip", *named, "--to", str(pdf))
    assert code == 0, output
    assert output.strip() == f"wrote {pdf}"
    assert page_size(pdf) == PAGE_POINTS[paper]
    printed = read_back(pdf, tmp_path)
    assert len(printed.pages) == 3, "one page per order"
    assert printed.barcodes == [[order.name] for order in orders], "each slip scans back to its own order"
    with shop_cache.reads() as session:
        for order, page in zip(orders, printed.pages, strict=True):
            words = " ".join(page.split())
            assert "Northwind Outfitters" in words
            assert f"Order {order.name}" in words
            for address_line in address_lines(order.shipping_address):
                assert " ".join(address_line.split()) in words
            items = session.exec(
                select(LineItem).where(LineItem.order_id == order.id, col(LineItem.current_quantity) > 0)
            ).all()
            for item in items:
                row = next(line for line in page.splitlines() if item.sku and item.sku in line)
                assert row.split()[0] == str(item.current_quantity), f"{item.sku} quantity on {order.name}"
            assert f"{sum(item.current_quantity for item in items)} item(s)" in words
            assert Settings().slip_note.split("!")[0] in words  # the note to the customer


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pick_list_is_walked_in_bin_order_and_scans_back_to_its_skus(
    shop_cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paper: str
) -> None:
    monkeypatch.setenv("OMS_PAPER", paper)
    orders = orders_to_pick(shop_cache, 4)
    pdf = tmp_path / "pick.pdf"
    code, output = run("pick-list", *(order.name for order in orders), "--to", str(pdf))
    assert code == 0, output
    assert page_size(pdf) == PAGE_POINTS[paper]
    with shop_cache.reads() as session:
        fo_ids = [
            fo_id
            for order in orders
            for fo_id in sorted(
                session.exec(
                    select(FulfillmentOrder.id).where(
                        FulfillmentOrder.order_id == order.id, col(FulfillmentOrder.status).in_(PICKABLE)
                    )
                )
            )
        ]
        plan = plan_pick(session, fo_ids, walk=WalkRule())
    printed = read_back(pdf, tmp_path)
    assert sorted(chain.from_iterable(printed.barcodes)) == sorted(line.sku for line in plan if line.sku)
    text = "\n".join(printed.pages)
    rows = [line for line in text.splitlines() if any(line.split()[1:2] == [p.bin_code] for p in plan)]
    assert [row.split()[1] for row in rows] == [line.bin_code for line in plan], "bins in walking order"
    for line, row in zip(plan, rows, strict=True):
        assert line.title.split(" - ")[0] in row
        first = line.totes[0]  # a line shared by several totes lists the others under the first
        assert row.split()[-4:] == [str(line.quantity), str(first.quantity), "in", first.tote], row
    for n, order in enumerate(orders, start=1):
        assert f"T{n} = {order.name}" in text, "the tote each order goes into"


def test_an_unknown_order_prints_nothing(shop_cache: Cache, tmp_path: Path) -> None:
    pdf = tmp_path / "slips.pdf"
    code, output = run("packing-slip", "#1002", "#99999", "--to", str(pdf))
    assert code == 1
    assert output.strip() == "Error: nothing printed: no order #99999 in the cache (sync first if it is new)"
    assert not pdf.exists()


def test_without_a_printer_the_pdf_goes_into_the_print_folder(
    shop_cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "prints"
    monkeypatch.setenv("OMS_PRINT_FOLDER", str(folder))
    order = orders_to_pick(shop_cache, 1)[0]
    code, output = run("packing-slip", order.name)
    assert code == 0, output
    [kept] = folder.glob("*.pdf")
    assert output.strip() == f"no printer set: wrote {kept}"
    assert read_back(kept, tmp_path).barcodes == [[order.name]]


def test_orders_shipping_from_two_locations_get_a_pick_list_each(shop_cache: Cache, tmp_path: Path) -> None:
    with shop_cache.reads() as session:
        rows = session.exec(
            select(FulfillmentOrder.order_id, FulfillmentOrder.location_name).where(
                col(FulfillmentOrder.status).in_(PICKABLE)
            )
        ).all()
        places: dict[str, set[str]] = {}
        for order_id, location in rows:
            places.setdefault(order_id, set()).add(str(location))
        split = next(order_id for order_id, where in places.items() if len(where) == 2)
        order = session.get(Order, split)
        assert order is not None
    pdf = tmp_path / "pick.pdf"
    code, output = run("pick-list", order.name, "--to", str(pdf))
    assert code == 0, output
    pages = read_back(pdf, tmp_path).pages
    titles = [page.split("\n", 1)[0] for page in pages if page.startswith("Pick list")]
    assert sorted(titles) == [f"Pick list - {location}" for location in sorted(places[split])]
    assert pages[0].startswith("Pick list"), "each location's list from a new page"
