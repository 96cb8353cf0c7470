"""What the inventory stream asks the store for: the stock of the SKUs on open work, read incrementally.

Pickers and the exception rules look at the stock of what is to be shipped. The first pass (no
watermark yet) reads every SKU on open work by SKU; later passes read by SKU only the SKUs whose
stock the cache holds at no location (new on open work), and otherwise only the inventory items the
store changed since the watermark (`inventoryItems(query: "updated_at:>=...")`), so a pass reads a
handful of items instead of every SKU on open work again. Of the items changed, only those the cache
holds stock of are kept.

`inventoryItems` has no sort key, so no page tells how far a walk has come: the watermark moves only
once a pass has read everything, to the moment it started (less the overlap when it is used, which
covers the store's search lag and small differences between its clock and ours).
"""

from __future__ import annotations

from sqlmodel import Session, col, exists, select

from oms_tui.cache.models import FulfillmentOrder, FulfillmentOrderLineItem, InventoryLevel
from oms_tui.store.payloads import InventoryItemNode

STREAM = "inventory"
OPEN_FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "INCOMPLETE")
SKUS_PER_QUERY = 50


def open_work_skus(session: Session, *, unread_only: bool) -> list[str]:
    """The SKUs still to ship on open fulfillment orders; `unread_only`: those the cache holds no stock of."""
    query = (
        select(FulfillmentOrderLineItem.sku)
        .join(FulfillmentOrder, col(FulfillmentOrder.id) == FulfillmentOrderLineItem.fulfillment_order_id)
        .where(col(FulfillmentOrder.status).in_(OPEN_FO_STATUSES))
        .where(FulfillmentOrderLineItem.remaining_quantity > 0)
    )
    if unread_only:
        query = query.where(~exists().where(col(InventoryLevel.sku) == FulfillmentOrderLineItem.sku))
    return sorted({sku for sku in session.exec(query) if sku})


def inventory_queries(skus: list[str], changed_since: str | None) -> list[str]:
    """The `inventoryItems` searches of one pass: what changed since a search time, then SKUs by the 50."""
    by_sku = [
        " OR ".join(f"sku:{_quote(sku)}" for sku in skus[start : start + SKUS_PER_QUERY])
        for start in range(0, len(skus), SKUS_PER_QUERY)
    ]
    return [f"updated_at:>='{changed_since}'", *by_sku] if changed_since else by_sku


def items_kept(session: Session, items: list[InventoryItemNode], skus: list[str]) -> list[InventoryItemNode]:
    """The items of `skus`, or whose stock the cache holds already: a change to another item (a SKU on
    no open work) is none of the floor's business."""
    cached = set(
        session.exec(
            select(InventoryLevel.inventory_item_id).where(
                col(InventoryLevel.inventory_item_id).in_([item.id for item in items])
            )
        )
    )
    wanted = set(skus)
    return [item for item in items if item.id in cached or item.sku in wanted]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
