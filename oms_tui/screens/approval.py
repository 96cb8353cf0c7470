"""Supervisor override: what the signed-in person may not do alone, a manager approves at that moment
by scanning their badge at the person's station. The action stays the person's; the approval is
recorded with it (`store_actions` checks both again as it records)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from textual.screen import Screen

from oms_tui.actions.permissions import Permission, allowed, refusal
from oms_tui.cache.models import Staff
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.screens.text_modal import TextModal


def permitted(
    screen: Screen[Any],
    desk: OrderDesk,
    staff: Sequence[Staff],
    permission: Permission,
    then: Callable[[OrderDesk], object],
) -> None:
    """Go on with `desk` when its person may; else ask for a badge of someone in `staff` who may."""
    if allowed(desk.staff, permission):
        then(desk)
        return

    def scanned(code: str | None) -> None:
        if not code or not code.strip():
            return
        person = next((p for p in staff if p.code == code.strip().upper()), None)
        if person is None or not allowed(person, permission):
            who = person.name if person else "that badge"
            screen.notify(f"{who} may not approve: {permission}", title="Not approved", severity="error")
            return
        then(replace(desk, approved_by=person.code))

    screen.notify(refusal(desk.staff, permission), title="Not allowed", severity="warning")
    modal = TextModal(
        f"Approve: {permission}",
        placeholder="a manager scans their badge",
        hint="A manager's badge approves it for this once · Esc to cancel",
        secret=True,
    )
    screen.app.push_screen(modal, scanned)
