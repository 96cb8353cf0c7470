"""Every kind of floor action, by its `ActionKind`: the one place the outbox, the CLI, the order
timeline and the checks look a kind up. A new kind is one module here (and its GraphQL document)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from oms_tui.actions.base import Declaration, Payload
from oms_tui.actions.cancel import CANCEL
from oms_tui.actions.fulfill import FULFILL
from oms_tui.actions.hold import HOLD
from oms_tui.actions.inventory_adjust import INVENTORY_ADJUST
from oms_tui.actions.inventory_move import INVENTORY_MOVE
from oms_tui.actions.inventory_set import INVENTORY_SET
from oms_tui.actions.label_buy import LABEL_BUY
from oms_tui.actions.label_void import LABEL_VOID
from oms_tui.actions.message_note import MESSAGE_NOTE
from oms_tui.actions.move import MOVE
from oms_tui.actions.note import NOTE
from oms_tui.actions.release_hold import RELEASE_HOLD
from oms_tui.actions.return_close import RETURN_CLOSE
from oms_tui.actions.return_dispose import RETURN_DISPOSE
from oms_tui.actions.shipment_receive import SHIPMENT_RECEIVE
from oms_tui.actions.tags import TAGS
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import Location, OutboxAction

KINDS: dict[ActionKind, Declaration[Any]] = {
    declared.kind: declared
    for declared in (
        *(FULFILL, HOLD, RELEASE_HOLD, MOVE, CANCEL, NOTE, TAGS, RETURN_DISPOSE, RETURN_CLOSE),
        *(INVENTORY_SET, INVENTORY_ADJUST, INVENTORY_MOVE),
        SHIPMENT_RECEIVE,
        MESSAGE_NOTE,
    )
}
KINDS.update({declared.kind: declared for declared in (LABEL_BUY, LABEL_VOID)})  # carrier kinds


def declaration(kind: str) -> Declaration[Any]:
    """The declaration of a kind (raises ValueError for a kind no module declares)."""
    return KINDS[ActionKind(kind)]


def declared_for(payload: Payload) -> Declaration[Any]:
    """The declaration whose payload this is."""
    return next(declared for declared in KINDS.values() if isinstance(payload, declared.payload_model))


def about(action: OutboxAction, locations: Mapping[str, str]) -> str | None:
    """What a recorded action is about when that is no order: a stock change's SKU and location, a
    receipt's shipment (`Declaration.about`); None: its order, or a kind or shape this version cannot
    read (`locations`: id -> name)."""
    try:
        declared = declaration(action.kind)
        return declared.about(declared.read(action.payload), locations)
    except ValueError:  # a kind this version does not know, or a payload of another shape
        return None


def location_names(session: Session) -> dict[str, str]:
    """Every location's name by id, as `about` and `Declaration.timeline` read them."""
    return dict(session.exec(select(Location.id, Location.name)).all())
