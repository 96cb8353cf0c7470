"""Running the settings' rules on orders: each rule at most once per order version, each firing
recorded (the rule's name on the order's timeline) and its store actions sent through the outbox.

A rule that matches records a firing for that version of the order (its `updatedAt`), done or not:
the store actions it queues change the order at the store, and the next version it brings back fires
the rule again only where it still matches and something is left to do (a tag already there, a hold
already placed, is nothing to do). A rule whose actions need the order's fulfillment orders waits for
them (they arrive in their own sync stream).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from oms_tui.actions.permissions import ActionRefused
from oms_tui.cache.enums import ExceptionKind, ExceptionState
from oms_tui.cache.models import FloorException, Order, OrderWave, RuleFiring
from oms_tui.floor.actions import store_actions
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.orders.lookup import NotFound, find_location
from oms_tui.floor.rules.conditions import OrderView, load_view, matches
from oms_tui.rules_settings import Rule

WORKABLE = ("OPEN", "IN_PROGRESS")  # fulfillment orders a hold or a move applies to
NEEDS_FULFILLMENT_ORDERS = frozenset({"hold", "move_to"})
FIRED = "rule.fired"  # the audit action of a firing


@dataclass
class Firing:
    rule: str
    order_id: str
    did: list[str] = field(default_factory=list)


def run_rules(session: Session, rules: list[Rule], order_ids: list[str], actor: Actor) -> list[Firing]:
    """Fire every matching rule not yet fired on each order's current version (in the caller's
    transaction)."""
    firings: list[Firing] = []
    if not rules or not order_ids:
        return firings
    orders = session.exec(select(Order).where(col(Order.id).in_(order_ids)).order_by(col(Order.id)))
    for order in list(orders):
        view: OrderView | None = None
        for rule in rules:
            if session.get(RuleFiring, (rule.name, order.id, order.updated_at)) is not None:
                continue  # fired on this version already
            view = view or load_view(session, order)
            if not matches(rule, view):
                continue
            needs = {key for key, _ in rule.actions} & NEEDS_FULFILLMENT_ORDERS
            if needs and not view.fulfillment_orders:
                continue  # its fulfillment orders are not synced yet: fire when they are
            firings.append(fire(session, rule, view, actor))
            view = None  # the actions may have changed it
    return firings


def fire(session: Session, rule: Rule, view: OrderView, actor: Actor) -> Firing:
    order = view.order
    firing = Firing(rule.name, order.id)
    try:
        with session.begin_nested():  # a refused action undoes the rule's other actions too
            for key, value in rule.actions:
                firing.did += ACT[key](session, rule, view, actor, value)
    except ActionRefused as exc:
        firing.did = [f"could not act: {exc}"]
        _raise_exception(session, rule, order, f"rule {rule.name!r} could not act: {exc}")
    session.add(
        RuleFiring(rule=rule.name, order_id=order.id, order_version=order.updated_at, actions=firing.did)
    )
    if firing.did:
        record_by(session, actor, action=FIRED, subject=order.id, rule=rule.name, did=firing.did)
    return firing


def _hold(session: Session, rule: Rule, view: OrderView, actor: Actor, reason: str) -> list[str]:
    note = rule.hold_note or f"rule: {rule.name}"
    held = [
        store_actions.hold(session, actor, fo.id, reason, note)
        for fo in view.fulfillment_orders
        if fo.status in WORKABLE
    ]
    return [f"hold ({reason}: {note})"] if held else []


def _tag(session: Session, rule: Rule, view: OrderView, actor: Actor, tags: tuple[str, ...]) -> list[str]:
    have = {tag.casefold() for tag in view.order.tags}
    missing = [tag for tag in tags if tag.casefold() not in have]
    if not missing:
        return []
    store_actions.add_tags(session, actor, view.order.id, missing)
    return [f"tag {', '.join(missing)}"]


def _priority(session: Session, rule: Rule, view: OrderView, actor: Actor, priority: int) -> list[str]:
    if view.order.priority == priority:
        return []
    view.order.priority = priority
    session.add(view.order)
    return [f"priority {priority}"]


def _move(session: Session, rule: Rule, view: OrderView, actor: Actor, where: str) -> list[str]:
    try:
        location = find_location(session, where)
    except NotFound as exc:
        raise ActionRefused(str(exc)) from None
    moved = [
        store_actions.move(session, actor, fo.id, location.id)
        for fo in view.fulfillment_orders
        if fo.status in WORKABLE and fo.location_id != location.id
    ]
    return [f"move to {location.name}"] if moved else []


def _wave(session: Session, rule: Rule, view: OrderView, actor: Actor, wave: str) -> list[str]:
    current = session.get(OrderWave, view.order.id)
    if current is not None and current.wave == wave:
        return []
    if current is None:
        session.add(OrderWave(order_id=view.order.id, wave=wave))
    else:
        current.wave = wave
        session.add(current)
    return [f"wave {wave}"]


def _exception(session: Session, rule: Rule, view: OrderView, actor: Actor, message: str) -> list[str]:
    order = view.order
    return [f"exception: {message}"] if _raise_exception(session, rule, order, message) else []


def _raise_exception(session: Session, rule: Rule, order: Order, message: str) -> bool:
    subject = f"rule:{rule.name}"
    open_already = session.exec(
        select(FloorException.id).where(
            FloorException.order_id == order.id,
            FloorException.subject == subject,
            col(FloorException.state).in_((ExceptionState.OPEN, ExceptionState.ACKNOWLEDGED)),
        )
    ).first()
    if open_already is not None:
        return False
    session.add(
        FloorException(
            kind=ExceptionKind.RULE,
            severity="warning",
            order_id=order.id,
            subject=subject,
            message=f"{order.name}: {message} (rule {rule.name})",
            fix="Check the order as the rule asks, then resolve the exception",
        )
    )
    return True


ACT: dict[str, Callable[[Session, Rule, OrderView, Actor, Any], list[str]]] = {
    "hold": _hold,
    "tag": _tag,
    "priority": _priority,
    "move_to": _move,
    "wave": _wave,
    "exception": _exception,
}
