"""Stock changes the store must hear about: a count's result (set), a correction (adjust), units
changing state (move). Each is recorded through `_queue` (permission, audit, outbox) with its own
idempotency key, then applied to the cached level at once, as the store will apply it.

The cached level's quantities are what every change is computed against (`changeFromQuantity`), so
the store refuses a change made from stale numbers instead of overwriting someone else's.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from oms_tui.actions.inventory_adjust import InventoryAdjustPayload
from oms_tui.actions.inventory_move import InventoryMovePayload
from oms_tui.actions.inventory_set import InventorySetPayload
from oms_tui.actions.permissions import ActionRefused
from oms_tui.actions.stock_common import AdjustName, MoveName, Reason, SetName, new_key
from oms_tui.cache.models import InventoryLevel, Location, OutboxAction
from oms_tui.floor.actions.store_actions import Actor, _payload, _queue

HELD = ("committed", "reserved", "damaged", "quality_control", "safety_stock")


def reference(kind: str, ident: object | None = None) -> str:
    """A document of ours naming why stock changed: gid://oms-tui/Count/12."""
    return f"gid://oms-tui/{kind}/{ident if ident is not None else uuid.uuid4().hex[:12]}"


def location_of(session: Session, given: str | None) -> Location:
    """A location by name or id; with none given, the shop's only active location."""
    locations = session.exec(select(Location).where(col(Location.is_active))).all()
    if given is None:
        if len(locations) != 1:
            names = ", ".join(sorted(loc.name for loc in locations)) or "none synced yet"
            raise ActionRefused(f"name a location (--location): {names}")
        return locations[0]
    found = next((loc for loc in locations if given in (loc.id, loc.name)), None)
    if found is None:
        raise ActionRefused(f"no active location {given!r}")
    return found


def level_of(session: Session, sku: str, location_id: str) -> InventoryLevel:
    level = session.exec(
        select(InventoryLevel).where(InventoryLevel.sku == sku, InventoryLevel.location_id == location_id)
    ).first()
    if level is None:
        raise ActionRefused(f"{sku}: no stock of it at that location in the cache (is it synced?)")
    return level


def record_set(
    session: Session,
    actor: Actor,
    level: InventoryLevel,
    quantity: int,
    uri: str,
    *,
    name: SetName = SetName.ON_HAND,
    reason: Reason = Reason.CYCLE_COUNT_AVAILABLE,
) -> OutboxAction:
    payload = _payload(
        InventorySetPayload,
        **_stock_fields(level, uri),
        name=name,
        quantity=quantity,
        change_from_quantity=getattr(level, name.value),
        reason=reason,
    )
    action = _queue(session, actor, level.inventory_item_id, uri, payload)
    _change(level, name.value, quantity - getattr(level, name.value))
    session.add(level)
    return action


def record_adjust(
    session: Session,
    actor: Actor,
    level: InventoryLevel,
    delta: int,
    reason: Reason,
    *,
    name: AdjustName = AdjustName.AVAILABLE,
    uri: str | None = None,
) -> OutboxAction:
    if delta == 0:
        raise ActionRefused("an adjustment changes stock by at least one unit")
    uri = uri or reference("Adjustment")
    payload = _payload(
        InventoryAdjustPayload,
        **_stock_fields(level, uri),
        name=name,
        delta=delta,
        change_from_quantity=getattr(level, name.value),
        reason=reason,
    )
    action = _queue(session, actor, level.inventory_item_id, uri, payload)
    _change(level, name.value, delta)
    session.add(level)
    return action


def record_move(
    session: Session,
    actor: Actor,
    level: InventoryLevel,
    source: MoveName,
    target: MoveName,
    quantity: int,
    reason: Reason,
    *,
    uri: str | None = None,
    queue_under: str | None = None,
) -> OutboxAction:
    """`queue_under`: the outbox queue it waits in (default: its item's); an order's, to reach the store
    after that order's actions recorded before it (a return's restock)."""
    uri = uri or reference("Move")
    payload = _payload(
        InventoryMovePayload,
        **_stock_fields(level, uri),
        from_name=source,
        to_name=target,
        quantity=quantity,
        from_quantity=getattr(level, source.value),
        to_quantity=getattr(level, target.value),
        reason=reason,
    )
    if source != MoveName.AVAILABLE and getattr(level, source.value) < quantity:
        raise ActionRefused(f"{level.sku}: only {getattr(level, source.value)} {source.value} to move")
    action = _queue(session, actor, queue_under or level.inventory_item_id, uri, payload)
    setattr(level, source.value, getattr(level, source.value) - quantity)
    setattr(level, target.value, getattr(level, target.value) + quantity)
    session.add(level)
    return action


def _stock_fields(level: InventoryLevel, uri: str) -> dict[str, str]:
    """What every stock change takes from its level and its document, with a new idempotency key."""
    return {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "sku": level.sku,
        "reference_document_uri": uri,
        "idempotency_key": new_key(),
    }


def _change(level: InventoryLevel, name: str, delta: int) -> None:
    """As the store changes a quantity: `on_hand` is the sum of its states (`incoming` is not on hand)."""
    if name in ("available", "on_hand"):
        level.on_hand += delta
        level.available += delta
    elif name == "incoming":
        level.incoming += delta
    else:
        setattr(level, name, getattr(level, name) + delta)
        level.on_hand += delta
