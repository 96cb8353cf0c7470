"""Where is my order? Typed into the search screen, found, opened."""

from __future__ import annotations

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from oms_tui.app import OmsApp
from oms_tui.cache.models import Fulfillment, LineItem, Order
from oms_tui.runtime import Runtime
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.search_screen import SearchScreen
from tests.ui.floor_app import settle

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def no_typing_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search at once after each key (the pause only spares the database while a person types)."""
    monkeypatch.setattr(SearchScreen, "DEBOUNCE", 0)


def shipped_order(runtime: Runtime) -> tuple[Order, str, str]:
    """A shipped order, its tracking number, and a SKU of its that no other order has."""
    with runtime.cache.sessions() as session:
        skus = session.exec(select(LineItem.sku, LineItem.order_id)).all()
        owners: dict[str, set[str]] = {}
        for sku, order_id in skus:
            owners.setdefault(sku or "", set()).add(order_id)
        for order, parcel in session.exec(
            select(Order, Fulfillment.tracking_number)
            .join(Fulfillment, col(Fulfillment.order_id) == Order.id)
            .where(Order.fulfillment_status == "FULFILLED")
            .order_by(Order.name)
        ):
            only_here = [sku for sku, orders in owners.items() if orders == {order.id}]
            if parcel and only_here:
                return order, parcel, only_here[0]
    raise AssertionError("the seeded shop has no shipped order with a SKU of its own")


async def open_search(pilot: Pilot) -> None:
    await pilot.app.run_action("search")
    await pilot.pause()


def result_names(app: OmsApp) -> list[str]:
    table = app.screen.query_one("#results", DataTable)
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


async def test_find_a_shipped_order_by_its_tracking_number(app: OmsApp, runtime: Runtime) -> None:
    order, parcel, _ = shipped_order(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        assert isinstance(app.focused, Input)
        await pilot.press(*parcel[:10].lower())
        await settle(pilot)
        assert result_names(app) == [order.name]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OrderScreen) and screen.title.startswith(order.name)
        shipments = screen.query_one("#shipments", DataTable)
        assert parcel in [str(shipments.get_row_at(row)[2]) for row in range(shipments.row_count)]
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)  # back to the results


async def test_find_it_by_a_lower_case_partial_sku(app: OmsApp, runtime: Runtime) -> None:
    order, _, sku = shipped_order(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await pilot.press(*sku.lower()[:-1])  # all but its last character
        await settle(pilot)
        assert order.name in result_names(app)
        table = app.screen.query_one("#results", DataTable)
        matched = [str(table.get_row_at(row)[5]) for row in range(table.row_count)]
        assert all(sku[:-1] in text for text in matched), matched


async def test_a_scanned_order_number_and_enter_open_it_at_once(
    app: OmsApp, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SearchScreen, "DEBOUNCE", 60)  # a scanner is faster than any pause
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await pilot.press(*"1007", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen) and app.screen.title.startswith("#1007")


async def test_slash_opens_the_search_anywhere_and_is_typed_in_the_box(app: OmsApp, runtime: Runtime) -> None:
    with runtime.cache.sessions() as session:
        order_id = session.exec(select(Order.id).where(Order.name == "#1007")).one()
    async with app.run_test(size=SIZE) as pilot:
        app.open_order(order_id)
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"a/b")
        assert app.screen.query_one(Input).value == "a/b"


async def test_results_follow_the_text_as_it_changes(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await pilot.press(*"10")
        await settle(pilot)
        assert result_names(app) == []  # two characters find a whole order number only
        assert "Type 3 characters or more" in str(app.screen.query_one("#summary").render())
        await pilot.press("0")
        await settle(pilot)
        assert len(result_names(app)) > 1  # "100" is in every order number from #1001 to #1009
        await pilot.press(*"zzzz")
        await settle(pilot)
        assert result_names(app) == []
        assert "No order matches '100zzzz'" in str(app.screen.query_one("#summary").render())


def test_search_snapshot(app: OmsApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_search(pilot)
        await pilot.press(*"shor-bl")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=search)


async def test_what_looks_like_markup_is_searched_and_quoted_as_typed(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await pilot.press(*"[/b] x")
        await settle(pilot)
        summary = app.screen.query_one("#summary")
        assert "No order matches '[/b] x'" in str(summary.render())
        app.screen.notify("unknown code '[/x]'")  # a screen's notice asks for markup: shown as it is
        await settle(pilot)
        assert app.is_running
