"""A scripted shift through the real floor functions, on a clock the test sets: what the reports count.

Wednesday 26 November 2026, UTC. Bo (P02) picks #1001 (2 x MUG-1, 1 x TEE-M) and #1002 (1 x CAP-9)
from 09:40, scans a code nobody knows, finds no TEE-M (a short pick, then "ship the rest": the
exception closes). Pat (P01) packs #1001 at 10:15, scanning CAP-9 by mistake once (refused); #1001
was ordered at 08:30, so it ships on time. Pat packs #1002 the next morning at 10:00, 26.5 hours
after it was ordered: late against a 24-hour SLA.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from oms_tui.cache.models import AuditEvent, FloorException
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.exceptions import records
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.pack_state import PackProblem
from oms_tui.floor.picking.pick_batches import finish
from oms_tui.floor.picking.pick_lists import start_pick_list
from oms_tui.floor.picking.pick_scans import scan_item, ship_rest, short_pick
from oms_tui.floor.picking.pick_sheet import read_sheet
from oms_tui.floor.picking.walking import WalkRule
from tests.floor.pick_floor import add_bins, add_order
from tests.team import hire

PICKER = Actor(station="pick-1", staff_code="P02")
PACKER = Actor(station="pack-1", staff_code="P01")
UPS = ("1Z999AA10123456784", "1Z999AA10123456793")
STEP = timedelta(seconds=20)  # between one recorded event and the next


@dataclass
class Clock:
    now: datetime

    def tick(self) -> datetime:
        self.now += STEP
        return self.now

    def read(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """Audit events are stamped 20 s apart from the time set; exceptions open and close at it."""
    clock = Clock(datetime(2026, 11, 26, 9, 40, tzinfo=UTC))
    monkeypatch.setattr(AuditEvent.model_fields["at"], "default_factory", clock.tick)
    monkeypatch.setattr(FloorException.model_fields["created_at"], "default_factory", clock.read)
    monkeypatch.setattr(records, "utcnow", clock.read)
    yield clock


def work_a_shift(session: Session, clock: Clock) -> None:
    hire(session, "P01", "P02")
    add_bins(session)
    first, second = add_order(session, 1001, {"MUG-1": 2, "TEE-M": 1}), add_order(session, 1002, {"CAP-9": 1})
    session.commit()

    pick_list = start_pick_list(session, [first, second], PICKER, walk=WalkRule())
    assert pick_list.id is not None
    for code in ("MUG-1", "MUG-1", "NOPE-999", "CAP-9"):
        scan_item(session, pick_list.id, code, PICKER)
    tee = next(line for line in read_sheet(session, pick_list.id).lines if line.sku == "TEE-M")
    short_pick(session, pick_list.id, tee.stop, PICKER)
    ship_rest(session, pick_list.id, first, PICKER)
    finish(session, pick_list.id, PICKER, clock.now)
    session.commit()

    clock.now = datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
    pack(session, clock, "1001", ["MUG-1", "MUG-1", "CAP-9"], UPS[0])
    clock.now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    pack(session, clock, "1002", ["CAP-9"], UPS[1])


def pack(session: Session, clock: Clock, order: str, codes: list[str], tracking: str) -> None:
    opened = packing.open_pack(session, PACKER, order, now=clock.now)
    for code in codes:
        try:
            packing.scan(session, PACKER, opened.session_ids, code)
        except PackProblem:
            session.commit()  # a refused scan is kept in the audit log
    packing.scan(session, PACKER, opened.session_ids, tracking)
    packing.confirm(session, PACKER, opened.session_ids)
    session.commit()
