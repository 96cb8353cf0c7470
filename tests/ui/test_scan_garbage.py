"""Property tests: whatever a scanner sends, no screen crashes; whatever a person types slowly arrives."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from oms_tui.app import OmsApp
from oms_tui.floor.actions.staff import seed_demo_staff
from oms_tui.runtime import Runtime
from oms_tui.screens.catalog import SCREENS
from oms_tui.screens.order_prompt import OrderPrompt
from oms_tui.screens.sign_in import SignInScreen
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


@pytest.mark.parametrize("screen", [entry.name for entry in SCREENS] + ["sign-in"])
@few
@given(codes=st.lists(garbage, min_size=1, max_size=4), long_one=wild)
async def test_garbage_scans_never_crash_a_screen(
    staffed: Runtime, screen: str, codes: list[str], long_one: str
) -> None:
    app = OmsApp(staffed, live=False, clock=lambda: NOW, sign_in_first=screen == "sign-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if screen == "sign-in":
            assert isinstance(app.screen, SignInScreen)
        else:
            app.switch_mode(screen)
        await settle(pilot)
        await scan(pilot, *codes, long_one)
        await settle(pilot)
        assert app.is_running
    # leaving run_test raises whatever the app raised


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
