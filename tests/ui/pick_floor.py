"""Bins for the synced simulator shop, and reading a picker's open list, for pick screen tests."""

from __future__ import annotations

from sqlmodel import select

from oms_tui.cache.models import BinLocation, FulfillmentOrder, LineItem
from oms_tui.floor.picking.pick_lists import open_pick_list
from oms_tui.floor.picking.pick_sheet import PickSheet, read_sheet
from oms_tui.runtime import Runtime


def shelve_every_sku(runtime: Runtime) -> None:
    """Every SKU gets a bin in every location, spread over aisles A to C."""
    with runtime.cache.sessions() as session:
        skus = sorted({sku for sku in session.exec(select(LineItem.sku)) if sku})
        locations = sorted({loc for loc in session.exec(select(FulfillmentOrder.location_id)) if loc})
        for n, sku in enumerate(skus):
            for location in locations:
                code = f"{'ABC'[n % 3]}-{n // 3 + 1}-{n % 4 + 1}"
                session.add(BinLocation(location_id=location, sku=sku, code=code))
        session.commit()


def open_sheet(runtime: Runtime, staff_code: str) -> PickSheet | None:
    with runtime.cache.reads() as session:
        pick_list = open_pick_list(session, staff_code)
        return read_sheet(session, pick_list.id) if pick_list and pick_list.id else None
