"""Who works at this station: signing in and out (by badge, typed code or idle time), and the staff list.

The app's base below `OmsApp`; what it reads of the app (runtime, desk, clock, the screens made) is
declared here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from textual.reactive import reactive
from textual.screen import Screen

from oms_tui.app_failures import FailureHandlingApp
from oms_tui.cache.models import Staff
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.staff import active_people, record_sign_in, record_sign_out
from oms_tui.runtime import Runtime
from oms_tui.screens.messages import StaffChanged
from oms_tui.screens.sign_in import SignInScreen


class StationStaff(FailureHandlingApp):
    staff: reactive[str | None] = reactive(None)  # the signed-in person's name, for the header
    runtime: Runtime
    desk: OrderDesk
    clock: Callable[[], datetime]
    last_input: datetime
    made: dict[str, Screen[Any]]

    def ask_sign_in(self, quietly: bool = False) -> None:
        """The sign-in, when there is anyone to sign in (a station with no staff registered works as
        nobody; `quietly`: without saying so); demo staff's codes are listed on it."""
        if isinstance(self.screen, SignInScreen):
            return
        try:
            with self.runtime.cache.reads() as session:
                people = active_people(session)
        except SQLAlchemyError as exc:
            self.refuse(exc, "sign-in")
            return
        if not people:
            if not quietly:
                self.notify("Nobody to sign in: add staff with `oms-tui staff add`", severity="warning")
            return
        settings = self.runtime.settings
        shown = people if settings.demo else []
        self.push_screen(SignInScreen(self.runtime.cache, settings.station, self.sign_in, shown))

    def sign_in(self, person: Staff, how: str = "typed") -> None:
        """`person` works here now (whoever was signed in is signed out): recorded, the desk replaced."""
        previous = self.desk.staff
        if previous is not None and previous.code == person.code:
            self.notify(f"{person.name} is signed in")
            if isinstance(self.screen, SignInScreen):
                self.screen.leave()
            return
        station = self.runtime.settings.station
        try:
            with self.runtime.cache.sessions() as session:
                if previous is not None:
                    record_sign_out(session, station, previous, "switch")
                record_sign_in(session, station, person, how)
                session.commit()
        except SQLAlchemyError as exc:
            self.refuse(exc, f"signing {person.name} in")
            return
        self._staff_changed(person, previous)
        self.notify(f"Signed in: {person.name} ({person.role.value})")

    def sign_out(self, why: str) -> None:
        """`why`: "asked" or "idle". The sign-in follows."""
        previous = self.desk.staff
        if previous is None:
            return
        try:
            with self.runtime.cache.sessions() as session:
                record_sign_out(session, self.runtime.settings.station, previous, why)
                session.commit()
        except SQLAlchemyError as exc:
            self.refuse(exc, f"signing {previous.name} out")
            return
        self._staff_changed(None, previous)
        self.notify(f"Signed out: {previous.name}" + (" (idle)" if why == "idle" else ""))
        self.ask_sign_in()

    def _staff_changed(self, person: Staff | None, previous: Staff | None) -> None:
        self.desk = OrderDesk(self.runtime.settings.station, person)
        self.staff = person.name if person else None
        self.last_input = self.clock()
        # every screen of every mode, the ones pushed over them too (an order screen holds a desk)
        for screen in [screen for mode in self.made for screen in self.get_screen_stack(mode)]:
            screen.post_message(StaffChanged(person, previous))

    def sign_out_if_idle(self) -> None:
        minutes = self.runtime.settings.idle_signout_minutes
        idle = (self.clock() - self.last_input).total_seconds() / 60
        if minutes and self.desk.staff is not None and idle >= minutes:
            self.sign_out("idle")

    def action_staff(self) -> None:
        from oms_tui.screens.staff_screen import StaffScreen  # a manager's screen: not needed at start

        self.push_screen(StaffScreen(self.runtime.cache, self.runtime.settings.station, self.clock))

