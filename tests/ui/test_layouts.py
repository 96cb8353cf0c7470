"""Every screen at the smallest terminal a station has (80x24) and a wall screen's (200x60): readable
at the one, using the room at the other. Each snapshot pins one screen at one size."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Tab

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import Role
from oms_tui.config import Settings
from oms_tui.floor.actions.staff import seed_demo_staff
from oms_tui.floor.exceptions.records import open_by_kind
from oms_tui.floor.exceptions.rules import RuleSettings, fix_for, label
from oms_tui.runtime import Runtime
from oms_tui.screens.board_screen import BoardScreen
from oms_tui.screens.exceptions_screen import ExceptionsScreen
from oms_tui.screens.messages import Scanned
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.sim.store import SimStore
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.pick_lines import PickLines
from tests.local_time import utc_local_time
from tests.store.returns_shop import request_return
from tests.ui.conftest import NOW, _sync
from tests.ui.floor_app import order_named, settle, signed_in
from tests.ui.floor_day import seed_floor_day
from tests.ui.pick_floor import open_sheet, shelve_every_sku
from tests.ui.scanner import scanner_on, type_slowly
from tests.ui.test_order_screen import seed_floor_history
from tests.ui.test_pack_screen import packable

SIZES = {"80x24": (80, 24), "200x60": (200, 60)}
Scene = tuple[OmsApp, Callable[[Pilot[Any]], Awaitable[None]]]


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    with utc_local_time():
        yield


async def scan(pilot: Pilot[Any], *codes: str) -> None:
    for code in codes:
        pilot.app.screen.post_message(Scanned(code))
    await settle(pilot)


def queue(runtime: Runtime) -> Scene:
    return OmsApp(runtime, live=False, clock=lambda: NOW), settle


def order(runtime: Runtime) -> Scene:
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    with runtime.cache.sessions() as session:
        seed_floor_history(session)
        order_id = order_named(session, "#1042").id

    async def open_it(pilot: Pilot[Any]) -> None:
        app.open_order(order_id)
        await settle(pilot)

    return app, open_it


def pick(runtime: Runtime) -> Scene:
    shelve_every_sku(runtime)
    app = signed_in(runtime, "P01", "Ana Pereira", Role.PICKER)

    async def mid_work(pilot: Pilot[Any]) -> None:
        await pilot.press("f5", "n")
        await settle(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        for line in sheet.lines[:2]:
            await scan(pilot, *[line.sku or ""] * line.needed)

    return app, mid_work


def pack(runtime: Runtime) -> Scene:
    (to_pack,) = packable(runtime, 1)
    app = signed_in(runtime, "P02", "Pat Packer", Role.PACKER)

    async def mid_pack(pilot: Pilot[Any]) -> None:
        await pilot.press("f6")
        await scan(pilot, to_pack.name, to_pack.skus[0])

    return app, mid_pack


def exceptions(runtime: Runtime) -> Scene:
    seed_floor_day(runtime.cache, NOW, RuleSettings(sla_hours=runtime.settings.sla_hours))

    async def open_pane(pilot: Pilot[Any]) -> None:
        await pilot.press("f3")
        await settle(pilot)

    return OmsApp(runtime, live=False, clock=lambda: NOW), open_pane


def board(runtime: Runtime) -> Scene:
    seed_floor_day(runtime.cache, NOW, RuleSettings(sla_hours=runtime.settings.sla_hours))

    async def open_board(pilot: Pilot[Any]) -> None:
        await pilot.press("f4")
        await settle(pilot)

    return OmsApp(runtime, live=False, clock=lambda: NOW), open_board


def search(runtime: Runtime) -> Scene:
    async def find(pilot: Pilot[Any]) -> None:
        await pilot.app.run_action("search")
        await pilot.press(*"shor-bl")
        await settle(pilot)

    return OmsApp(runtime, live=False, clock=lambda: NOW), find


def sign_in(runtime: Runtime) -> Scene:
    with runtime.cache.sessions() as session:
        seed_demo_staff(session, "office")
        session.commit()
    app = OmsApp(scanner_on(runtime), live=False, clock=lambda: NOW, sign_in_first=True)

    async def mistyped(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await type_slowly(pilot, "pik1\r")

    return app, mistyped


def help_screen(runtime: Runtime) -> Scene:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    return OmsApp(runtime, live=False, clock=lambda: NOW), open_help


SCENES = {
    "queue": queue,
    "order": order,
    "pick": pick,
    "pack": pack,
    "exceptions": exceptions,
    "board": board,
    "search": search,
    "sign-in": sign_in,
    "help": help_screen,
}


@pytest.fixture
def returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Runtime, str, str]:
    """A shop with one open return of two lines, synced: the runtime, the order's name, a SKU returned."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    store = SimStore(orders=60, seed=7, clock=lambda: NOW)
    sim_return = request_return(store, min_lines=2)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="returns-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    asyncio.run(_sync(store, runtime))
    sim_order = store.order(sim_return.order_id)
    assert sim_order is not None
    first = sim_return.return_line_items[0].fulfillment_line_item.line_item.sku
    return runtime, sim_order.name, first or ""


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("scene", [scene for scene in SCENES if scene != "board"])  # test_board_screen's
def test_screen_snapshot(
    scene: str, size: tuple[int, int], runtime: Runtime, snap_compare: Callable[..., bool]
) -> None:
    app, go_there = SCENES[scene](runtime)
    assert snap_compare(app, terminal_size=size, run_before=go_there)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_returns_snapshot(
    size: tuple[int, int], returned: tuple[Runtime, str, str], snap_compare: Callable[..., bool]
) -> None:
    """The returns queue at the top, a return being received (one unit counted) below."""
    runtime, order_name, sku = returned
    app = signed_in(runtime, "R01", "Rosa", Role.PACKER)

    async def receive_one(pilot: Pilot[Any]) -> None:
        await pilot.press("f7")
        await settle(pilot)
        await scan(pilot, order_name, sku)

    assert snap_compare(app, terminal_size=size, run_before=receive_one)


