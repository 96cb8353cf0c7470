"""Our bins' stock as units arrive: restocked returns, received shipments (`received_into_bin`), and
the roles and minimums replenishment reads (`set_bin`; a manager's change of a whole bin:
`set_bin_role`, `set_bin_minimum`). These are floor data of ours: written here, never sent to the store.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from oms_tui.actions.permissions import ActionRefused, Permission, require
from oms_tui.cache.enums import BinRole
from oms_tui.cache.models import BinLocation, BinStock, Staff
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.stock.stock_changes import reference


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


def bin_rows(session: Session, location_id: str, code: str) -> list[BinStock]:
    """A bin's stock records (a row per SKU); refused, saying why, for a bin we hold nothing of."""
    code = code.strip().upper()
    rows = session.exec(
        select(BinStock)
        .where(BinStock.location_id == location_id, BinStock.code == code)
        .order_by(col(BinStock.sku))
    ).all()
    if rows:
        return list(rows)
    imported = session.exec(
        select(BinLocation).where(BinLocation.location_id == location_id, BinLocation.code == code)
    ).first()
    if imported is not None:  # a row of 0 units would read as "counted empty" to the next count
        raise ActionRefused(f"bin {code}: nothing counted or received in it yet: count it first")
    raise ActionRefused(f"no bin {code!r} at this location")


def set_bin_role(
    session: Session, actor: Actor, location_id: str, code: str, role: BinRole
) -> list[BinStock]:
    """Bin `code` is a pick or a reserve bin, for every SKU it holds (a role belongs to the bin)."""
    rows = _managed(session, actor, location_id, code)
    for row in rows:
        row.role, row.updated_at = role, utcnow()
        session.add(row)
    _audit(session, actor, rows[0], "stock.bin_role", role=role.value)
    return rows


def set_bin_minimum(
    session: Session, actor: Actor, location_id: str, code: str, minimum: int | None
) -> list[BinStock]:
    """Bin `code`'s own minimum, for every SKU it holds (None: the setting's)."""
    if minimum is not None and minimum < 0:
        raise ActionRefused("a bin's minimum is 0 or more")
    rows = _managed(session, actor, location_id, code)
    for row in rows:
        row.minimum, row.updated_at = minimum, utcnow()
        session.add(row)
    _audit(session, actor, rows[0], "stock.bin_minimum", minimum=minimum)
    return rows


def _managed(session: Session, actor: Actor, location_id: str, code: str) -> list[BinStock]:
    require(session.get(Staff, actor.staff_code) if actor.staff_code else None, Permission.SET_BINS)
    return bin_rows(session, location_id, code)


def _audit(session: Session, actor: Actor, row: BinStock, action: str, **details: object) -> None:
    record_by(
        session, actor, action=action, subject=reference("Bin", row.code), location=row.location_id, **details
    )
