"""The actions of the order screen, as the signed-in person, recorded through `store_actions` (local
change, audit event with station and staff, outbox action), where their permission is checked.

`approved_by`: a manager who scanned their badge to approve what the person may not do alone.
Everything happens in the caller's transaction; a refusal (`ActionRefused`, `NotPermitted`) changes
nothing.

The app holds a desk from its start, but `store_actions` (the actions' payload models, the store
client's types: a quarter of the app's import time) is imported at the first action.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from sqlmodel import Session

from oms_tui.cache.models import OutboxAction, Staff
from oms_tui.floor.actions.actor import Actor
from oms_tui.floor.orders.lookup import find_location

if TYPE_CHECKING:
    from oms_tui.floor.actions.store_actions import Refund


def _actions() -> ModuleType:
    from oms_tui.floor.actions import store_actions  # at the first action, not at the app's start

    return store_actions


@dataclass(frozen=True)
class OrderDesk:
    station: str
    staff: Staff | None = None
    approved_by: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.station, self.staff.code if self.staff else None, self.approved_by)

    def hold(self, session: Session, fo_id: str, reason: str, notes: str = "") -> OutboxAction:
        return _actions().hold(session, self.actor, fo_id, reason, notes)

    def release(self, session: Session, fo_id: str) -> OutboxAction:
        return _actions().release_hold(session, self.actor, fo_id)

    def move(self, session: Session, fo_id: str, location: str) -> OutboxAction:
        return _actions().move(session, self.actor, fo_id, find_location(session, location).id)

    def note(self, session: Session, order_id: str, note: str) -> OutboxAction:
        return _actions().set_note(session, self.actor, order_id, note)

    def tag(self, session: Session, order_id: str, tags: str) -> OutboxAction:
        return _actions().add_tags(session, self.actor, order_id, [tags])

    def cancel(
        self, session: Session, order_id: str, reason: str, refund: Refund, restock: bool
    ) -> OutboxAction:
        return _actions().cancel(session, self.actor, order_id, reason, refund=refund, restock=restock)
