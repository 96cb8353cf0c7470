"""What the floor's work announces to the other stations (PostgreSQL `NOTIFY`, by kind), and so which
of their screens read again for it: a scan anywhere must not have every picker's list and every
packer's bench read again, while the reports, the board and the queues still hear it."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, SQLModel

from oms_tui.cache.change_signal import CLAIMS, LISTEN_WAIT_S, PACKS, PICKS, REPORTS, SHIPMENTS, ChangeWatcher
from oms_tui.cache.engine import session_factory
from oms_tui.cache.models import Order
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.labels.records import claim_label
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.boxes import BoxPreset, remember
from oms_tui.floor.packing.pack_reading import read_pack
from oms_tui.floor.picking.pick_lists import start_pick_list
from oms_tui.floor.picking.pick_scans import scan_item
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues import claims
from oms_tui.screens.board_screen import BoardScreen
from oms_tui.screens.pack_screen import PackScreen
from oms_tui.screens.pick_screen import PickScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.screens.reports_screen import ReportsScreen
from tests.conftest import postgres_engine_in_fresh_schema
from tests.floor.pick_floor import add_bins, add_order
from tests.team import hire

PICKER = Actor(station="pick-1", staff_code="P02")
PACKER = Actor(station="pack-1", staff_code="P01")
HEARD_WITHIN_S = 5.0  # a bound for a stuck test, not a timing assertion
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
LEASE = timedelta(minutes=10)


@dataclass
class Station:
    session: Session
    kinds: queue.Queue[frozenset[str]]

    def heard(self) -> frozenset[str]:
        """Commits what the session wrote; what the other stations heard of it (all of it, should
        the listener hand it over in two batches)."""
        self.session.commit()
        kinds = self.kinds.get(timeout=HEARD_WITHIN_S)
        with contextlib.suppress(queue.Empty):
            while True:
                kinds |= self.kinds.get(timeout=2 * LISTEN_WAIT_S)
        return kinds


@pytest.fixture
def station() -> Iterator[Station]:
    with postgres_engine_in_fresh_schema() as engine:
        SQLModel.metadata.create_all(engine)
        kinds: queue.Queue[frozenset[str]] = queue.Queue()
        watcher = ChangeWatcher(engine.url, kinds.put).start()
        assert watcher.ready.wait(HEARD_WITHIN_S)
        try:
            with session_factory(engine)() as session:
                yield Station(session, kinds)
        finally:
            watcher.stop()


@pytest.mark.postgres
def test_a_scan_is_heard_by_the_reports_not_by_other_pick_lists_and_pack_benches(station: Station) -> None:
    session = station.session
    hire(session, "P01", "P02")
    add_bins(session)
    fulfillment_order = add_order(session, 1001, {"MUG-1": 2})
    station.heard()
    claims.claim(session, fulfillment_order, staff_code="P02", station="pick-1", now=NOW, lease=LEASE)
    pick_list = start_pick_list(session, [fulfillment_order], PICKER, walk=WalkRule()).id
    assert pick_list is not None
    started = station.heard()
    scan_item(session, pick_list, "MUG-1", PICKER)
    picked = station.heard()
    scan_item(session, pick_list, "NOPE-9", PICKER)
    mis_scanned = station.heard()
    scan_item(session, pick_list, "MUG-1", PICKER)
    claims.release(session, fulfillment_order, staff_code="P02", station="pick-1")  # as the list completes
    station.heard()
    pack = packing.open_pack(session, PACKER, "1001").session_ids
    station.heard()
    packing.scan(session, PACKER, pack, "MUG-1")
    packed = station.heard()

    assert picked == {PICKS, REPORTS} and packed == {PACKS, REPORTS}
    # a batch started elsewhere: the queues show its orders claimed, the other pick lists stay as they are
    assert CLAIMS in started and started & QueueScreen.LIVE_KINDS and not started & PickScreen.LIVE_KINDS
    for scan in (picked, packed):
        assert not scan & PickScreen.LIVE_KINDS and not scan & PackScreen.LIVE_KINDS
        for hears in (ReportsScreen, BoardScreen, QueueScreen):
            assert scan & hears.LIVE_KINDS
    # a code nobody knows moves a report figure (mis-scans per 100 units) and nothing a queue counts
    assert mis_scanned == {REPORTS} and not mis_scanned & QueueScreen.LIVE_KINDS
    assert mis_scanned & ReportsScreen.LIVE_KINDS and mis_scanned & BoardScreen.LIVE_KINDS
    # the box remembered for these items and the parcel's label are the pack bench's, not the store's
    remember(session, read_pack(session, pack), BoxPreset("small", 20, 15, 10), NOW)
    assert station.heard() == {PACKS}
    order = session.get_one(Order, "gid://shopify/Order/1001")
    claim_label(session, PACKER, order, box="small", weight_g=400, label_format="PDF")
    assert station.heard() - {REPORTS} == {SHIPMENTS}
