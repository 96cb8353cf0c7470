"""Replenishment: pick bins below their minimum, with the reserve bins that can refill them.

A pick bin's minimum is its own (`BinStock.minimum`) or the setting's; it is refilled to twice its
minimum, from the reserve bins of the same SKU at the location, fullest first. The list is walked in
the pick lists' walking order, by the reserve bin each refill is taken from.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from oms_tui.cache.enums import BinRole
from oms_tui.cache.models import BinStock
from oms_tui.floor.picking.walking import WalkRule, walk_sorted


@dataclass(frozen=True)
class Refill:
    sku: str
    pick_bin: str
    holds: int
    minimum: int
    take_from: str  # the reserve bin
    units: int  # to move from it to the pick bin


def refills(session: Session, location_id: str, default_minimum: int, walk: WalkRule) -> list[Refill]:
    rows = session.exec(select(BinStock).where(BinStock.location_id == location_id)).all()
    reserve: dict[str, list[BinStock]] = {}
    for row in rows:
        if row.role == BinRole.RESERVE and row.quantity > 0:
            reserve.setdefault(row.sku, []).append(row)
    found: list[Refill] = []
    for pick in (row for row in rows if row.role == BinRole.PICK):
        minimum = pick.minimum if pick.minimum is not None else default_minimum
        if pick.quantity >= minimum:
            continue
        wanted = 2 * minimum - pick.quantity
        for source in sorted(reserve.get(pick.sku, []), key=lambda row: (-row.quantity, row.code)):
            if wanted <= 0:
                break
            units = min(wanted, source.quantity)
            found.append(Refill(pick.sku, pick.code, pick.quantity, minimum, source.code, units))
            wanted -= units
    return walk_sorted(found, lambda refill: refill.take_from, walk)
