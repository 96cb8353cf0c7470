"""The access scope each document needs: named in errors when the store denies access.

Minimal scope set for the app: read_orders, read_merchant_managed_fulfillment_orders,
write_merchant_managed_fulfillment_orders, read_locations, read_inventory, write_orders, and for
receiving returns read_returns and write_returns.
(Orders older than 60 days also need read_all_orders.)
"""

from __future__ import annotations

DOCUMENT_SCOPES: dict[str, str] = {
    "locations_page": "read_locations",
    "orders_page": "read_orders",
    "orders_count": "read_orders",
    "order_line_items": "read_orders",
    "nodes_orders": "read_orders",
    "bulk_orders": "read_orders",
    "bulk_run": "read_orders",
    "bulk_status": "read_orders",
    "fulfillment_orders_page": "read_merchant_managed_fulfillment_orders",
    "open_fulfillment_orders": "read_merchant_managed_fulfillment_orders",
    "fulfillment_order_line_items": "read_merchant_managed_fulfillment_orders",
    "nodes_fulfillment_orders": "read_merchant_managed_fulfillment_orders",
    "fulfillment_order_shipments": "read_merchant_managed_fulfillment_orders",
    "fulfillment_line_items": "read_orders",
    "bulk_fulfillment_orders": "read_merchant_managed_fulfillment_orders",
    "inventory_items": "read_inventory",
    "fulfillment_create": "write_merchant_managed_fulfillment_orders",
    "fulfillment_order_hold": "write_merchant_managed_fulfillment_orders",
    "fulfillment_order_release_hold": "write_merchant_managed_fulfillment_orders",
    "fulfillment_order_move": "write_merchant_managed_fulfillment_orders",
    "order_cancel": "write_orders",
    "job": "write_orders",  # read only to follow orderCancel's job
    "order_update": "write_orders",
    "tags_add": "write_orders",
    "returns_page": "read_returns",
    "nodes_order_returns": "read_returns",
    "nodes_returns": "read_returns",
    "order_returns": "read_returns",
    "return_line_items": "read_returns",
    "return_reverse_fulfillment_orders": "read_returns",
    "reverse_fulfillment_order_line_items": "read_returns",
    "reverse_fulfillment_order_dispose": "write_returns",
    "return_close": "write_returns",
}
