"""Claiming by key: `c` on the queue takes the next work for the signed-in person, the order screen
claims, takes over and reassigns, the Who column follows other stations' claims, and the app keeps
its person's claims alive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import col, select
from textual.widgets import DataTable, Tabs

from oms_tui.app import OmsApp
from oms_tui.cache.models import AuditEvent, Claim, Role, Staff
from oms_tui.floor.queues.claims import claim, claim_next, holder
from oms_tui.runtime import Runtime
from oms_tui.screens.choice_modal import ChoiceModal
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.queue_screen import QueueScreen
from tests.local_time import utc_local_time
from tests.ui.conftest import NOW, settle
from tests.ui.floor_app import fulfillment_order_of, open_order_screen, signed_in
from tests.ui.test_queue_screen import SIZE, rows, shown_lines
from tests.ui.test_queue_screen import table_of as queue_of
from tests.ui.test_sign_in import until

LEASE = timedelta(minutes=10)  # the default claim_lease_minutes


@pytest.fixture(autouse=True)
def floor_clock() -> Iterator[None]:
    with utc_local_time():  # leases are shown on the floor's clock
        yield


def notes(app: OmsApp) -> list[str]:
    """What the app will tell its user from now on (notifications, in order)."""
    shown: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: shown.append(message) or notify(message, **kw)  # type: ignore[method-assign]
    return shown


def claims(runtime: Runtime) -> list[tuple[str, str, str]]:
    with runtime.cache.sessions() as session:
        return [(c.fulfillment_order_id, c.staff_code, c.station) for c in session.exec(select(Claim))]


def add_picker(runtime: Runtime, code: str, name: str) -> None:
    with runtime.cache.sessions() as session:
        session.add(Staff(code=code, name=name, role=Role.PICKER, created_at=NOW))
        session.commit()


async def test_c_claims_the_next_work_for_the_person_signed_in(runtime: Runtime) -> None:
    app = signed_in(runtime, "P1", "Pia Picker", Role.PICKER)
    said = notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = rows(app)[:2]
        await pilot.press("c")
        await settle(pilot)
        assert said[-1] == f"{first.order_name} claimed by Pia Picker until 09:40"
        assert rows(app)[0] == second  # gone from the ready-to-pick queue
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.query_one(Tabs).active == "picking"
        assert [(row.key, row.holder) for row in rows(app)] == [(first.key, "Pia Picker")]
        assert shown_lines(app)[0].rstrip().endswith("Pia Picker")
    assert claims(runtime) == [(first.key, "P1", "pack-1")]
    with runtime.cache.sessions() as session:
        (event,) = session.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("claim.")))
        assert (event.action, event.staff_code, event.station, event.subject) == (
            "claim.take",
            "P1",
            "pack-1",
            first.key,
        )


async def test_c_with_nobody_signed_in_claims_nothing_and_says_why(app: OmsApp) -> None:
    said = notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert said == ["Sign in first: work is claimed in a person's name"]
    assert claims(app.runtime) == []


async def test_the_who_column_follows_claims_made_at_other_stations(runtime: Runtime) -> None:
    app = OmsApp(runtime, live=False, clock=lambda: NOW, hear_others=True)
    add_picker(app.runtime, "ANA", "Ana Pereira")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")  # picking: nobody yet
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen) and queue_of(app).total == 0
        with app.runtime.cache.sessions() as session:  # another station, no sync in between
            (taken,) = claim_next(session, staff_code="ANA", station="pick-2", now=NOW, lease=LEASE)
            session.commit()
        # heard (the cache's change counter), not polled: the slow poll for lapses is far off
        shown = [(taken.fulfillment_order_id, "Ana Pereira")]
        await until(pilot, lambda: [(row.key, row.holder) for row in rows(app)] == shown)


async def test_the_app_renews_its_persons_claims_and_lets_others_lapse(runtime: Runtime) -> None:
    app = signed_in(runtime, "P1", "Pia Picker", Role.PICKER)
    add_picker(runtime, "ANA", "Ana Pereira")
    clock = [NOW]
    app.clock = lambda: clock[0]
    with runtime.cache.sessions() as session:
        (theirs,) = claim_next(session, staff_code="ANA", station="pick-2", now=NOW, lease=LEASE)
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        (mine,) = [fo for fo, who, _ in claims(runtime) if who == "P1"]
        clock[0] = NOW + timedelta(minutes=8)
        app.renew_claims()  # the heartbeat, every third of a lease
        await settle(pilot)
    later = NOW + timedelta(minutes=15)  # past the first lease
    with runtime.cache.sessions() as session:
        renewed = holder(session, mine, later)
        assert renewed is not None and renewed.lease_until == NOW + timedelta(minutes=18)
        assert holder(session, theirs.fulfillment_order_id, later) is None  # ANA's station stopped


def ana_holds_1050(runtime: Runtime) -> str:
    """Ana Pereira, a picker, has claimed #1050 at pick-2; its fulfillment order's id."""
    add_picker(runtime, "ANA", "Ana Pereira")
    with runtime.cache.sessions() as session:
        fo_id = fulfillment_order_of(session, "#1050").id
        claim(session, fo_id, staff_code="ANA", station="pick-2", now=NOW, lease=LEASE)
        session.commit()
    return fo_id


async def test_a_manager_takes_over_then_reassigns_from_the_order_screen(runtime: Runtime) -> None:
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    said = notes(app)
    ana_holds_1050(runtime)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order_screen(app, pilot, "#1050")
        table = screen.query_one("#fulfillment-orders", DataTable)
        assert table.get_row_at(0)[3] == "ANA @ pick-2 until 09:40"

        await pilot.press("w")
        await settle(pilot)
        assert said[-1] == "#1050 is held by ANA at pick-2 until 09:40"
        await pilot.press("o")
        await settle(pilot)
        assert said[-1] == "taken over: M1 at pack-1 until 09:40"
        assert table.get_row_at(0)[3] == "M1 @ pack-1 until 09:40"

        await pilot.press("a")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("enter")  # Ana Pereira, the first by name
        await settle(pilot)
        assert said[-1] == "reassigned: ANA at pack-1 until 09:40"
        assert table.get_row_at(0)[3] == "ANA @ pack-1 until 09:40"
        story = [event.what for event in screen.detail.timeline[:3]]  # type: ignore[union-attr]
        assert story == [
            "reassigned to ANA at pack-1, from M1 at pack-1",
            "took over from ANA at pick-2",
            "claimed",
        ]


async def test_a_picker_may_not_take_over_nor_reassign(runtime: Runtime) -> None:
    app = signed_in(runtime, "P1", "Pia Picker", Role.PICKER)
    said = notes(app)
    fo_id = ana_holds_1050(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await open_order_screen(app, pilot, "#1050")
        await pilot.press("o", "a")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert said[-2:] == [
            "Pia Picker (picker) may not take over another person's claim: ask a manager",
            "Pia Picker (picker) may not reassign claims: ask a manager",
        ]
    assert claims(runtime) == [(fo_id, "ANA", "pick-2")]


async def test_a_station_remaps_a_key_by_its_binding_id(runtime: Runtime) -> None:
    """`[keys]` in the settings: here claiming is on ctrl+k, and plain c no longer claims."""
    runtime.settings.keys = {"queue.claim": "ctrl+k"}
    app = signed_in(runtime, "P1", "Pia Picker", Role.PICKER)
    said = notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = rows(app)[0]
        await pilot.press("c")
        await settle(pilot)
        assert claims(runtime) == []
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert said[-1] == f"{first.order_name} claimed by Pia Picker until 09:40"
    assert claims(runtime) == [(first.key, "P1", "pack-1")]
