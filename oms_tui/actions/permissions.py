"""Who may do what. Every action is checked here when it is recorded, from the app and the CLI alike;
screens ask first only to spare a person the details of something they may not do.

- A manager may do everything, taking over and reassigning others' claims included.
- A picker or packer works the orders: ship, hold, release, move, note, tag, receive returns, count and
  correct stock; they may not cancel an order or release a hold placed for fraud risk (HIGH_RISK_OF_FRAUD).
- Only a manager sets which bins are reserve bins and a pick bin's minimum (what replenishment reads).
- Support talks to customers: note, tag, hold, message customers (as the floor may).
- With nobody signed in, a station may do only what every role may (note, tag, hold).
- What a person may not do, a manager may approve at that moment with their badge (supervisor override):
  the action is recorded as the person's, approved by the manager.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from oms_tui.cache.models import Role, Staff

FRAUD_HOLD = "HIGH_RISK_OF_FRAUD"


class ActionRefused(ValueError):
    """The action does not fit the cached state, or the person may not do it (nothing was changed)."""


class NotPermitted(ActionRefused):
    """The signed-in person's role does not allow the action (nothing was changed)."""

    def __init__(self, message: str, permission: Permission) -> None:
        super().__init__(message)
        self.permission = permission


class Permission(enum.StrEnum):
    SHIP = "ship orders"
    HOLD = "hold orders"
    RELEASE = "release holds"
    RELEASE_FRAUD_HOLD = "release fraud holds"
    MOVE = "move orders to another location"
    NOTE = "change order notes"
    TAG = "tag orders"
    CANCEL = "cancel orders"
    TAKE_OVER = "take over another person's claim"
    REASSIGN = "reassign claims"
    RECEIVE_RETURNS = "receive returns"
    RECEIVE_STOCK = "receive inbound stock"
    ACCEPT_OVER_RECEIPT = "accept more units than a shipment holds"
    STOCK = "count and correct stock"
    SET_BINS = "set bins' roles and minimums"
    MANAGE_STAFF = "manage staff"
    MESSAGE = "message customers"
    VIEW_REPORTS = "view reports"


EVERYONE = frozenset({Permission.HOLD, Permission.NOTE, Permission.TAG})
FLOOR = EVERYONE | {
    Permission.SHIP,
    Permission.RELEASE,
    Permission.MOVE,
    Permission.RECEIVE_RETURNS,
    Permission.RECEIVE_STOCK,
    Permission.STOCK,
    Permission.MESSAGE,
}
ALLOWED: dict[Role, frozenset[Permission]] = {
    Role.MANAGER: frozenset(Permission),
    Role.PICKER: FLOOR,
    Role.PACKER: FLOOR,
    Role.SUPPORT: EVERYONE
    | {Permission.MESSAGE, Permission.VIEW_REPORTS},  # a message is signed: nobody signed in sends none
}


def allowed(staff: Staff | None, permission: Permission) -> bool:
    """Whether this person (None: nobody signed in) may; someone no longer active may do nothing."""
    if staff is not None and not staff.active:
        return False
    return permission in (ALLOWED[staff.role] if staff is not None else EVERYONE)


def require(staff: Staff | None, permission: Permission, approver: Staff | None = None) -> None:
    """Raise `NotPermitted`, saying who may, unless the person may do this or `approver` may."""
    if allowed(staff, permission):
        return
    if approver is not None:
        if allowed(approver, permission) and (staff is None or approver.code != staff.code):
            return
        raise NotPermitted(
            f"{approver.name} ({approver.role.value}) may not approve: {permission}", permission
        )
    raise NotPermitted(refusal(staff, permission), permission)


def refusal(staff: Staff | None, permission: Permission) -> str:
    """Why this person may not do this, and who may."""
    who = f"{staff.name} ({staff.role.value})" if staff is not None else "nobody signed in"
    if staff is not None and not staff.active:
        who = f"{staff.name} is no longer active and"
    may = [role.value for role, permissions in ALLOWED.items() if permission in permissions]
    ask = may[0] if len(may) == 1 else f"{', '.join(may[:-1])} or {may[-1]}"
    return f"{who} may not {permission}: ask a {ask}"


def release_permission(hold_reasons: Iterable[str]) -> Permission:
    """Releasing a fulfillment order releases all its holds; a fraud hold among them needs a manager."""
    return Permission.RELEASE_FRAUD_HOLD if FRAUD_HOLD in set(hold_reasons) else Permission.RELEASE
