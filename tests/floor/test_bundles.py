"""A bundle (a product made of others: Shopify's `lineItemGroup`) is picked as its components, each
from its own bin, and packed as one: the pack and the packing slip show the bundle with its parts
beneath it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from oms_tui.cache.models import BinLocation, LineItem, Order, Station
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing import packing
from oms_tui.floor.picking.pick_batches import finish
from oms_tui.floor.picking.pick_lists import start_pick_list
from oms_tui.floor.picking.pick_scans import scan_item
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.printing.content import packing_slip
from oms_tui.printing.paper import PAPERS
from oms_tui.printing.slip_pdf import render_slips
from tests.floor.test_packing import HERE, LEASE, PACKER, T0, UPS_NUMBER, add_order, fulfils
from tests.printing.conftest import read_back
from tests.team import hire

PICKER_CODE = "P02"
KIT = "gid://shopify/LineItemGroup/77"


@pytest.fixture
def shop(session: Session) -> Session:
    """#1001: a Starter Kit (a mug and two socks) and a cap bought on its own."""
    hire(session)
    session.add(Station(name="pack-1", location_id=HERE))
    add_order(session, 1001, [("MUG-1", 1), ("CAP-9", 1), ("SOCK-2", 2)])
    for line in session.exec(select(LineItem).where(col(LineItem.sku).in_(("MUG-1", "SOCK-2")))):
        line.bundle_id, line.bundle_title, line.bundle_quantity = KIT, "Starter Kit", 1
    for sku, code in (("MUG-1", "A-12-1"), ("CAP-9", "B-1-1"), ("SOCK-2", "A-3-1")):
        session.add(BinLocation(location_id=HERE, sku=sku, code=code))
    session.commit()
    return session


def test_a_bundle_is_picked_as_its_components_and_packed_as_one(shop: Session) -> None:
    picker = Actor(station="pick-1", staff_code=PICKER_CODE)
    fo_id = "gid://shopify/FulfillmentOrder/1001"
    pick_list = start_pick_list(shop, [fo_id], picker, walk=WalkRule())
    assert pick_list.id is not None
    sheet = read_sheet(shop, pick_list.id)
    # Each component from its own bin, on the walk: no "Starter Kit" on any shelf
    assert [(line.bin_code, line.sku, line.needed) for line in sheet.lines] == [
        ("A-3-1", "SOCK-2", 2),
        ("A-12-1", "MUG-1", 1),
        ("B-1-1", "CAP-9", 1),
    ]
    for code in ("SOCK-2", "SOCK-2", "MUG-1", "CAP-9"):
        scan_item(shop, pick_list.id, code, picker)
    finish(shop, pick_list.id, picker, T0)

    pack = packing.open_pack(shop, PACKER, "1001", now=T0, lease=LEASE)
    # The bundle's parts together, under it, where its first part stands in the order
    assert [(line.bundle, line.sku) for line in pack.lines] == [
        ("Starter Kit x 1", "MUG-1"),
        ("Starter Kit x 1", "SOCK-2"),
        (None, "CAP-9"),
    ]
    for code in ("MUG-1", "SOCK-2", "SOCK-2", "CAP-9", UPS_NUMBER):
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
    packing.confirm(shop, PACKER, pack.session_ids)
    shop.commit()
    (payload,) = fulfils(shop)
    assert sum(line["quantity"] for line in payload["lines"]) == 4  # every component ships

    order = shop.get_one(Order, "gid://shopify/Order/1001")
    slip = packing_slip(shop, order, shop_name="Northwind", note="Thanks")
    assert [
        (line.title, line.quantity, [(p.sku, p.quantity) for p in line.components]) for line in slip.lines
    ] == [
        ("Starter Kit", 1, [("MUG-1", 1), ("SOCK-2", 2)]),
        ("Item CAP-9", 1, []),
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_the_packing_slip_prints_the_bundle_with_its_parts_beneath(shop: Session, tmp_path: Path) -> None:
    order = shop.get_one(Order, "gid://shopify/Order/1001")
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(
        render_slips([packing_slip(shop, order, shop_name="Northwind", note="Thanks")], PAPERS["a4"])
    )
    rows = [" ".join(row.split()) for row in read_back(pdf, tmp_path).pages[0].splitlines() if row.strip()]
    at = next(n for n, row in enumerate(rows) if "Starter Kit (bundle)" in row)
    assert rows[at].startswith("1 Starter Kit (bundle)")
    assert rows[at + 1].startswith("1 · Item MUG-1") and rows[at + 2].startswith("2 · Item SOCK-2")
    assert any(row.startswith("1 Item CAP-9") for row in rows)
    assert any("4 item(s)" in row for row in rows)
