"""The manager's numbers: a scripted shift through the real floor functions, then the reports say
what happened, per person and per hour; a rebuild from the audit log gives the same tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from oms_tui.cache.enums import ExceptionKind, ExceptionState
from oms_tui.cache.models import (
    AuditEvent,
    FloorException,
    ReportDay,
    ReportException,
    ReportHour,
    ReportShipment,
    StaffActivity,
)
from oms_tui.floor.reports import queries
from oms_tui.floor.reports.queries import ExceptionRow, OnTimeRow, WorkRow
from oms_tui.floor.reports.rebuild import rebuild
from tests.floor.report_shift import Clock, clock, work_a_shift

__all__ = ["clock"]  # the fixture

WED, THU = date(2026, 11, 26), date(2026, 11, 27)


def busy(session: Session, code: str, prefix: str, day: date) -> float:
    """From the audit log: the first to the last of their events of that kind that day (no breaks)."""
    times = [
        event.at
        for event in session.exec(
            select(AuditEvent).where(AuditEvent.staff_code == code).order_by(col(AuditEvent.id))
        ).scalars()
        if event.action.startswith(prefix) and event.at.date() == day
    ]
    return (times[-1] - times[0]).total_seconds()


def test_the_reports_count_the_shift_per_person_and_per_hour(session: Session, clock: Clock) -> None:
    work_a_shift(session, clock)
    bo_busy = busy(session, "P02", "pick.", WED)
    pat_busy = busy(session, "P01", "pack.", WED) + busy(session, "P01", "pack.", THU)  # a night between

    by_person = queries.worked(session, WED, THU, "person")
    assert by_person == [
        WorkRow("P01", orders_packed=2, units_packed=3, pack_mis_scans=1, pack_seconds=pat_busy),
        WorkRow(
            "P02", orders_picked=2, units_picked=3, pick_mis_scans=1, short_picks=1, pick_seconds=bo_busy
        ),
    ]
    pat, bo = by_person[0].packing, by_person[1].picking
    assert pat.seconds_per_order == pat_busy / 2 and pat.mis_scans_per_100 == 100 / 3
    assert bo.short_picks_per_100 == bo.mis_scans_per_100 == 100 / 3 and bo.seconds_per_order == bo_busy / 2

    by_hour = queries.worked(session, WED, THU, "hour")
    assert [
        (row.label, row.orders_picked, row.units_picked, row.orders_packed, row.units_packed)
        for row in by_hour
    ] == [
        ("2026-11-26 09:00", 2, 3, 0, 0),
        ("2026-11-26 10:00", 0, 0, 1, 2),
        ("2026-11-27 10:00", 0, 0, 1, 1),
    ]
    (week,) = queries.worked(session, WED, THU, "week")
    assert (week.label, week.orders_picked, week.orders_packed, week.pick_mis_scans) == ("2026-W48", 2, 2, 1)
    assert queries.worked(session, THU, THU, "day") == [
        WorkRow(
            "2026-11-27", orders_packed=1, units_packed=1, pack_seconds=busy(session, "P01", "pack.", THU)
        )
    ]

    assert queries.shipments(session, WED, THU, "day") == [
        OnTimeRow("2026-11-26", shipped=1, on_time=1),
        OnTimeRow("2026-11-27", shipped=1, on_time=0),  # ordered 07:30 the day before: due 24 h later
    ]
    assert queries.shipments(session, WED, THU, "week") == [OnTimeRow("2026-W48", 2, 1)]
    assert queries.exceptions(session, WED, THU, "day") == [ExceptionRow("2026-11-26", opened=1, closed=1)]


def tables(session: Session) -> dict[str, list[tuple[object, ...]]]:
    return {
        model.__tablename__: sorted(
            tuple(row) for row in session.connection().execute(select(model.__table__))
        )  # type: ignore[attr-defined]
        for model in (ReportHour, ReportDay, ReportShipment, ReportException, StaffActivity)
    }


def test_a_rebuild_from_the_audit_log_gives_the_same_tables(session: Session, clock: Clock) -> None:
    work_a_shift(session, clock)
    live = tables(session)
    assert all(live.values())

    rebuilt = rebuild(session)
    session.commit()
    assert tables(session) == live
    assert rebuilt.exceptions == 1 and rebuilt.events > 0


def test_exceptions_are_counted_whoever_writes_them(session: Session) -> None:
    """The outbox and sync write exception rows themselves, without the floor's audit log."""
    at = datetime(2026, 11, 26, 23, 50, tzinfo=UTC)
    rejected = FloorException(
        kind=ExceptionKind.PAYMENT, severity="critical", message="declined", created_at=at
    )
    session.add(rejected)
    session.commit()
    rejected.state, rejected.resolved_at = ExceptionState.RESOLVED, at + timedelta(minutes=20)
    session.commit()
    rejected.message = "declined (card expired)"  # a later edit of a closed one closes nothing more
    session.commit()

    assert queries.exceptions(session, WED, THU, "day") == [
        ExceptionRow("2026-11-26", opened=1),
        ExceptionRow("2026-11-27", closed=1),
    ]
