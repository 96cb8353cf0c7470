"""The floor team the tests act as: every action is recorded as someone the staff table knows."""

from __future__ import annotations

from sqlmodel import Session

from oms_tui.cache.database import Cache
from oms_tui.cache.models import Role, Staff

TEAM = {
    "P01": ("Pat Packer", Role.PACKER),
    "P02": ("Bo Picker", Role.PICKER),
    "S01": ("Sue Support", Role.SUPPORT),
    "M01": ("Max Manager", Role.MANAGER),
}


def hire(where: Session | Cache, *codes: str) -> None:
    """Add these members of `TEAM` (all when none is named) unless they are there already."""
    if isinstance(where, Cache):
        with where.sessions() as session:
            hire(session, *codes)
            session.commit()
        return
    for code in codes or TEAM:
        if where.get(Staff, code) is None:
            name, role = TEAM[code]
            where.add(Staff(code=code, name=name, role=role))
    where.flush()
