"""Units set aside: a damaged unit found while picking, a returned unit put back for checking.

A unit found damaged in a pick bin leaves `available` for `damaged` (or `quality_control`) at the
pick list's location, and our bin holds one less. A returned unit restocked for checking is moved
from `available` to `quality_control` after its restock: queued behind the return's disposal (same
outbox queue: the order), so the store has the restocked unit when the move arrives.
"""

from __future__ import annotations

from sqlmodel import Session

from oms_tui.actions.permissions import ActionRefused
from oms_tui.actions.stock_common import MoveName, Reason
from oms_tui.cache.models import BinStock, OutboxAction, PickList
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.returns.returns import RESTOCK, Receiving
from oms_tui.floor.stock.bin_stock import received_into_bin
from oms_tui.floor.stock.stock_changes import level_of, record_move, reference

SET_ASIDE = {MoveName.DAMAGED: Reason.DAMAGED, MoveName.QUALITY_CONTROL: Reason.QUALITY_CONTROL}


def damaged_in_pick(
    session: Session,
    actor: Actor,
    pick_list_id: int,
    sku: str | None,
    bin_code: str | None,
    target: MoveName = MoveName.DAMAGED,
    units: int = 1,
) -> OutboxAction:
    """Units of the line's SKU found damaged in its bin while picking."""
    if not sku:
        raise ActionRefused("this line has no SKU: set the unit aside and tell a manager")
    if target not in SET_ASIDE:
        raise ActionRefused("a unit is set aside as damaged or for quality control")
    pick_list = session.get(PickList, pick_list_id)
    if pick_list is None:
        raise ActionRefused(f"no pick list {pick_list_id}")
    level = level_of(session, sku, pick_list.location_id)
    uri = reference("PickList", pick_list_id)
    action = record_move(session, actor, level, MoveName.AVAILABLE, target, units, SET_ASIDE[target], uri=uri)
    stock = session.get(BinStock, (pick_list.location_id, bin_code, sku)) if bin_code else None
    if stock is not None:  # our bin record follows: the unit left the bin
        stock.quantity, stock.updated_at = max(0, stock.quantity - units), utcnow()
        session.add(stock)
    return action


def returned_to_stock(
    session: Session, actor: Actor, finished: Receiving, for_quality: set[str]
) -> list[OutboxAction]:
    """After a return is received: restocked units are in their bin by our records, and those the desk
    restocked for checking (`for_quality`: line ids) are held in quality control."""
    moves = []
    for item in finished.items:
        if item.outcome != RESTOCK or not item.received or not item.sku or not item.location_id:
            continue
        if item.bin_code:
            received_into_bin(session, item.location_id, item.bin_code, item.sku, item.received)
        if item.line_id in for_quality:
            moves.append(
                quality_check_returned(
                    session,
                    actor,
                    finished.order_id,
                    finished.name,
                    item.sku,
                    item.location_id,
                    item.received,
                )
            )
    return moves


def quality_check_returned(
    session: Session, actor: Actor, order_id: str, return_name: str, sku: str, location_id: str, units: int
) -> OutboxAction:
    """Returned units just restocked at a location, held in `quality_control` until checked."""
    level = level_of(session, sku, location_id)
    uri = reference("Return", return_name.lstrip("#"))
    return record_move(
        session,
        actor,
        level,
        MoveName.AVAILABLE,
        MoveName.QUALITY_CONTROL,
        units,
        Reason.QUALITY_CONTROL,
        uri=uri,
        queue_under=order_id,
    )
