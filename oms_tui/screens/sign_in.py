"""Who works at this station: a badge scan (anywhere, the app handles it) or a staff code typed here.

Shown at start when nobody is signed in, after an idle sign-out, and by "Switch staff". Esc carries on
with nobody signed in: the station may then do only what every role may.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from oms_tui.cache.database import Cache
from oms_tui.cache.models import Staff
from oms_tui.cache.outage import outage_reason
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.screens.messages import Scanned, StaffChanged


class SignInScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Not now", id="sign_in.skip")]
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > Vertical {
        width: 70; height: auto; padding: 1 2; border: thick $primary; background: $surface;
    }
    SignInScreen #problem { color: $error; text-style: bold; }
    SignInScreen .hint { color: $text-muted; margin-top: 1; }
    """
    AUTO_FOCUS = "#code"

    def __init__(
        self, cache: Cache, station: str, sign_in: Callable[[Staff], None], shown: list[Staff]
    ) -> None:
        """`sign_in`: the app's, for a code typed here. `shown`: people whose codes are listed (demo)."""
        super().__init__()
        self.cache, self.station, self.sign_in, self.shown = cache, station, sign_in, shown
        self.leaving = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Sign in · station {self.station}"
            yield Label("Scan your badge, or type your staff code and Enter")
            yield Input(placeholder="staff code", id="code")
            yield Label("", id="problem", markup=False)  # quotes what was scanned or typed
            if self.shown:
                codes = "\n".join(f"  {p.code:<8} {p.name} ({p.role.value})" for p in self.shown)
                yield Label(f"Demo staff:\n{codes}", id="demo-staff", classes="hint")
            yield Label("Esc: carry on with nobody signed in (notes, tags, holds only)", classes="hint")

    @on(Input.Submitted, "#code")
    def typed(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not code:
            return
        try:
            with self.cache.reads() as session:
                person = active_staff(session, code)
        except StaffError as exc:
            self.query_one("#problem", Label).update(str(exc))
            event.input.select_all()  # kept, to fix; the next typing replaces it
            return
        except SQLAlchemyError as exc:  # the cache went away: the header says so until it is back
            self.query_one("#problem", Label).update(f"cannot sign in now: {outage_reason(exc)}")
            return
        self.sign_in(person)

    @on(Scanned)
    def not_a_badge(self, event: Scanned) -> None:
        """Badges never get here (the app signs their person in): this scan was something else."""
        event.stop()
        self.query_one("#problem", Label).update(f"{event.shown} is not a staff badge: scan your badge")

    @on(StaffChanged)
    def someone_signed_in(self, message: StaffChanged) -> None:
        if message.staff is not None:
            self.leave()

    def leave(self) -> None:
        """Close, once: a badge read twice (scanners do) signs in twice before the screen is gone."""
        if not self.leaving:
            self.leaving = True
            self.dismiss(None)
