"""Claims: the next work in queue order, a chosen order, leases that lapse and are renewed, managers'
take-overs and reassignments, each in the audit log; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from oms_tui.actions.permissions import NotPermitted
from oms_tui.cache.models import AuditEvent, Order, Role, Staff
from oms_tui.floor.actions.staff import StaffError
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.queues.claims import (
    ClaimRefused,
    Wave,
    claim,
    claim_next,
    heartbeat,
    holder,
    reassign,
    release,
)
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from tests.floor.test_queues import EAST, NOW, add_line, add_order
from tests.local_time import utc_local_time

LEASE = timedelta(minutes=10)


def fo(name: str) -> str:
    return f"gid://shopify/FulfillmentOrder/{name}"


@pytest.fixture
def floor(session: Session) -> Iterator[Session]:
    session.add(Staff(code="ANA", name="Ana Pereira", role=Role.PICKER))
    session.add(Staff(code="BEN", name="Ben Okafor", role=Role.PICKER))
    session.add(Staff(code="MIA", name="Mia Chen", role=Role.MANAGER))
    session.add(Staff(code="OLD", name="Former Picker", role=Role.PICKER, active=False))
    session.flush()
    add_order(session, "1001", hours_old=30)
    add_order(session, "1002", hours_old=2, tags=("Rush",))  # rush: first although newer
    add_order(session, "1003", hours_old=20, location=EAST, units=(1, 1))
    add_order(session, "1004", hours_old=10, units=(1, 3))  # one unit left of three
    add_order(session, "1005", hours_old=1, tags=("express",), units=(1, 1))
    add_order(session, "1006", hours_old=40, status="ON_HOLD")
    add_order(session, "1007", hours_old=50, cancelled=True)
    session.flush()
    for name, method in (("1001", "UPS Ground"), ("1004", "ups ground"), ("1005", "FedEx 2Day")):
        session.get_one(Order, f"gid://shopify/Order/{name}").shipping_method = method
    session.commit()
    with utc_local_time():  # refusals show the lease's end on the floor's clock
        yield session


def next_for(session: Session, who: str, station: str = "pick-1", **kwargs: object) -> list[str]:
    claims = claim_next(session, staff_code=who, station=station, now=NOW, lease=LEASE, **kwargs)  # type: ignore[arg-type]
    session.commit()
    return [c.fulfillment_order_id for c in claims]


def audit(session: Session) -> list[tuple[str, str | None, str, str | None, dict[str, object]]]:
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.action).startswith("claim.")).order_by(col(AuditEvent.id))
    )
    return [(e.action, e.staff_code, e.station, e.subject, e.details) for e in events]


def test_the_next_work_is_the_queues_first_rush_then_oldest_and_each_goes_once(floor: Session) -> None:
    assert next_for(floor, "ANA") == [fo("1002")]
    assert next_for(floor, "BEN", "pick-2", count=2) == [fo("1005"), fo("1001")]
    assert next_for(floor, "ANA", count=10) == [fo("1003"), fo("1004")]  # held, on hold, cancelled: skipped
    assert next_for(floor, "BEN") == []
    picking = window(floor, Stage.PICKING, QueueFilter(), NOW, limit=10)
    assert {row.order_name: row.holder for row in picking} == {
        "#1001": "Ben Okafor",
        "#1002": "Ana Pereira",
        "#1003": "Ana Pereira",
        "#1004": "Ana Pereira",
        "#1005": "Ben Okafor",
    }
    assert window(floor, Stage.READY_TO_PICK, QueueFilter(), NOW, limit=10) == []
    taken = [(action, who, station, subject) for action, who, station, subject, _ in audit(floor)]
    assert taken == [
        ("claim.take", "ANA", "pick-1", fo("1002")),
        ("claim.take", "BEN", "pick-2", fo("1005")),
        ("claim.take", "BEN", "pick-2", fo("1001")),
        ("claim.take", "ANA", "pick-1", fo("1003")),
        ("claim.take", "ANA", "pick-1", fo("1004")),
    ]
    assert audit(floor)[0][4] == {"order": "#1002", "lease_until": (NOW + LEASE).isoformat()}


@pytest.mark.parametrize(
    ("wave", "expected"),
    [
        (Wave(single_item=True), ["1005", "1003", "1004"]),  # one unit left to ship
        (Wave(rush=True), ["1002", "1005"]),
        (Wave(location_id=EAST), ["1003"]),
        (Wave(single_item=True, rush=True), ["1005"]),
        (Wave(single_item=True, location_id=EAST), ["1003"]),
        (Wave(shipping_method="UPS Ground"), ["1001", "1004"]),  # as the store spells it, any case
        (Wave(shipping_method="UPS Ground", single_item=True), ["1004"]),
    ],
)
def test_a_wave_takes_only_its_kind_of_work_in_queue_order(
    floor: Session, wave: Wave, expected: list[str]
) -> None:
    assert next_for(floor, "ANA", count=10, wave=wave) == [fo(name) for name in expected]


def test_a_single_item_wave_counts_the_units_that_ship_not_a_gift_card(floor: Session) -> None:
    add_order(floor, "1008", hours_old=5, units=(1, 1))  # a tee...
    add_line(floor, "1008", left=1, ships=False)  # ... and a gift card the store delivers by email
    floor.commit()
    assert next_for(floor, "ANA", count=10, wave=Wave(single_item=True)) == [
        fo(name) for name in ("1005", "1003", "1004", "1008")
    ]


def test_a_held_order_is_refused_saying_who_holds_it_until_when(floor: Session) -> None:
    claim(floor, fo("1001"), staff_code="ANA", station="pick-1", now=NOW, lease=LEASE)
    floor.commit()
    with pytest.raises(ClaimRefused, match=r"^#1001 is held by ANA at pick-1 until 09:40$"):
        claim(floor, fo("1001"), staff_code="BEN", station="pick-2", now=NOW, lease=LEASE)
    with pytest.raises(NotPermitted, match=r"Ben Okafor \(picker\) may not take over .* ask a manager"):
        claim(floor, fo("1001"), staff_code="BEN", station="pick-2", now=NOW, lease=LEASE, take_over=True)
    floor.rollback()
    held = holder(floor, fo("1001"), NOW)
    assert held is not None and (held.staff_code, held.station) == ("ANA", "pick-1")
    assert [event[0] for event in audit(floor)] == ["claim.take"]


def test_a_manager_takes_over_a_live_claim(floor: Session) -> None:
    claim(floor, fo("1001"), staff_code="ANA", station="pick-1", now=NOW, lease=LEASE)
    floor.commit()
    later = NOW + timedelta(minutes=3)
    taken = claim(floor, fo("1001"), staff_code="MIA", station="desk", now=later, lease=LEASE, take_over=True)
    floor.commit()
    assert (taken.staff_code, taken.station, taken.lease_until) == ("MIA", "desk", later + LEASE)
    assert audit(floor)[-1] == (
        "claim.take_over",
        "MIA",
        "desk",
        fo("1001"),
        {
            "order": "#1001",
            "lease_until": (later + LEASE).isoformat(),
            "from_staff": "ANA",
            "from_station": "pick-1",
            "lapsed": False,
        },
    )
    assert heartbeat(floor, staff_code="ANA", station="pick-1", now=later, lease=LEASE) == 0


def test_claiming_what_one_holds_renews_it(floor: Session) -> None:
    claim(floor, fo("1001"), staff_code="ANA", station="pick-1", now=NOW, lease=LEASE)
    again = claim(floor, fo("1001"), staff_code="ana", station="pick-1", now=NOW + LEASE / 2, lease=LEASE)
    floor.commit()
    assert (again.since, again.lease_until) == (NOW, NOW + LEASE * 1.5)
    assert [event[0] for event in audit(floor)] == ["claim.take"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("1006", "#1006 is on hold: there is no work to claim"), ("1007", "#1007 is cancelled")],
)
def test_work_that_cannot_be_picked_is_refused(floor: Session, name: str, message: str) -> None:
    with pytest.raises(ClaimRefused, match=message):
        claim(floor, fo(name), staff_code="ANA", station="pick-1", now=NOW, lease=LEASE)


def test_unknown_or_former_staff_claim_nothing(floor: Session) -> None:
    with pytest.raises(StaffError, match="no longer active"):
        claim_next(floor, staff_code="OLD", station="pick-1", now=NOW, lease=LEASE)
    with pytest.raises(StaffError, match="unknown staff code 'ZED'"):
        claim(floor, fo("1001"), staff_code="ZED", station="pick-1", now=NOW, lease=LEASE)
    with pytest.raises(ClaimRefused, match="no fulfillment order gid://shopify/FulfillmentOrder/9"):
        claim(floor, fo("9"), staff_code="ANA", station="pick-1", now=NOW, lease=LEASE)


def test_a_lapsed_lease_goes_back_to_the_queue_and_the_next_claimer_takes_it_over(floor: Session) -> None:
    assert next_for(floor, "ANA", count=2) == [fo("1002"), fo("1005")]  # then ANA's station crashes
    lapsed = NOW + LEASE + timedelta(seconds=1)
    assert holder(floor, fo("1002"), lapsed) is None
    queue = window(floor, Stage.READY_TO_PICK, QueueFilter(), lapsed, limit=2)
    assert [row.order_name for row in queue] == ["#1002", "#1005"]
    taken = claim_next(floor, staff_code="BEN", station="pick-2", now=lapsed, lease=LEASE)
    floor.commit()
    assert [(c.fulfillment_order_id, c.staff_code, c.since) for c in taken] == [(fo("1002"), "BEN", lapsed)]
    action, who, station, subject, details = audit(floor)[-1]
    assert (action, who, station, subject) == ("claim.take_over", "BEN", "pick-2", fo("1002"))
    assert (details["from_staff"], details["from_station"], details["lapsed"]) == ("ANA", "pick-1", True)
    # ANA's station comes back: a lapsed lease is not revived, and what BEN took stays his.
    assert heartbeat(floor, staff_code="ANA", station="pick-1", now=lapsed, lease=LEASE) == 0
    with pytest.raises(ClaimRefused, match="#1002 is held by BEN at pick-2"):
        release(floor, fo("1002"), staff_code="ANA", station="pick-1")


def test_a_heartbeat_renews_this_persons_leases_at_this_station_only(floor: Session) -> None:
    next_for(floor, "ANA", "pick-1", count=2)
    next_for(floor, "ANA", "pick-2")
    next_for(floor, "BEN", "pick-1")
    beat = NOW + timedelta(minutes=8)
    assert heartbeat(floor, staff_code="ANA", station="pick-1", now=beat, lease=LEASE) == 2
    floor.commit()
    after_first_lease = NOW + LEASE + timedelta(minutes=1)
    held = {
        ident: c.staff_code
        for ident in map(fo, ("1002", "1005", "1001", "1003"))
        if (c := holder(floor, ident, after_first_lease))
    }
    assert held == {fo("1002"): "ANA", fo("1005"): "ANA"}  # pick-2's and BEN's lapsed


def test_only_the_holder_releases_and_the_work_returns_to_the_queue(floor: Session) -> None:
    next_for(floor, "ANA")
    with pytest.raises(
        ClaimRefused, match=r"^#1002 is held by ANA at pick-1 until 09:40, not by BEN at pick-2$"
    ):
        release(floor, fo("1002"), staff_code="BEN", station="pick-2")
    with pytest.raises(ClaimRefused, match=r"^#1001 is not claimed$"):
        release(floor, fo("1001"), staff_code="ANA", station="pick-1")
    release(floor, fo("1002"), staff_code="ANA", station="pick-1")
    floor.commit()
    assert holder(floor, fo("1002"), NOW) is None
    assert next_for(floor, "BEN", "pick-2") == [fo("1002")]
    assert [event[:4] for event in audit(floor)] == [
        ("claim.take", "ANA", "pick-1", fo("1002")),
        ("claim.release", "ANA", "pick-1", fo("1002")),
        ("claim.take", "BEN", "pick-2", fo("1002")),
    ]


def test_a_manager_reassigns_work_to_the_station_where_its_new_holder_works(floor: Session) -> None:
    next_for(floor, "ANA", "pick-1")  # #1002
    next_for(floor, "BEN", "pick-2")  # #1005: BEN works at pick-2
    with pytest.raises(NotPermitted, match="may not reassign claims"):
        reassign(floor, fo("1002"), to_staff="BEN", by=Actor("pick-1", "ANA"), now=NOW, lease=LEASE)
    with pytest.raises(NotPermitted, match="nobody signed in may not reassign claims"):
        reassign(floor, fo("1002"), to_staff="BEN", by=Actor("desk"), now=NOW, lease=LEASE)
    moved = reassign(floor, fo("1002"), to_staff="ben", by=Actor("desk", "MIA"), now=NOW, lease=LEASE)
    floor.commit()
    assert (moved.staff_code, moved.station) == ("BEN", "pick-2")
    assert heartbeat(floor, staff_code="BEN", station="pick-2", now=NOW, lease=LEASE) == 2
    # Nobody holds #1001 and ANA holds nothing now: it waits for her at the manager's station.
    assert heartbeat(floor, staff_code="ANA", station="pick-1", now=NOW, lease=LEASE) == 0
    free = reassign(floor, fo("1001"), to_staff="ANA", by=Actor("desk", "MIA"), now=NOW, lease=LEASE)
    floor.commit()
    assert (free.staff_code, free.station) == ("ANA", "desk")
    assert audit(floor)[-2] == (
        "claim.reassign",
        "MIA",
        "desk",
        fo("1002"),
        {
            "order": "#1002",
            "to_staff": "BEN",
            "to_station": "pick-2",
            "from_staff": "ANA",
            "from_station": "pick-1",
            "lease_until": (NOW + LEASE).isoformat(),
        },
    )
    assert audit(floor)[-1][4]["from_staff"] is None
    # #1001 waits for Ana at the manager's station; she takes it at her own when she scans it there
    taken = claim(floor, fo("1001"), staff_code="ANA", station="pick-1", now=NOW, lease=LEASE)
    assert (taken.staff_code, taken.station) == ("ANA", "pick-1")
    assert audit(floor)[-1][:3] == ("claim.take_over", "ANA", "pick-1")
    assert audit(floor)[-1][4]["from_station"] == "desk"
