"""What each audit event adds to the manager's numbers, written in the event's own transaction.

Counted from the floor's audit events (`floor.actions.audit.record` calls `count`):
- `pick.scan`: a unit picked; `pick.complete`: the fulfillment orders the list picked (those with a
  unit picked and not withdrawn);
- `pack.confirm`: an order packed, with the units it shipped;
- `pick.scan_rejected` and `pack.refused`: a mis-scan picking, packing; `pick.short`: a short pick;
- `store.fulfill`: a shipment, summed by its lead time (`due`);
- busy time: the gap between one person's consecutive pick and pack events, when under `BUSY_GAP`
  (a longer gap is a break, not work), as picking or packing time by the event that ends it.
Label spend is counted from the labels themselves, not the log (`cache.label_spend`): a label is
bought and refunded by the outbox, which writes no audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session

from oms_tui.cache.models import AuditEvent, PickListLine
from oms_tui.cache.report_tables import ReportDay, ReportHour, ReportShipment, StaffActivity, add_to
from oms_tui.floor.reports.due import due_clock, lead_hours

BUSY_GAP = timedelta(minutes=5)
WORK = ("pick.", "pack.")
MIS_SCANS = {"pick.scan_rejected": "pick_mis_scans", "pack.refused": "pack_mis_scans"}
COUNTED = frozenset({"pick.scan", "pick.complete", "pack.confirm", "pick.short", "store.fulfill", *MIS_SCANS})
COUNTERS = (
    "orders_picked",
    "units_picked",
    "orders_packed",
    "units_packed",
    "pick_mis_scans",
    "pack_mis_scans",
    "short_picks",
)


def counted(action: str) -> bool:
    return action in COUNTED or action.startswith(WORK)


def count(session: Session, event: AuditEvent) -> None:
    """Add `event` to the summary tables, in the caller's transaction."""
    count_event(
        session.connection(),
        event.at,
        event.staff_code,
        event.station,
        event.action,
        event.subject,
        event.details,
    )


def count_event(
    connection: Connection,
    at: datetime,
    staff_code: str | None,
    station: str,
    action: str,
    subject: str | None,
    details: Mapping[str, Any],
) -> None:
    counts: dict[str, Any] = _work(connection, action, subject, details)
    if staff_code and action.startswith(WORK):
        busy = _busy(connection, staff_code, at)
        if busy:
            counts["pick_seconds" if action.startswith("pick.") else "pack_seconds"] = busy
    if counts:
        who, full = {"staff_code": staff_code or "", "station": station}, _full(counts)
        add_to(connection, ReportHour, {"hour": at.replace(minute=0, second=0, microsecond=0), **who}, full)
        add_to(connection, ReportDay, {"day": at.date(), **who}, full)
    if action == "store.fulfill" and subject:
        started = due_clock(connection, subject)
        if started is not None:
            key = {"day": at.date(), "lead_hours": lead_hours(started, at)}
            add_to(connection, ReportShipment, key, {"shipments": 1})


def _full(counts: dict[str, Any]) -> dict[str, Any]:
    """Every counter of the row, so a new row starts at zero for those this event does not touch."""
    return {**dict.fromkeys(COUNTERS, 0), "pick_seconds": 0.0, "pack_seconds": 0.0, **counts}


def _work(
    connection: Connection, action: str, subject: str | None, details: Mapping[str, Any]
) -> dict[str, Any]:
    if action == "pick.scan":
        return {"units_picked": 1}
    if action == "pick.complete" and subject:
        return {"orders_picked": _orders_picked(connection, int(subject.rsplit(":", 1)[1]))}
    if action == "pack.confirm":
        shipped: Mapping[str, Mapping[str, int]] = details.get("shipped") or {}
        units = sum(sum(lines.values()) for lines in shipped.values())
        return {"orders_packed": 1, "units_packed": units} if units else {}
    if action in MIS_SCANS:
        return {MIS_SCANS[action]: 1}
    if action == "pick.short":
        return {"short_picks": 1}
    return {}


def _orders_picked(connection: Connection, pick_list_id: int) -> int:
    row = PickListLine.__table__.c  # type: ignore[attr-defined]
    found = connection.execute(
        select(func.count(func.distinct(row.fulfillment_order_id))).where(
            and_(row.pick_list_id == pick_list_id, row.picked > 0, row.withdrawn.is_(None))
        )
    ).scalar()
    return int(found or 0)


def _busy(connection: Connection, staff_code: str, at: datetime) -> float:
    table = StaffActivity.__table__  # type: ignore[attr-defined]
    last: datetime | None = connection.execute(
        select(table.c.last_at).where(table.c.staff_code == staff_code)
    ).scalar()
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
    connection.execute(
        insert.values(staff_code=staff_code, last_at=at).on_conflict_do_update(
            index_elements=["staff_code"], set_={"last_at": insert.excluded.last_at}
        )
    )
    if last is None:
        return 0.0
    gap = at - last
    return gap.total_seconds() if timedelta(0) < gap <= BUSY_GAP else 0.0
