"""An address the carrier cannot deliver to, found at the pack bench: the order is held for
INCORRECT_ADDRESS (the store hears it through the outbox), the pack is given up (its units go back,
a label bought for it is voided), and the exception pane says why, until the address is put right."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from oms_tui.actions.hold import HoldReason
from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import FloorException
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import ActionRefused, Actor, hold
from oms_tui.floor.packing.pack_reading import pack_rows, read_pack
from oms_tui.floor.packing.pack_state import Pack, PackProblem
from oms_tui.floor.packing.packing import abandon

FIX = "Correct the address in Shopify (ask the customer), then release the hold"


def hold_for_address(session: Session, actor: Actor, ids: Sequence[int], reason: str) -> Pack:
    """Hold the pack's fulfillment orders for their address, with the carrier's `reason`."""
    pack = read_pack(session, ids)
    if pack.state != "open":
        raise PackProblem(f"Pack {pack.state}", f"{pack.order_name} is {pack.state}: scan the next order")
    reason = reason.strip() or "the carrier cannot deliver to this address"
    fo_ids = [row.fulfillment_order_id for row in pack_rows(session, ids)]
    abandoned = abandon(session, actor, ids, "held: address undeliverable")
    try:
        with session.begin_nested():
            for fo_id in fo_ids:
                hold(session, actor, fo_id, HoldReason.INCORRECT_ADDRESS, reason)
    except ActionRefused as exc:
        raise PackProblem("Cannot hold", str(exc)) from None
    session.add(
        FloorException(
            kind=ExceptionKind.ADDRESS_UNDELIVERABLE,
            severity="warning",
            order_id=pack.order_id,
            subject=f"address {pack.order_name}",
            message=f"{pack.order_name} held at packing: {reason}",
            fix=FIX,
            owner=actor.staff_code,
        )
    )
    record_by(session, actor, action="pack.address_hold", subject=pack.order_id, reason=reason)
    return abandoned
