"""A pack left open at a station that stopped (crashed, switched off) is not stuck there: once its
claim lapses, or a manager hands the order over, another bench takes it over and verifies it again."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from oms_tui.cache.models import AuditEvent, PackSession, Role, Staff, Station
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.packing import packing
from oms_tui.floor.packing.pack_state import PackProblem
from oms_tui.floor.queues import claims
from tests.floor.test_packing import LEASE, PACKER, T0, UPS_NUMBER, claimed_by, fulfils, packing_floor

OTHER = Actor(station="pack-2", staff_code="P02")
MANAGER = Actor(station="office", staff_code="M01")


@pytest.fixture
def shop(session: Session) -> Session:
    return packing_floor(session)


@pytest.fixture
def left_open(shop: Session) -> tuple[int, ...]:
    """#1001 (2 x SKU-RED, 1 x SKU-BLUE) half verified at pack-2, whose station then stops."""
    shop.add(Staff(code="P02", name="Bo", role=Role.PACKER))
    shop.add(Staff(code="M01", name="Mo", role=Role.MANAGER))
    shop.add(Station(name="pack-2", location_id="gid://shopify/Location/1"))
    pack = packing.open_pack(shop, OTHER, "1001", now=T0, lease=LEASE)
    packing.scan(shop, OTHER, pack.session_ids, "SKU-RED", now=T0, lease=LEASE)
    shop.commit()
    return pack.session_ids


def test_while_the_other_station_renews_its_claim_the_pack_stays_there(
    shop: Session, left_open: tuple[int, ...]
) -> None:
    with pytest.raises(PackProblem, match="#1001 is being packed by P02 at pack-2") as refused:
        packing.open_pack(shop, PACKER, "1001", now=T0 + LEASE / 2, lease=LEASE)
    assert "ask a manager to hand it to you" in refused.value.hint
    assert claimed_by(shop, 1001) == ("P02", "pack-2")


def test_the_same_packer_at_another_bench_takes_their_pack_over_at_once(
    shop: Session, left_open: tuple[int, ...]
) -> None:
    moved = Actor(station="pack-1", staff_code="P02")  # pack-2 froze: Bo carries the tote over
    pack = packing.open_pack(shop, moved, "1001", now=T0 + LEASE / 2, lease=LEASE)
    assert pack.session_ids == left_open and pack.verified_units == 0
    assert claimed_by(shop, 1001) == ("P02", "pack-1")


def test_once_its_claim_lapses_another_bench_takes_the_pack_over_and_verifies_it_again(
    shop: Session, left_open: tuple[int, ...]
) -> None:
    pack = packing.open_pack(shop, PACKER, "1001", now=T0 + 2 * LEASE, lease=LEASE)
    shop.commit()
    assert pack.session_ids == left_open and pack.verified_units == 0
    assert claimed_by(shop, 1001) == ("P01", "pack-1")
    (moved,) = shop.exec(select(AuditEvent).where(AuditEvent.action == "pack.take_over")).all()
    assert moved.details == {"from_station": "pack-2", "from_staff": "P02", "verified_there": 1}
    for code in ("SKU-RED", "SKU-RED", "SKU-BLUE", UPS_NUMBER):
        pack = packing.scan(shop, PACKER, pack.session_ids, code)
    assert packing.confirm(shop, PACKER, pack.session_ids).state == "confirmed"
    assert len(fulfils(shop)) == 1

    # the stopped station comes back: its pack is gone, and the next order's slip opens that order
    with pytest.raises(PackProblem, match="#1001 is confirmed"):
        packing.scan(shop, OTHER, left_open, "SKU-BLUE")
    assert packing.scan(shop, OTHER, left_open, "#1002", now=T0 + 2 * LEASE).order_name == "#1002"


def test_a_station_whose_open_pack_was_taken_over_is_told_and_cannot_touch_it(
    shop: Session, left_open: tuple[int, ...]
) -> None:
    claims.reassign(
        shop, "gid://shopify/FulfillmentOrder/1001", to_staff="P01", by=MANAGER, now=T0, lease=LEASE
    )
    # handed over (it waits at the manager's station): P01 takes it at their bench, with no wait
    pack = packing.open_pack(shop, PACKER, "1001", now=T0, lease=LEASE)
    shop.commit()
    assert pack.state == "open"
    for step in (
        lambda: packing.scan(shop, OTHER, left_open, "SKU-BLUE"),
        lambda: packing.check(shop, OTHER, left_open),
        lambda: packing.abandon(shop, OTHER, left_open, "abandoned"),
    ):
        with pytest.raises(PackProblem, match="now packed by P01 at pack-1"):
            step()
    assert shop.exec(select(PackSession.state, PackSession.station)).all() == [("open", "pack-1")]
    assert packing.scan(shop, OTHER, left_open, "#1002", now=T0).order_name == "#1002"
