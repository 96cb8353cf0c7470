"""Staff: the people who work the floor, each with one role."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from oms_tui.cache.models import Claim, Role, Staff
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record
from oms_tui.plain_text import has_control

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MAX_NAME = 80


class StaffError(ValueError):
    pass


def add_staff(session: Session, code: str, name: str, role: Role, *, station: str) -> Staff:
    """Register a person; codes are what they scan or type at a station, so they stay short."""
    code = code.strip().upper()
    name = name.strip()
    if not CODE_PATTERN.match(code):
        raise StaffError(f"staff code {code!r}: use 1-32 letters, digits, '-' or '_'")
    if not name:
        raise StaffError("staff name must not be empty")
    if has_control(name) or len(name) > MAX_NAME:
        raise StaffError(f"staff name: at most {MAX_NAME} characters, no control characters")
    if session.get(Staff, code) is not None:
        raise StaffError(f"staff code {code} is already taken")
    staff = Staff(code=code, name=name, role=role)
    session.add(staff)
    record(session, station=station, action="staff.add", subject=code, name=name, role=role.value)
    return staff


def everyone(session: Session) -> list[Staff]:
    """Everyone ever registered, active first, by code."""
    return list(session.exec(select(Staff).order_by(col(Staff.active).desc(), col(Staff.code))))


def deactivate(
    session: Session, code: str, *, station: str, by: str | None = None, now: datetime | None = None
) -> Staff:
    """Someone who left: their badge signs nobody in, their actions are refused and their claims lapse at
    once (anyone may take their work over). Their past actions keep their name."""
    person = _known(session, code)
    if not person.active:
        raise StaffError(f"staff {person.code} ({person.name}) is already inactive")
    person.active = False
    lapsed = session.connection().execute(
        update(Claim).where(col(Claim.staff_code) == person.code).values(lease_until=now or utcnow())
    )
    record(
        session,
        station=station,
        staff_code=by,
        action="staff.deactivate",
        subject=person.code,
        claims=lapsed.rowcount,
    )
    return person


def change_role(session: Session, code: str, role: Role, *, station: str, by: str | None = None) -> Staff:
    person = _known(session, code)
    if person.role == role:
        raise StaffError(f"staff {person.code} is already a {role.value}")
    before, person.role = person.role, role
    record(
        session,
        station=station,
        staff_code=by,
        action="staff.role",
        subject=person.code,
        role=role.value,
        was=before.value,
    )
    return person


def _known(session: Session, code: str) -> Staff:
    person = session.get(Staff, code.strip().upper())
    if person is None:
        raise StaffError(f"unknown staff code {code.strip().upper()!r}")
    return person


def active_staff(session: Session, code: str) -> Staff:
    """The person with this code, who must still work here (actions are attributed to them)."""
    person = _known(session, code)
    if not person.active:
        raise StaffError(f"staff {person.code} ({person.name}) is no longer active")
    return person


def active_people(session: Session) -> list[Staff]:
    """Everyone who may sign in, by code."""
    return list(session.exec(select(Staff).where(col(Staff.active)).order_by(col(Staff.code))))


def record_sign_in(session: Session, station: str, person: Staff, how: str) -> None:
    """`how`: "badge" (scanned), "typed" or "settings" (the station's `staff` setting, at start)."""
    code = person.code
    record(session, station=station, action="staff.sign_in", staff_code=code, subject=code, how=how)


def record_sign_out(session: Session, station: str, person: Staff, why: str) -> None:
    """`why`: "switch" (someone else signed in), "idle" or "asked"."""
    code = person.code
    record(session, station=station, action="staff.sign_out", staff_code=code, subject=code, why=why)


DEMO_STAFF = (
    ("PICK1", "Pat Picker", Role.PICKER),
    ("PACK1", "Sam Packer", Role.PACKER),
    ("BOSS1", "Max Manager", Role.MANAGER),
)


def seed_demo_staff(session: Session, station: str) -> None:
    """The demo shop's floor team, so a first start can sign in (their codes show on the sign-in)."""
    for code, name, role in DEMO_STAFF:
        if session.get(Staff, code) is None:
            add_staff(session, code, name, role, station=station)
