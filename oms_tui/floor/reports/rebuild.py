"""Recompute the summary tables from what they summarise: the audit log, the exceptions and the labels.

For a cache that had history before the tables existed, or to check them: the same counting as the
live path (`rollup.count_event`), replayed in the log's order (by id: each station writes its
events in order, and a person works at one station at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlmodel import Session

from oms_tui.cache import label_spend
from oms_tui.cache.enums import ExceptionState
from oms_tui.cache.models import AuditEvent, FloorException
from oms_tui.cache.report_tables import (
    ReportDay,
    ReportException,
    ReportHour,
    ReportShipment,
    StaffActivity,
    add_to,
)
from oms_tui.floor.reports.rollup import COUNTED, WORK, count_event

PAGE = 5_000


@dataclass(frozen=True)
class Rebuilt:
    events: int
    exceptions: int
    labels: int  # paid for


def rebuild(session: Session) -> Rebuilt:
    """Empty and refill the summary tables in the caller's transaction."""
    connection = session.connection()
    for model in (ReportHour, ReportDay, ReportShipment, ReportException, StaffActivity):
        connection.execute(delete(model.__table__))  # type: ignore[union-attr]
    log = AuditEvent.__table__.c  # type: ignore[attr-defined]
    counted = or_(log.action.in_(sorted(COUNTED)), *(log.action.startswith(prefix) for prefix in WORK))
    events, after = 0, 0
    while True:  # in pages by id: a year of log need not fit in memory
        page = connection.execute(
            select(log.id, log.at, log.staff_code, log.station, log.action, log.subject, log.details)
            .where(counted, log.id > after)
            .order_by(log.id)
            .limit(PAGE)
        ).all()
        for _id, at, staff_code, station, action, subject, details in page:
            count_event(connection, at, staff_code, station, action, subject, details or {})
        if not page:
            break
        events, after = events + len(page), page[-1].id
    rows = FloorException.__table__.c  # type: ignore[attr-defined]
    problems = connection.execute(select(rows.kind, rows.state, rows.created_at, rows.resolved_at)).all()
    for kind, state, created_at, resolved_at in problems:
        add_to(
            connection,
            ReportException,
            {"day": created_at.date(), "kind": str(kind)},
            {"opened": 1, "closed": 0},
        )
        if state == ExceptionState.RESOLVED and resolved_at is not None:
            add_to(
                connection,
                ReportException,
                {"day": resolved_at.date(), "kind": str(kind)},
                {"opened": 0, "closed": 1},
            )
    return Rebuilt(events, len(problems), label_spend.rebuild(connection))
