"""What a scanned code names, when no screen took it: an order, a parcel, an item; badges are the app's.

Asked in this order: an order number or id, a tracking number (shipped, or packed here and not yet
synced), a SKU or barcode of any order's line. Anything else is unknown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from oms_tui.cache.models import Fulfillment, FulfillmentOrder, LineItem, PackSession
from oms_tui.floor.orders.lookup import NotFound, find_order


class Named(enum.Enum):
    ORDER = "order"
    PARCEL = "tracking number"
    ITEM = "SKU or barcode"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ScanTarget:
    named: Named
    order_id: str | None = None  # an order or a parcel: the order to open


def identify(session: Session, code: str) -> ScanTarget:
    try:
        return ScanTarget(Named.ORDER, find_order(session, code).id)
    except NotFound:
        pass
    if (order_id := _parcel_order(session, code)) is not None:
        return ScanTarget(Named.PARCEL, order_id)
    line = select(LineItem.id).where(or_(col(LineItem.sku) == code, col(LineItem.barcode) == code))
    if session.exec(line.limit(1)).first() is not None:
        return ScanTarget(Named.ITEM)
    return ScanTarget(Named.UNKNOWN)


def _parcel_order(session: Session, code: str) -> str | None:
    shipped = select(Fulfillment.order_id).where(col(Fulfillment.tracking_number) == code)
    if (order_id := session.exec(shipped.limit(1)).first()) is not None:
        return order_id
    packed = (
        select(FulfillmentOrder.order_id)
        .join(PackSession, col(PackSession.fulfillment_order_id) == col(FulfillmentOrder.id))
        .where(col(PackSession.tracking_number) == code)
    )
    return session.exec(packed.limit(1)).first()
