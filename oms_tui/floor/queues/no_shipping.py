"""Lines that need no shipping (gift cards, digital goods: Shopify's `requiresShipping` false) are
nobody's work on the floor: they are not picked, packed or counted as units, and a fulfillment order
whose units left all need none has left the floor's queues (the store delivers those lines itself).

A line the cache has not read yet counts as one that ships: work is never hidden by a gap in sync.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from oms_tui.cache.models import FulfillmentOrderLineItem, LineItem


# `needs_no_shipping` and `nothing_to_ship` depend on nothing but the schema: built once (SQLAlchemy's
# constructs are immutable), not at each of the queues' and the board's reads, where building them
# cost more than running them.
@cache
def needs_no_shipping() -> Any:
    """The order lines that need no shipping (few; read from their own partial index)."""
    return select(LineItem.id).where(~col(LineItem.requires_shipping))


def ships(line: Any = FulfillmentOrderLineItem) -> Any:
    """The fulfillment order line `line` (the entity or an alias of it) is one that ships."""
    return ~exists().where(col(LineItem.id) == line.line_item_id, ~col(LineItem.requires_shipping))


@cache
def nothing_to_ship() -> Any:
    """Fulfillment orders with units left, none of which ship: gift cards alone, or the goods shipped."""
    line, other = FulfillmentOrderLineItem, aliased(FulfillmentOrderLineItem)
    shipping_left = exists().where(
        col(other.fulfillment_order_id) == line.fulfillment_order_id,
        col(other.remaining_quantity) > 0,
        ships(other),
    )
    return select(line.fulfillment_order_id).where(
        col(line.line_item_id).in_(needs_no_shipping()), col(line.remaining_quantity) > 0, ~shipping_left
    )
