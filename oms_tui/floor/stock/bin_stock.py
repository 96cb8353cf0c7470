"""Our bins' stock as units arrive: restocked returns, received shipments (`received_into_bin`), and
the roles and minimums replenishment reads (`set_bin`)."""

from __future__ import annotations

from sqlmodel import Session

from oms_tui.actions.permissions import ActionRefused
from oms_tui.cache.enums import BinRole
from oms_tui.cache.models import BinStock
from oms_tui.cache.types import utcnow


def received_into_bin(session: Session, location_id: str, code: str, sku: str, units: int) -> BinStock:
    """`units` of `sku` put into bin `code` (a bin we had no record of starts at what arrived)."""
    if units <= 0:
        raise ActionRefused("units received into a bin are 1 or more")
    stock = session.get(BinStock, (location_id, code, sku)) or BinStock(
        location_id=location_id, code=code, sku=sku
    )
    stock.quantity, stock.updated_at = stock.quantity + units, utcnow()
    session.add(stock)
    return stock


def set_bin(
    session: Session, location_id: str, code: str, sku: str, role: BinRole, minimum: int | None = None
) -> BinStock:
    """A bin's role (pick or reserve) and its own minimum (None: the setting's)."""
    if minimum is not None and minimum < 0:
        raise ActionRefused("a bin's minimum is 0 or more")
    stock = session.get(BinStock, (location_id, code, sku)) or BinStock(
        location_id=location_id, code=code, sku=sku
    )
    stock.role, stock.minimum, stock.updated_at = role, minimum, utcnow()
    session.add(stock)
    return stock
