"""The manager's board on a morning's floor: from a laptop's 80x24 up to a wall screen's 200x60."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Sparkline, Static

from oms_tui.app import OmsApp
from oms_tui.cache.models import Fulfillment, FulfillmentOrder
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.floor.queues.board import board_figures
from oms_tui.floor.queues.stages import Stage
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens import board_screen
from oms_tui.screens.board_screen import STAGES, BoardScreen
from oms_tui.screens.messages import LiveUpdated
from oms_tui.widgets.stage_tile import StageTile
from tests.local_time import utc_local_time
from tests.ui.conftest import NOW
from tests.ui.drawn import count_draws, count_layouts
from tests.ui.floor_day import SHIPPED_PER_HOUR, seed_floor_day


@pytest.fixture(autouse=True)
def floor_day(runtime: Runtime) -> Iterator[None]:
    with utc_local_time():
        seed_floor_day(runtime.cache, NOW, RuleSettings(sla_hours=runtime.settings.sla_hours))
        yield


def shown_text(panel: Static) -> str:
    console = Console(width=panel.content_size.width, file=io.StringIO(), record=True)
    console.print(panel.content)
    return console.export_text()


async def open_board(pilot: Pilot[Any]) -> BoardScreen:
    await pilot.press("f4")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, BoardScreen)
    return pilot.app.screen


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (200, 60)], ids=["120x36", "80x24", "200x60"])
def test_board_snapshot(app: OmsApp, snap_compare: Any, size: tuple[int, int]) -> None:
    async def go_there(pilot: Pilot[Any]) -> None:
        await open_board(pilot)

    assert snap_compare(app, terminal_size=size, run_before=go_there)


async def test_the_board_shows_the_floor_and_follows_it(app: OmsApp, runtime: Runtime) -> None:
    with runtime.cache.sessions() as session:
        figures = board_figures(session, NOW, timedelta(hours=runtime.settings.sla_hours))
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot)
        tiles = {
            stage: board.query_one(f"#stage-{n}", StageTile).value for n, (stage, *_) in enumerate(STAGES)
        }
        assert tiles == {stage: str(count) for stage, count in figures.stages.items()}
        assert tiles[Stage.PICKING] == "3" and tiles[Stage.READY_TO_PACK] == "1"
        assert board.query_one(Sparkline).data == list(SHIPPED_PER_HOUR)
        assert "#10" in str(board.query_one("#late", Static).render())
        assert board.next_load is not None  # it comes back by itself

        assert "synced" in str(board.query_one("#sync-health", Static).render())
        with runtime.cache.sessions() as session:  # an order shipped at the store lands
            shipped_fo = session.exec(
                select(FulfillmentOrder)
                .where(FulfillmentOrder.status == "OPEN")
                .where(col(FulfillmentOrder.order_id).not_in(select(Fulfillment.order_id)))
                .limit(1)
            ).one()
            shipped_fo.status, order_id = "CLOSED", shipped_fo.order_id
            session.add(
                Fulfillment(
                    id="gid://shopify/Fulfillment/1", order_id=order_id, status="SUCCESS", created_at=NOW
                )
            )
            session.commit()
        board.load()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shipped = board.query_one("#stage-5", StageTile).value
        assert shipped == str(figures.stages[Stage.SHIPPED_TODAY] + 1)
        assert board.query_one(Sparkline).data[-1] == SHIPPED_PER_HOUR[-1] + 1


async def test_changes_landing_faster_than_the_board_reads_make_one_read_at_a_time(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading, most, reads, let_go = [], [0], [], threading.Event()
    read = board_screen.board_figures

    def slow(*args: Any, **kwargs: Any) -> Any:  # a read on a loaded machine: done when let go
        reading.append(1)
        most[0] = max(most[0], len(reading))
        let_go.wait(timeout=10)  # a bound for a stuck test
        reads.append(1)
        reading.pop()
        return read(*args, **kwargs)

    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot)
        monkeypatch.setattr(board_screen, "board_figures", slow)
        for _ in range(10):  # a busy floor of sixteen stations: changes land while the board reads
            board.post_message(LiveUpdated(LiveUpdate("synced", changed=True)))
            await pilot.pause()
        let_go.set()
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        assert most[0] == 1  # never two reads at once
        assert len(reads) == 2 and not board.reads.running and not board.reads.again  # the last change read


async def test_a_change_that_moves_no_figure_draws_nothing_again(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every commit on the floor reaches the board; one that leaves its figures as they are (another
    # station's claim renewed) must not lay out or draw the screen again: at sixteen stations that
    # was most of what a station did while others worked.
    async with app.run_test(size=(120, 36)) as pilot:
        board = await open_board(pilot)
        drawn = count_draws(monkeypatch)
        board.load()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert drawn == []


async def test_new_figures_of_the_same_width_draw_without_laying_the_screen_out(
    app: OmsApp, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under a busy floor the board shows new figures several times a second; a layout of the whole
    # screen each time (a tile's hidden plain text, a list redrawn in its panel) is work for nothing.
    with runtime.cache.reads() as session:
        figures = board_figures(session, NOW, timedelta(hours=runtime.settings.sla_hours))
    async with app.run_test(size=(120, 36)) as pilot:
        board = await open_board(pilot)
        laid_out = count_layouts(monkeypatch)
        busier = replace(
            figures,
            stages={**figures.stages, Stage.PICKING: 4},  # 3 before: as wide
            staff=[replace(work, actions=work.actions + 1) for work in figures.staff],
        )
        board.show(busier, NOW)
        await pilot.pause()
        assert board.query_one("#stage-1", StageTile).value == "4"
        work = shown_text(board.query_one("#work", Static))
        lines = work.splitlines()
        assert busier.staff and all(
            any(w.who in line and f" {w.actions}" in line for line in lines) for w in busier.staff
        )
        assert laid_out == []
