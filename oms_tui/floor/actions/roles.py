"""Who may do what to an order. Checked before an action is offered and again when it is recorded.

- A manager may do everything, taking over and reassigning others' claims included.
- A picker or packer works the orders: hold, release, move, note, tag; they may not cancel an order
  or release a hold placed for fraud risk (HIGH_RISK_OF_FRAUD).
- Support talks to customers: note, tag, hold.
- With nobody signed in, a station may do only what every role may (note, tag, hold).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from oms_tui.cache.models import Role, Staff
from oms_tui.floor.actions.store_actions import ActionRefused

FRAUD_HOLD = "HIGH_RISK_OF_FRAUD"


class Permission(enum.StrEnum):
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


EVERYONE = frozenset({Permission.HOLD, Permission.NOTE, Permission.TAG})
FLOOR = EVERYONE | {Permission.RELEASE, Permission.MOVE, Permission.RECEIVE_RETURNS}
ALLOWED: dict[Role, frozenset[Permission]] = {
    Role.MANAGER: frozenset(Permission),
    Role.PICKER: FLOOR,
    Role.PACKER: FLOOR,
    Role.SUPPORT: EVERYONE,
}


class NotPermitted(ActionRefused):
    """The signed-in person's role does not allow the action (nothing was changed)."""


def allowed(staff: Staff | None, permission: Permission) -> bool:
    return permission in (ALLOWED[staff.role] if staff is not None else EVERYONE)


def require(staff: Staff | None, permission: Permission) -> None:
    """Raise `NotPermitted`, saying who may, unless the signed-in person may do this."""
    if allowed(staff, permission):
        return
    who = f"{staff.name} ({staff.role.value})" if staff is not None else "nobody signed in"
    may = [role.value for role, permissions in ALLOWED.items() if permission in permissions]
    ask = may[0] if len(may) == 1 else f"{', '.join(may[:-1])} or {may[-1]}"
    raise NotPermitted(f"{who} may not {permission}: ask a {ask}")


def release_permission(hold_reasons: Iterable[str]) -> Permission:
    """Releasing a fulfillment order releases all its holds; a fraud hold among them needs a manager."""
    return Permission.RELEASE_FRAUD_HOLD if FRAUD_HOLD in set(hold_reasons) else Permission.RELEASE
