"""The actions of the order screen, as the signed-in person: their role is checked, then the action is
recorded through `store_actions` (local change, audit event with station and staff, outbox action).

Everything happens in the caller's transaction; a refusal (`ActionRefused`, `NotPermitted`) changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentHold, OutboxAction, Staff
from oms_tui.floor.actions import store_actions
from oms_tui.floor.actions.roles import Permission, release_permission, require
from oms_tui.floor.actions.store_actions import Actor, Refund
from oms_tui.floor.orders.lookup import find_location


@dataclass(frozen=True)
class OrderDesk:
    station: str
    staff: Staff | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.station, self.staff.code if self.staff else None)

    def hold(self, session: Session, fo_id: str, reason: str, notes: str = "") -> OutboxAction:
        require(self.staff, Permission.HOLD)
        return store_actions.hold(session, self.actor, fo_id, reason, notes)

    def release_permission(self, session: Session, fo_id: str) -> Permission:
        reasons = session.exec(
            select(FulfillmentHold.reason).where(col(FulfillmentHold.fulfillment_order_id) == fo_id)
        )
        return release_permission(reasons)

    def release(self, session: Session, fo_id: str) -> OutboxAction:
        require(self.staff, self.release_permission(session, fo_id))
        return store_actions.release_hold(session, self.actor, fo_id)

    def move(self, session: Session, fo_id: str, location: str) -> OutboxAction:
        require(self.staff, Permission.MOVE)
        return store_actions.move(session, self.actor, fo_id, find_location(session, location).id)

    def note(self, session: Session, order_id: str, note: str) -> OutboxAction:
        require(self.staff, Permission.NOTE)
        return store_actions.set_note(session, self.actor, order_id, note)

    def tag(self, session: Session, order_id: str, tags: str) -> OutboxAction:
        require(self.staff, Permission.TAG)
        return store_actions.add_tags(session, self.actor, order_id, tags.split(","))

    def cancel(
        self, session: Session, order_id: str, reason: str, refund: Refund, restock: bool
    ) -> OutboxAction:
        require(self.staff, Permission.CANCEL)
        return store_actions.cancel(session, self.actor, order_id, reason, refund=refund, restock=restock)
