"""The orders of a page of fulfillment orders, read by id and written before them when the cache lacks them.

Search lags behind writes: an order placed just now may be missing from the orders stream's page and
its fulfillment orders found by the same pass moments later, once the search caught up. Written
alone, such a fulfillment order would stand in the cache without its order, which the floor takes for
granted (its number, its customer, what it is owed); read by id (no lag), the order lands first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from oms_tui.cache.models import Order
from oms_tui.store.changed_streams import ORDERS, StreamCounts

if TYPE_CHECKING:
    from oms_tui.store.sync import SyncEngine


async def orders_first(engine: SyncEngine, fulfillment_orders: list[Any], counts: StreamCounts) -> None:
    """Write the orders of these fulfillment orders that the cache has not got (counted in `counts`,
    the orders stream's); an order the store no longer has is left out, and one this pass found
    malformed (it is read again by a later pass)."""
    wanted = {fo.order_id for fo in fulfillment_orders} - engine.malformed.left_out
    if not wanted:
        return
    with engine.cache.reads() as session:  # not behind the write of the pages before
        have = set(session.exec(select(Order.id).where(col(Order.id).in_(wanted))))
    missing = sorted(wanted - have)
    if missing:
        page = await engine.client.read_nodes("nodes_orders", missing)
        await engine._write_page(ORDERS, page, counts, advance=False)
