"""Every floor action is attributed: who, at which station, did what to which object."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session

from oms_tui.cache.models import AuditEvent
from oms_tui.floor.reports import rollup


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
    if rollup.counted(action):
        rollup.count(session, event)
    return event


class Attributed(Protocol):
    """Who acts: a person (or nobody signed in) at a station (`store_actions.Actor`)."""

    @property
    def station(self) -> str: ...

    @property
    def staff_code(self) -> str | None: ...


def record_by(
    session: Session, actor: Attributed, *, action: str, subject: str | None = None, **details: Any
) -> AuditEvent:
    """`record`, attributed to `actor`'s station and staff."""
    return record(
        session, station=actor.station, staff_code=actor.staff_code, action=action, subject=subject, **details
    )
