"""A manager keeps the staff list in the app: someone who left is deactivated, their work freed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from oms_tui.cache.models import AuditEvent, Claim, Role, Staff
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.runtime import Runtime
from oms_tui.screens.staff_screen import StaffScreen
from tests.ui.conftest import NOW
from tests.ui.floor_app import settle, signed_in

SIZE = (100, 30)


def hire_ana_with_a_claim(runtime: Runtime) -> None:
    with runtime.cache.sessions() as session:
        session.add(Staff(code="ANA", name="Ana Pereira", role=Role.PICKER, created_at=NOW))
        session.flush()
        session.add(
            Claim(
                fulfillment_order_id="gid://shopify/FulfillmentOrder/1",
                staff_code="ANA",
                station="pick-2",
                lease_until=NOW + timedelta(minutes=10),
            )
        )
        session.commit()


async def test_a_manager_deactivates_someone_who_left_and_their_claims_lapse(runtime: Runtime) -> None:
    hire_ana_with_a_claim(runtime)
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        app.action_staff()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StaffScreen)
        assert [person.code for person in screen.people] == ["ANA", "M1"]
        await pilot.press("d")  # Ana is highlighted first
        await pilot.press("enter")  # "Deactivate Ana Pereira"
        await settle(pilot)
        assert [(p.code, p.active) for p in screen.people] == [("M1", True), ("ANA", False)]
    with runtime.cache.sessions() as session:
        with pytest.raises(StaffError, match="no longer active"):
            active_staff(session, "ANA")  # her badge signs nobody in
        (claim,) = session.exec(select(Claim)).all()
        assert claim.lease_until <= NOW + timedelta(seconds=1) or claim.lease_until < NOW + timedelta(
            minutes=10
        )
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.deactivate")).one()
        assert (event.subject, event.staff_code) == ("ANA", "M1")


async def test_only_a_manager_changes_the_staff_list(runtime: Runtime) -> None:
    hire_ana_with_a_claim(runtime)
    app = signed_in(runtime, "K1", "Kai Packer", Role.PACKER)
    async with app.run_test(size=SIZE) as pilot:
        app.action_staff()
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, StaffScreen)  # no confirmation was offered
        await pilot.press("r", "a")
        await settle(pilot)
        assert isinstance(app.screen, StaffScreen)
    with runtime.cache.sessions() as session:
        assert session.get_one(Staff, "ANA").active
        assert session.get_one(Staff, "ANA").role == Role.PICKER


async def test_a_manager_adds_a_person_and_changes_a_role(runtime: Runtime) -> None:
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        app.action_staff()
        await settle(pilot)
        await pilot.press("a", *"P07 Bo Chen", "enter")
        await pilot.press("enter")  # the first role: picker
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StaffScreen)
        assert [(p.code, p.name, p.role) for p in screen.people][-1] == ("P07", "Bo Chen", Role.PICKER)
        screen.query_one("DataTable").move_cursor(row=1)  # type: ignore[attr-defined]
        await pilot.press("r", "down", "enter")  # packer
        await settle(pilot)
    with runtime.cache.sessions() as session:
        assert session.get_one(Staff, "P07").role == Role.PACKER
