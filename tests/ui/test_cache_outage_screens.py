"""Screens that refresh on their own keep doing so through a cache outage (a wall board must not
freeze), and every screen reads again once the cache is back."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from oms_tui import app as app_module
from oms_tui.app import OmsApp
from oms_tui.screens import board_screen
from oms_tui.screens.board_screen import BoardScreen
from oms_tui.widgets.blocking_error import BlockingError
from tests.ui.test_live_sync import header_says


def cache_gone(*_args: object, **_kwargs: object) -> Any:
    raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_the_board_tries_again_by_itself_while_the_cache_is_away(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    notify = app.notify
    monkeypatch.setattr(
        app, "notify", lambda message, **options: (said.append(message), notify(message, **options))
    )
    figures, health = board_screen.board_figures, app_module.read_stored_health
    monkeypatch.setattr(board_screen, "board_figures", cache_gone)
    monkeypatch.setattr(app_module, "read_stored_health", cache_gone)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and not isinstance(app.screen, BlockingError)
        assert header_says(app).startswith("● cache unreachable (connection refused)")
        assert [line for line in said if line.startswith("cache unreachable")] == [
            "cache unreachable: read figures on Floor board not done; try again once it is back"
        ]
        assert board.next_load is not None  # the failed read is tried again by itself

        monkeypatch.setattr(board_screen, "board_figures", figures)
        monkeypatch.setattr(app_module, "read_stored_health", health)
        app.read_health()  # as its interval runs it
        await settle(pilot)
        assert "cache unreachable" not in header_says(app)
        assert "The cache is reachable again: actions work again" in said
