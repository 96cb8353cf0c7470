"""Receiving a return, step by step, with the progress in the cache: each scan and decision is written
with its audit event in the caller's transaction, so nothing counted is lost when the desk is left,
staff switch or the station dies; opening the return again (here or at another station) resumes it.

One station at a time: a return open at one station is refused at another, which is told who has
it (a unique index holds one open receiving per return). Leaving a return puts it down for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from oms_tui.actions.permissions import Permission, require
from oms_tui.cache.enums import ReceivingState
from oms_tui.cache.models import FloorException, OutboxAction, ReturnReceiving, ReturnReceivingLine
from oms_tui.floor.actions.audit import record
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import ActionRefused, close_return, dispose_return
from oms_tui.floor.exceptions.rules import Finding, ReturnFacts, RuleSettings, return_findings
from oms_tui.floor.returns.returns import (
    Receiving,
    ReturnItem,
    WrongItem,
    choose,
    count_unit,
    disposals,
    find_return,
    load_receiving,
)


class ReceivedElsewhere(ActionRefused):
    """The return is open at another station."""


@dataclass(frozen=True)
class Scan:
    receiving: Receiving
    item: ReturnItem | None  # the line counted
    wrong: str | None = None  # why the scan was refused (it blocks the desk)


def open_receiving(session: Session, desk: OrderDesk, code: str, by_id: bool = False) -> Receiving:
    """The return a scan names (or, `by_id`, the return with this id), opened at this station with
    whatever was counted and decided before."""
    staff = _signed_in(desk)
    receiving = load_receiving(session, code) if by_id else find_return(session, code)
    row = _open_row(session, receiving.return_id)
    if row is None:
        row = ReturnReceiving(return_id=receiving.return_id, staff_code=staff, station=desk.station)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            raise ReceivedElsewhere(f"{receiving.name} was opened at another station just now") from None
        step = "open"
    else:
        taken = session.connection().execute(
            update(ReturnReceiving)
            .where(
                col(ReturnReceiving.id) == row.id,
                or_(col(ReturnReceiving.station).is_(None), col(ReturnReceiving.station) == desk.station),
            )
            .values(station=desk.station, staff_code=staff)
        )
        session.refresh(row)
        if taken.rowcount != 1:
            raise _elsewhere(receiving, row)
        step = "resume"
    _audit(session, desk, receiving, step, code=code)
    return _with_progress(session, receiving, row)


def scan(session: Session, desk: OrderDesk, return_id: str, code: str) -> Scan:
    """Count one unit; a code not on the return, or a unit too many, comes back as `wrong` (audited,
    and kept as unexpected when it is not on the return)."""
    row, receiving = _held(session, desk, return_id)
    try:
        item = count_unit(receiving, code)
    except WrongItem as wrong:
        row.unexpected = list(receiving.unexpected)  # a new list: changes inside JSON are not tracked
        _audit(session, desk, receiving, "wrong_scan", code=code, problem=str(wrong))
        return Scan(receiving, None, str(wrong))
    _save(session, row, item)
    _audit(session, desk, receiving, "scan", code=code, line=item.line_id, received=item.received)
    return Scan(receiving, item)


def decide(session: Session, desk: OrderDesk, return_id: str, line_id: str, outcome: str,
           bin_code: str | None = None, location_id: str | None = None) -> Receiving:  # fmt: skip
    """Restock (to a bin at a location) or damaged for the units counted; missing for a line none of
    which came back (refusals raise `ActionRefused`)."""
    row, receiving = _held(session, desk, return_id)
    item = choose(receiving, line_id, outcome, bin_code, location_id)
    _save(session, row, item)
    _audit(
        session, desk, receiving, "decide", line=line_id, outcome=outcome, bin=bin_code, location=location_id
    )
    return receiving


def leave(session: Session, desk: OrderDesk, return_id: str) -> None:
    """Put the return down: its progress stays, and any station may take it up."""
    row, receiving = _held(session, desk, return_id)
    row.station = None
    _audit(session, desk, receiving, "left", counted=sum(item.received for item in receiving.items))


def finish(
    session: Session, desk: OrderDesk, return_id: str, settings: RuleSettings, now: datetime
) -> tuple[Receiving, list[OutboxAction], list[Finding]]:
    """Dispose of everything, close the return, raise exceptions for what did not add up, and close
    the receiving; all in the caller's transaction (a refusal changes nothing)."""
    require(desk.staff, Permission.RECEIVE_RETURNS)
    row, receiving = _held(session, desk, return_id)
    chosen = disposals(receiving)
    actions = [dispose_return(session, desk.actor, return_id, chosen)]
    actions.append(close_return(session, desk.actor, return_id))
    findings = return_findings(_facts(receiving), settings, now)
    for finding in findings:
        if session.exec(select(FloorException.id).where(FloorException.cause == finding.cause)).first():
            continue
        session.add(
            FloorException(
                kind=finding.kind, severity=finding.severity, order_id=finding.order_id,
                subject=finding.subject, message=finding.message, fix=finding.fix, cause=finding.cause,
                created_at=now,
            )
        )  # fmt: skip
    row.state, row.finished_at = ReceivingState.FINISHED, now
    _audit(
        session, desk, receiving, "received",
        items={
            item.sku or item.title: [item.received, item.expected, item.shown_outcome]
            for item in receiving.items
        },
        unexpected=receiving.unexpected,
    )  # fmt: skip
    return receiving, actions, findings


