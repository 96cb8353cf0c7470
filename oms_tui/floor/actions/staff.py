"""Staff: the people who work the floor, each with one role."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from oms_tui.cache.models import Role, Staff
from oms_tui.floor.actions.audit import record

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


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
    if session.get(Staff, code) is not None:
        raise StaffError(f"staff code {code} is already taken")
    staff = Staff(code=code, name=name, role=role)
    session.add(staff)
    record(session, station=station, action="staff.add", subject=code, name=name, role=role.value)
    return staff


def active_staff(session: Session, code: str) -> Staff:
    """The person with this code, who must still work here (actions are attributed to them)."""
    person = session.get(Staff, code.strip().upper())
    if person is None:
        raise StaffError(f"unknown staff code {code.strip().upper()!r}")
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
