"""Each of `claim_next`'s safeguards on its own, with another station acting at the one moment that
safeguard is there for: SKIP LOCKED, the re-check after locking, the lease condition of the write.

These run on PostgreSQL, where claimers read committed rows and lock only fulfillment orders. On SQLite
a claim's transaction takes the database's write lock before its first read (BEGIN IMMEDIATE), so no
station can act in between there: `tests/processes/test_claim_contention.py` races real processes on
both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import SQLModel

from oms_tui.cache.engine import session_factory
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.picking.pick_lists import start_pick_list
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.queues.claims import claim, claim_next, heartbeat, holder, release
from tests.conftest import postgres_engine_in_fresh_schema
from tests.floor.pick_floor import NOW, add_bins, add_order, add_picker

pytestmark = pytest.mark.postgres

LEASE = timedelta(minutes=10)


def fo(number: int) -> str:
    return f"gid://shopify/FulfillmentOrder/{number}"


@pytest.fixture
def floor_engine() -> Iterator[Engine]:
    """Three orders ready to pick, oldest first: #1003, #1002, #1001; pickers ANA (P01) and BEN."""
    with postgres_engine_in_fresh_schema() as engine:
        SQLModel.metadata.create_all(engine)
        with session_factory(engine)() as session:
            add_picker(session, "P01", "Ana Pereira")
            add_picker(session, "BEN", "Ben Okafor")
            add_bins(session)
            for number in (1003, 1002, 1001):
                add_order(session, number, {"MUG-1": 1})
            session.commit()
        yield engine


def at_statement(engine: Engine, matches: Callable[[str], bool], when: str, act: Callable[[], None]) -> None:
    """Run `act` (another station, on its own connection) once, just before or after the first
    statement that `matches`."""
    done: list[bool] = []

    def hook(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not done and matches(statement):
            done.append(True)
            act()

    event.listen(engine, f"{when}_cursor_execute", hook)


def next_for(engine: Engine, who: str, station: str, now: Any = NOW) -> list[str]:
    with session_factory(engine)() as session:
        taken = claim_next(session, staff_code=who, station=station, now=now, lease=LEASE)
        session.commit()
    return [c.fulfillment_order_id for c in taken]


def holder_of(engine: Engine, ident: str, now: Any = NOW) -> str | None:
    with session_factory(engine)() as session:
        held = holder(session, ident, now)
        return None if held is None else held.staff_code


def test_a_claimer_passes_work_another_is_claiming_without_waiting(floor_engine: Engine) -> None:
    with session_factory(floor_engine)() as ana:
        taken = claim_next(ana, staff_code="P01", station="pick-1", now=NOW, lease=LEASE)
        assert [c.fulfillment_order_id for c in taken] == [fo(1003)]  # not committed yet: #1003 is locked
        with session_factory(floor_engine)() as ben:
            # Waiting for ANA's station (which may be slow, or hung) is a failure here, not a delay.
            ben.connection().exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            passed = claim_next(ben, staff_code="BEN", station="pick-2", now=NOW, lease=LEASE)
            assert [c.fulfillment_order_id for c in passed] == [fo(1002)]
            ben.commit()
        ana.commit()
    assert (holder_of(floor_engine, fo(1003)), holder_of(floor_engine, fo(1002))) == ("P01", "BEN")


def test_work_that_went_on_a_pick_list_after_the_first_look_is_passed_by(floor_engine: Engine) -> None:
    def ana_starts_a_pick_list_on_1003() -> None:
        with session_factory(floor_engine)() as session:
            start_pick_list(session, [fo(1003)], Actor(station="pick-1", staff_code="P01"), walk=WalkRule())
            session.commit()

    # BEN's station has locked #1003 (the first look); ANA's pick list needs no lock on it.
    at_statement(floor_engine, lambda sql: "SKIP LOCKED" in sql, "after", ana_starts_a_pick_list_on_1003)
    assert next_for(floor_engine, "BEN", "pick-2") == [fo(1002)]
    assert holder_of(floor_engine, fo(1003)) is None  # ANA's, on her pick list


def test_a_lease_renewed_after_the_look_again_is_not_taken_over(floor_engine: Engine) -> None:
    with session_factory(floor_engine)() as session:
        claim(session, fo(1003), staff_code="P01", station="pick-1", now=NOW, lease=LEASE)
        session.commit()
    lapsed = NOW + LEASE  # BEN's station's clock: ANA's lease has just lapsed
    renewed: list[int] = []

    def anas_heartbeat_from_just_before() -> None:
        with session_factory(floor_engine)() as session:
            just_before = lapsed - timedelta(seconds=1)
            renewed.append(
                heartbeat(session, staff_code="P01", station="pick-1", now=just_before, lease=LEASE)
            )
            session.commit()

    # BEN's station has looked again and still sees #1003 lapsed; ANA's heartbeat lands before its write.
    at_statement(floor_engine, lambda sql: sql.lstrip().upper().startswith("INSERT INTO CLAIM"), "before",
                 anas_heartbeat_from_just_before)  # fmt: skip
    assert next_for(floor_engine, "BEN", "pick-2", now=lapsed) == [fo(1002)]
    assert renewed == [1]
    assert holder_of(floor_engine, fo(1003), now=lapsed) == "P01"


def test_a_heartbeat_passes_by_a_claim_the_same_picker_is_giving_back(floor_engine: Engine) -> None:
    with session_factory(floor_engine)() as session:
        for number in (1003, 1002):
            claim(session, fo(number), staff_code="P01", station="pick-1", now=NOW, lease=LEASE)
        session.commit()
    later = NOW + timedelta(minutes=5)
    with session_factory(floor_engine)() as completing:  # ANA's completed list gives its claims back
        release(completing, fo(1002), staff_code="P01", station="pick-1")
        with session_factory(floor_engine)() as beat:  # meanwhile her station renews her claims
            # Waiting for the release (then deadlocking with its next one) is a failure here.
            beat.connection().exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            assert heartbeat(beat, staff_code="P01", station="pick-1", now=later, lease=LEASE) == 1
            beat.commit()
        release(completing, fo(1003), staff_code="P01", station="pick-1")
        completing.commit()
    assert (holder_of(floor_engine, fo(1003)), holder_of(floor_engine, fo(1002))) == (None, None)
