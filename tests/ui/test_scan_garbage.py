"""Property tests: whatever a scanner sends, no screen crashes; whatever a person types slowly arrives."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from textual.screen import Screen
from textual.widgets import Input, Label

from oms_tui.app import OmsApp
from oms_tui.floor.actions.staff import DEMO_STAFF, seed_demo_staff
from oms_tui.runtime import Runtime
from oms_tui.screens.catalog import SCREENS
from oms_tui.screens.messages import Scanned
from oms_tui.screens.order_prompt import OrderPrompt
from oms_tui.screens.sign_in import SignInScreen
from oms_tui.widgets.blocking_error import BlockingError
from tests.ui.conftest import NOW
from tests.ui.floor_app import settle
from tests.ui.scanner import scan, scanner_on, type_slowly

SIZE = (120, 36)
printable = st.characters(categories=("L", "M", "N", "P", "S"), include_characters=" ")  # str.isprintable
garbage = st.one_of(
    st.text(printable, min_size=3, max_size=40),
    st.sampled_from(["###", "#-1", "gid://shopify/Order/", "1" * 30, "pick1 ", "9" * 400]),
    st.sampled_from(["[/b]", "[a=<b]", "[bold]x[/i]"]),  # what Textual would take for markup
    st.just("\uff30\uff29\uff23\uff2b\uff11"),  # PICK1 in full-width letters: no badge
)
wild = st.text(printable, min_size=500, max_size=2000)  # a scanner gone wild: in every example
few = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def staffed(runtime: Runtime) -> Runtime:
    with runtime.cache.sessions() as session:
        seed_demo_staff(session, "office")
        session.commit()
    return scanner_on(runtime)


def signs_someone_in(code: str) -> bool:
    """A demo badge, however the scanner cased, padded or widened it (the app reads it as the badge)."""
    return unicodedata.normalize("NFKC", code).strip().upper() in {code for code, _, _ in DEMO_STAFF}


@pytest.mark.parametrize("screen", [entry.name for entry in SCREENS] + ["sign-in"])
@few
@given(codes=st.lists(garbage, min_size=1, max_size=4), long_one=wild)
async def test_garbage_scans_never_crash_a_screen(
    staffed: Runtime, screen: str, codes: list[str], long_one: str
) -> None:
    # A badge at the sign-in screen signs its person in and leaves it: see the test after this one.
    assume(screen != "sign-in" or not any(signs_someone_in(code) for code in codes))
    app = OmsApp(staffed, live=False, clock=lambda: NOW, sign_in_first=screen == "sign-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if screen == "sign-in":
            assert isinstance(app.screen, SignInScreen)
        else:
            app.switch_mode(screen)
        await settle(pilot)
        scanned_at = type(app.screen)
        await scan(pilot, *codes, long_one)
        await settle(pilot)
        assert app.is_running
        assert_told_of(app, scanned_at, long_one.strip())
    # leaving run_test raises whatever the app raised


def assert_told_of(app: OmsApp, screen: type[Screen[object]], code: str) -> None:
    """The person is still on the screen they scanned at (a screen of work may stop them with a
    blocking error) and is told the scan was not understood, quoting it as it came (its start)."""
    blocked = isinstance(app.screen, BlockingError)
    under = next(shown for shown in reversed(app.screen_stack) if not isinstance(shown, BlockingError))
    assert type(under) is screen, f"a scan took {screen.__name__} to {type(under).__name__}"
    if blocked or screen is SignInScreen:
        shown = app.screen.query(".problem" if blocked else "#problem").results(Label)  # every one blocked
        said = [str(label.render()) for label in shown]
        if not blocked:
            assert said[0].endswith(" is not a staff badge: scan your badge"), said
    else:
        said = [str(note.message) for note in app._notifications]
    start = code[:12]
    # as typed, or as Python quotes the code or its shown start (its escapes, and which quote it
    # takes, depend on the quotes in what is quoted)
    quoted = (start, repr(code)[1:13], repr(code[: Scanned.SHOWN])[1:13])
    assert any(form in text for text in said for form in quoted), f"{start!r} not quoted in {said}"


async def test_a_badge_scanned_twice_at_the_sign_in_screen_signs_in_once(staffed: Runtime) -> None:
    app = OmsApp(staffed, live=False, clock=lambda: NOW, sign_in_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "PICK1", "PICK1")  # a double read, as scanners do
        await settle(pilot)
        assert app.is_running and app.desk.staff is not None
        assert not isinstance(app.screen, SignInScreen)


@few
@given(text=st.text(printable, min_size=1, max_size=30))
async def test_every_character_typed_slowly_arrives_in_the_box(staffed: Runtime, text: str) -> None:
    app = OmsApp(staffed, live=False, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        app.action_go_to_order()
        await pilot.pause()
        assert isinstance(app.screen, OrderPrompt)
        await type_slowly(pilot, text, pause_s=0.1)
        assert app.screen.query_one(Input).value == text