# --- helpers -----------------------------------------------------------------------------------------


def _signed_in(desk: OrderDesk) -> str:
    if desk.staff is None:
        raise ActionRefused("Nobody is signed in at this station: scan your badge first")
    return desk.staff.code


def _open_row(session: Session, return_id: str) -> ReturnReceiving | None:
    return session.exec(
        select(ReturnReceiving).where(ReturnReceiving.return_id == return_id, ReturnReceiving.state == "open")
    ).first()


def _held(session: Session, desk: OrderDesk, return_id: str) -> tuple[ReturnReceiving, Receiving]:
    """The receiving this station has open, with its progress; anything else is refused."""
    _signed_in(desk)
    receiving = load_receiving(session, return_id)
    row = _open_row(session, return_id)
    if row is None:
        raise ActionRefused(f"{receiving.name} is not open here any more: scan it again")
    if row.station != desk.station:
        raise _elsewhere(receiving, row)
    return row, _with_progress(session, receiving, row)


def _elsewhere(receiving: Receiving, row: ReturnReceiving) -> ReceivedElsewhere:
    return ReceivedElsewhere(f"{receiving.name} is being received by {row.staff_code} at {row.station}")


def _with_progress(session: Session, receiving: Receiving, row: ReturnReceiving) -> Receiving:
    lines = {
        line.rfo_line_item_id: line
        for line in session.exec(
            select(ReturnReceivingLine).where(ReturnReceivingLine.receiving_id == row.id)
        )
    }
    for item in receiving.items:
        saved = lines.get(item.line_id)
        if saved is not None:
            item.received = min(saved.received, item.expected)  # sync may have disposed of some meanwhile
            item.outcome, item.bin_code, item.location_id = saved.outcome, saved.bin_code, saved.location_id
    receiving.unexpected = list(row.unexpected)
    return receiving


def _save(session: Session, row: ReturnReceiving, item: ReturnItem) -> None:
    line = session.get(ReturnReceivingLine, (row.id, item.line_id))
    if line is None:
        line = ReturnReceivingLine(receiving_id=row.id, rfo_line_item_id=item.line_id)  # type: ignore[arg-type]
        session.add(line)
    line.received, line.outcome = item.received, item.outcome
    line.bin_code, line.location_id = item.bin_code, item.location_id


def _facts(receiving: Receiving) -> ReturnFacts:
    missing: dict[str, int] = {}
    for item in receiving.items:
        if item.expected > item.received:
            key = item.sku or item.title
            missing[key] = missing.get(key, 0) + item.expected - item.received
    return ReturnFacts(
        receiving.return_id,
        receiving.name,
        receiving.order_id,
        receiving.shipped_at,
        missing,
        receiving.unexpected,
    )


def _audit(session: Session, desk: OrderDesk, receiving: Receiving, step: str, **details: object) -> None:
    """Every step at the receiving desk is attributed: opening, each scan (wrong ones too), decisions."""
    record(
        session,
        station=desk.station,
        staff_code=desk.actor.staff_code,
        action=f"return.{step}",
        subject=receiving.return_id,
        **details,
    )
