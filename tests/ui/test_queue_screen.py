"""The queues, driven by keys as a picker would."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import col, func, select
from textual.pilot import Pilot
from textual.widgets import Input, Select, Tabs

from oms_tui.app import LiveReport, OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import Claim, FulfillmentOrder, Order, Role, Staff
from oms_tui.config import Settings
from oms_tui.floor.queues.queues import QueueRow
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.widgets.virtual_table import VirtualTable
from tests.bulk_cache import prebuilt
from tests.ui.conftest import NOW, settle

SIZE = (120, 36)


def table_of(app: OmsApp) -> VirtualTable[QueueRow]:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen.table


def rows(app: OmsApp) -> list[QueueRow]:
    table = table_of(app)
    found = [table.row_at(n) for n in range(table.total)]
    assert None not in found, "some rows were never read"
    return [row for row in found if row is not None]


def shown_lines(app: OmsApp) -> list[str]:
    table = table_of(app)
    return [table.render_line(y).text for y in range(1, table.body_height + 1)]


def test_queue_snapshot(app: OmsApp, snap_compare: Callable[..., bool]) -> None:
    async def loaded(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)


async def test_stages_switch_by_key(app: OmsApp) -> None:
    with app.runtime.cache.sessions() as session:
        session.add(Staff(code="P01", name="Ana Pereira", role=Role.PICKER))
        claimed = session.exec(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.status == "OPEN")
            .order_by(col(FulfillmentOrder.id))
        ).first()
        assert claimed is not None
        session.add(
            Claim(
                fulfillment_order_id=claimed.id,
                staff_code="P01",
                station="pick-1",
                lease_until=NOW + timedelta(hours=1),
            )
        )
        session.commit()
        fulfillment_orders = session.exec(select(func.count()).select_from(FulfillmentOrder)).one()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert claimed.id not in {row.key for row in rows(app)}
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.query_one(Tabs).active == "picking"
        assert [(row.key, row.holder) for row in rows(app)] == [(claimed.id, "Ana Pereira")]
        assert "Ana Pereira" in shown_lines(app)[0]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.screen.query_one(Tabs).active == "ready-to-pack"
        await pilot.press("7")
        await settle(pilot)
        assert table_of(app).total == fulfillment_orders
        assert app.screen.sub_title == f"{fulfillment_orders} all"


async def test_filter_a_queue_by_tag_and_location(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        everything = rows(app)
        rush = [row for row in everything if "rush" in row.tags]
        assert 0 < len(rush) < len(everything)
        await pilot.press("f", "tab", "tab")  # location, status, tag
        assert app.focused is app.screen.query_one("#tag", Input)
        await pilot.press(*"RUSH", "enter")
        await settle(pilot)
        assert rows(app) == rush
        assert app.focused is table_of(app)
        await pilot.press("f", "enter", "down", "enter")  # the first location
        await settle(pilot)
        locations = sorted({row.location for row in everything})
        assert {row.location for row in rows(app)} <= {locations[0]}
        assert rows(app) == [row for row in rush if row.location == locations[0]]


async def test_filter_a_queue_by_channel(app: OmsApp) -> None:
    with app.runtime.cache.reads() as session:
        channel_of = dict(session.exec(select(Order.id, Order.channel)).all())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")  # all: every channel has some
        await settle(pilot)
        everything = rows(app)
        sold_in_shop = [row for row in everything if channel_of[row.order_id] == "pos"]
        assert 0 < len(sold_in_shop) < len(everything)
        await pilot.press("f", "tab", "tab", "tab")  # location, status, tag, channel
        choices = app.screen.query_one("#channel", Select)
        assert app.focused is choices
        labels = [str(label) for label, _ in choices._options[1:]]  # after "Any channel"
        assert "online store" in labels and "draft order" in labels
        below_any = labels.index("point of sale") + 1
        await pilot.press("enter", *["down"] * below_any, "enter")
        await settle(pilot)
        assert rows(app) == sold_in_shop
        assert app.screen.sub_title == f"{len(sold_in_shop)} all"
        assert app.focused is choices
        await pilot.press("enter", *["up"] * below_any, "enter")  # any channel again
        await settle(pilot)
        assert rows(app) == everything


async def test_t_filters_the_tab_by_order_number_then_esc_clears(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        everything = table_of(app).total
        wanted = rows(app)[5].order_name
        await pilot.press("t")
        assert isinstance(app.focused, Input)
        await pilot.press("slash")  # in the box, `/` is typed (the app's search is for elsewhere)
        assert app.focused.value == "/"
        await pilot.press("backspace", *wanted.lstrip("#"), "enter")
        await settle(pilot)
        assert {row.order_name for row in rows(app)} == {wanted}
        await pilot.press("escape")
        await settle(pilot)
        assert table_of(app).total == everything


async def test_scroll_to_the_end_of_a_100k_queue(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    # Built once and kept in pytest's cache folder (about ten seconds to build); each run reads a copy.
    built = prebuilt(pytestconfig.cache.mkdir("queues"), 100_000, now=NOW, open_share=1.0, lean=True)
    url = f"sqlite:///{shutil.copy(built, tmp_path / 'big.sqlite3')}"
    cache = open_cache(url)
    runtime = Runtime(Settings(database_url=url, station="pick-1"), cache, "https://sim.test", SecretStr("x"))
    app = OmsApp(runtime, live=False, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")  # all: every fulfillment order
        await settle(pilot)
        table = table_of(app)
        assert table.total == 100_000
        await pilot.press("end")
        await settle(pilot)
        with cache.sessions() as session:
            last = session.exec(
                select(Order.name).order_by(col(Order.priority).desc(), col(Order.created_at).desc())
            ).first()
        assert table.cursor == 99_999
        assert last is not None and shown_lines(app)[-1].startswith(last)
        await pilot.press("pageup", "k")
        await settle(pilot)
        assert table.cursor == 99_999 - (table.body_height - 1) - 1
        assert None not in [table.row_at(n) for n in range(table.cursor, 100_000)]


async def test_a_live_change_leaves_the_highlight_on_its_order(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        table = table_of(app)
        highlighted = table.cursor_key
        assert highlighted is not None and table.cursor == 3
        first = rows(app)[0]
        with app.runtime.cache.sessions() as session:  # sync brings an older order with a rush tag
            for ident in (first.order_id, rows(app)[6].order_id):
                order = session.get_one(Order, ident)
                order.tags, order.priority, order.created_at = (
                    ["rush"],
                    0,
                    order.created_at - timedelta(days=3),
                )
            session.commit()
        app.post_message(LiveReport(LiveUpdate("synced 0 new, 2 changed", changed=True)))
        await settle(pilot)
        assert table.cursor_key == highlighted
        assert table.cursor == 4  # one order moved above it
        assert rows(app)[4].key == highlighted
        highlighted_name = rows(app)[4].order_name
        assert shown_lines(app)[4].startswith(highlighted_name)