# --- what the complaints were about, checked on screen ---------------------------------------------


def shown(widget: Widget) -> str:
    """The widget's text as drawn at its size (borders and all)."""
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.outer_size)))


@pytest.mark.parametrize("scene", [scene for scene in SCENES if scene not in ("sign-in", "help")])  # modals
async def test_help_stays_in_the_footer_at_80x24(scene: str, runtime: Runtime) -> None:
    app, go_there = SCENES[scene](runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        await go_there(pilot)
        assert " Help " in shown(app.screen.query_one(KeyFooter))  # ? Help (F1 Help where ? is typed)


async def test_the_queue_at_80x24_shows_every_tab_filter_and_customer_name(runtime: Runtime) -> None:
    app, go_there = queue(runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        await go_there(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        tabs = list(screen.query(Tab))
        assert [str(tab.label)[:2] for tab in tabs] == [f"{n} " for n in range(1, 8)]
        assert all(tab.region.right <= 80 and tab.region.width > len(str(tab.label)) for tab in tabs)
        for box in screen.query("#filters > *"):
            assert box.region.right <= 80 and box.region.width >= 14, box
        table = screen.table
        lines = shown(table).splitlines()
        assert "Customer" in lines[0]
        names = [row.customer for n in range(table.body_height) if (row := table.row_at(n))]
        assert len(names) == table.body_height
        for name, line in zip(names, lines[1:], strict=True):
            assert name in line


async def test_the_queue_at_200x60_gives_the_customer_no_more_than_the_names_need(runtime: Runtime) -> None:
    app, go_there = queue(runtime)
    async with app.run_test(size=(200, 60)) as pilot:
        await go_there(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        header = shown(screen.table).splitlines()[0]
        for label in ("Order", "Status", "Age", "SLA", "Customer", "Items", "Location", "Tags", "Who"):
            assert label in header
        longest = max(len(row.customer) for n in range(screen.table.total) if (row := screen.table.row_at(n)))
        assert header.index("Items") - header.index("Customer") <= longest + 2 + len("Items")


async def test_the_order_at_80x24_shows_its_labels_quantities_and_tracking_number_whole(
    runtime: Runtime,
) -> None:
    app, go_there = order(runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        await go_there(pilot)
        screen = app.screen
        assert isinstance(screen, OrderScreen) and screen.detail is not None
        panel = shown(screen.query_one("#order-panel"))
        for label in ("Placed", "Customer", "Email", "Phone"):
            assert f"{label} " in panel
        assert screen.detail.order.email and screen.detail.order.email in panel
        lines = shown(screen.query_one("#lines")).splitlines()
        assert "Qty" in lines[1] and "Left" in lines[1]
        for line, shown_line in zip(screen.detail.lines, lines[2:], strict=False):
            assert line.sku and line.sku in shown_line
            assert shown_line.strip("│ ").split()[-2:] == [str(line.quantity), str(line.remaining)]
        shipments = shown(screen.query_one("#shipments"))
        assert screen.detail.shipments
        for shipment in screen.detail.shipments:
            assert shipment.number and shipment.number in shipments


async def test_the_board_at_80x24_says_what_its_lists_could_not_show(runtime: Runtime) -> None:
    app, go_there = board(runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        await go_there(pilot)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        late = shown(screen.query_one("#late")).splitlines()
        orders = [line for line in late if "late" in line and "#" in line]
        more = next(line for line in late if "more" in line)
        total = int(late[1].split("late")[1].split()[0])  # "late 30   at risk 1"
        assert len(orders) + int(more.split("…")[1].split()[0]) == total
        kinds = shown(screen.query_one("#by-kind"))
        with runtime.cache.reads() as session:
            open_kinds = {label(kind) for kind in open_by_kind(session)}
        assert all(kind[:12] in kinds for kind in open_kinds), kinds


async def test_the_exception_pane_at_250_columns_shows_every_problem_and_fix_whole(runtime: Runtime) -> None:
    app, go_there = exceptions(runtime)
    async with app.run_test(size=(250, 60)) as pilot:
        await go_there(pilot)
        screen = app.screen
        assert isinstance(screen, ExceptionsScreen)
        table = screen.query_one("#exceptions", DataTable)
        drawn = shown(table)
        for item in screen.shown.values():
            problem = item.row.message.removeprefix(f"{item.order_name}: ")
            fix = fix_for(item.row.kind, item.row.fix)
            if table.get_row_index(str(item.row.id)) < table.size.height - 1:  # on screen
                assert problem in drawn and fix in drawn, (problem, fix)


async def test_the_pick_list_at_80x24_shows_each_line_s_bin_item_count_and_totes_whole(
    runtime: Runtime,
) -> None:
    app, go_there = pick(runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        await go_there(pilot)
        sheet = open_sheet(runtime, "P01")
        assert sheet is not None
        lines = shown(app.screen.query_one(PickLines)).splitlines()
        for line, drawn in zip(sheet.lines, lines[1:], strict=False):
            totes = ", ".join(f"{tote.tote}x{tote.needed}" for tote in line.totes)
            for whole in (line.bin_code or "", line.sku or "", f"{line.picked}/{line.needed}", totes):
                assert whole in drawn, (whole, drawn)
