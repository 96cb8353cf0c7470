"""The keys every screen shares: `/` is the one search everywhere (the queue's own text filter has its
key), an F-key shows the screen it names whatever was opened over it, and the queue's filters list
what the store has once a sync brings it."""

from __future__ import annotations

from sqlmodel import delete, select
from textual.widgets import Select

from oms_tui.app import LiveReport, OmsApp
from oms_tui.cache.models import Location
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.pick_screen import PickScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.screens.search_screen import SearchScreen
from tests.ui.conftest import settle
from tests.ui.floor_app import open_order_screen

SIZE = (120, 36)


def offered(app: OmsApp) -> list[str]:
    choices = app.screen.query_one("#location", Select)
    return [str(label) for label, value in choices._options if value is not Select.NULL]


async def test_the_location_filter_lists_the_locations_a_first_sync_brings(
    app: OmsApp, runtime: Runtime
) -> None:
    with runtime.cache.sessions() as session:
        locations = [Location(**row.model_dump()) for row in session.exec(select(Location))]
        session.exec(delete(Location))  # type: ignore[call-overload]  # a first start: nothing synced yet
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert offered(app) == []

        with runtime.cache.sessions() as session:  # the first sync
            session.add_all(locations)
            session.commit()
        app.post_message(LiveReport(LiveUpdate("synced", changed=True)))
        await settle(pilot)
        assert offered(app) == ["East Coast DC", "Main Warehouse", "Soho Store"]  # active ones, by name

        choices = app.screen.query_one("#location", Select)
        choices.value = next(loc.id for loc in locations if loc.name == "Main Warehouse")
        await settle(pilot)
        chosen = app.screen.filters.location_id  # type: ignore[attr-defined]
        app.post_message(LiveReport(LiveUpdate("synced", changed=True)))  # the next sync
        await settle(pilot)
        assert choices.value == chosen and app.screen.filters.location_id == chosen  # type: ignore[attr-defined]


async def test_slash_on_the_queue_is_the_search_of_every_screen(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)


async def test_an_f_key_on_an_order_screen_shows_the_screen_it_names(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_order_screen(app, pilot, "#1004")  # opened from the queue
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)

        await pilot.press("f5")
        await settle(pilot)
        await open_order_screen(app, pilot, "#1004")  # opened from the pick screen
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        assert not any(isinstance(screen, OrderScreen) for screen in app.screen_stack)
