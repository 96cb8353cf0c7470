"""Every floor action is attributed: who, at which station, did what to which object."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from oms_tui.cache.models import AuditEvent


def record(
    session: Session,
    *,
    station: str,
    action: str,
    staff_code: str | None = None,
    subject: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (it commits with the action it describes)."""
    event = AuditEvent(
        station=station, staff_code=staff_code, action=action, subject=subject, details=details
    )
    session.add(event)
    return event
