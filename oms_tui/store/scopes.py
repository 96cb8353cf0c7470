"""The access scope each document needs, as the document's first line says (`# scope: read_orders`):
named in errors when the store denies access. A new document says its own scope; nothing else lists it.

Minimal scope set for the app: read_orders, read_merchant_managed_fulfillment_orders,
write_merchant_managed_fulfillment_orders, read_locations, read_inventory, write_orders, write_inventory
(counts, adjustments and moves of stock), for receiving returns read_returns and write_returns, and for
receiving inbound stock read_inventory_transfers, read_inventory_shipments and
write_inventory_shipments_received_items.
(Orders older than 60 days also need read_all_orders.)
"""

from __future__ import annotations

from oms_tui.store.documents import load, names


def document_scope(name: str) -> str | None:
    """The scope a document of ours needs; None for text that is not one of our documents."""
    return load(name).scope if name in names() else None
