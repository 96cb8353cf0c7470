"""Who works here, for a manager: add a person, change a role, deactivate someone who left (their
badge then signs nobody in and their claims lapse). Others see the list; changing it is a manager's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from oms_tui.actions.permissions import Permission, allowed
from oms_tui.cache.database import Cache
from oms_tui.cache.models import Role, Staff
from oms_tui.floor.actions.staff import StaffError, add_staff, change_role, deactivate, everyone
from oms_tui.plain_text import visible
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.text_modal import TextModal

Change = Callable[[Session], str]  # changes the staff table in the session's transaction; says what it did
ROLES = [(role.value, role.value) for role in Role]


class StaffScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="staff.close"),
        Binding("a", "add", "Add", id="staff.add"),
        Binding("r", "role", "Role", id="staff.role"),
        Binding("d", "deactivate", "Deactivate", id="staff.deactivate"),
    ]
    DEFAULT_CSS = """
    StaffScreen { align: center middle; }
    StaffScreen > Vertical {
        width: 76; height: auto; max-height: 90%; padding: 1 2; border: round $accent; background: $surface;
    }
    StaffScreen DataTable { height: auto; max-height: 20; }
    StaffScreen .hint { color: $text-muted; margin-top: 1; }
    """

    class Changed(Message):
        def __init__(self, text: str, error: bool = False) -> None:
            super().__init__()
            self.text, self.error = text, error

    def __init__(self, cache: Cache, station: str, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.cache, self.station, self.clock = cache, station, clock
        self.people: list[Staff] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Staff"
            yield DataTable(cursor_type="row", id="people")
            yield Label("a add · r role · d deactivate (a manager's) · Esc to close", classes="hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Code", "Role", "Name", "")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="staff")
    def load(self) -> None:
        with self.cache.reads() as session:
            people = everyone(session)
        self.app.call_from_thread(self.show, people)

    def show(self, people: list[Staff]) -> None:
        self.people = people
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for person in people:
            state = Text("inactive", "dim") if not person.active else Text("")
            table.add_row(person.code, person.role.value, Text(visible(person.name)), state, key=person.code)
        if people:
            table.move_cursor(row=min(max(row, 0), len(people) - 1))

    def chosen(self) -> Staff | None:
        table = self.query_one(DataTable)
        return self.people[table.cursor_row] if self.people and table.cursor_row >= 0 else None

    def managing(self) -> str | None:
        """The signed-in manager's code; otherwise says who may and answers None."""
        staff = floor_app(self.app).desk.staff
        if staff is None or not allowed(staff, Permission.MANAGE_STAFF):
            self.notify("only a signed-in manager may manage staff", title="Not allowed", severity="error")
            return None
        return staff.code

    def action_add(self) -> None:
        by = self.managing()
        if by is None:
            return

        def named(text: str | None) -> None:
            code, _, name = (text or "").strip().partition(" ")
            if not code:
                return

            def roled(choice: Choice | None) -> None:
                if choice is not None:
                    self.change(
                        lambda s: (
                            f"added {add_staff(s, code, name, Role(choice.value), station=self.station).code}"
                        )
                    )

            self.app.push_screen(ChoiceModal(f"{code.upper()}'s role", ROLES), roled)

        hint = "Their badge code, a space, their name · Enter · Esc to cancel"
        self.app.push_screen(TextModal("Add a person", placeholder="P07 Ana Pereira", hint=hint), named)

    def action_role(self) -> None:
        person, by = self.chosen(), self.managing()
        if person is None or by is None:
            return

        def roled(choice: Choice | None) -> None:
            if choice is not None:
                self.change(
                    lambda s: (
                        f"{change_role(s, person.code, Role(choice.value), station=self.station, by=by).code}"
                        f" is now a {choice.value}"
                    )
                )

        self.app.push_screen(ChoiceModal(f"{visible(person.name)}'s role", ROLES), roled)

    def action_deactivate(self) -> None:
        person, by = self.chosen(), self.managing()
        if person is None or by is None:
            return
        if person.code == by:
            self.notify("a manager cannot deactivate themselves here", severity="warning")
            return

        def confirmed(choice: Choice | None) -> None:
            if choice is not None and choice.value == "yes":
                self.change(partial(self.retire, person.code, by))

        options = [(f"Deactivate {visible(person.name)}: their badge stops working", "yes"), ("Keep", "no")]
        self.app.push_screen(ChoiceModal(f"{person.code} left?", options), confirmed)

    def retire(self, code: str, by: str, session: Session) -> str:
        deactivate(session, code, station=self.station, by=by, now=self.clock())
        return f"{code} deactivated; their claims lapsed"

    @work(thread=True, exit_on_error=False, group="staff-change")
    def change(self, change: Change) -> None:
        try:
            with self.cache.sessions() as session:
                said = change(session)
                session.commit()
        except (StaffError, SQLAlchemyError) as exc:
            self.post_message(self.Changed(str(exc).splitlines()[0], error=True))
            return
        self.post_message(self.Changed(said))
        self.load()

    @on(Changed)
    def changed(self, message: Changed) -> None:
        self.notify(message.text, severity="error" if message.error else "information")
