"""A worker that raises never ends the app: the one handler logs it and says what failed in a
blocking error over the screen, which goes on working once it is acknowledged."""

from __future__ import annotations

import ast
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Label

import oms_tui
from oms_tui.app import OmsApp, run_app
from oms_tui.app_failures import FailureHandlingApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import Role
from oms_tui.config import Settings
from oms_tui.floor.orders import order_detail
from oms_tui.runtime import Runtime
from oms_tui.screens import order_screen
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.widgets.blocking_error import BlockingError
from tests.ui.floor_app import order_named, settle, signed_in

SIZE = (120, 36)


def broken_detail(*_args: object, **_kwargs: object) -> object:
    raise KeyError("fulfillment_orders")


async def test_a_worker_that_raises_is_said_and_the_screen_goes_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, failing_workers: None
) -> None:
    app = signed_in(runtime, "K1", "Kai Packer", Role.PACKER)
    with runtime.cache.reads() as session:
        order_id = order_named(session, "#1050").id
    monkeypatch.setattr(order_screen, "load_order_detail", broken_detail)
    async with app.run_test(size=SIZE) as pilot:
        app.open_order(order_id)
        await settle(pilot)

        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, BlockingError)
        problem = str(app.screen.query_one("#problem", Label).content)
        assert "load failed" in problem and "KeyError" in problem and "fulfillment_orders" in problem
        assert any("KeyError" in record.getMessage() for record in caplog.records)

        monkeypatch.setattr(order_screen, "load_order_detail", order_detail.load_order_detail)
        await pilot.press("escape")  # acknowledged: the order screen is back and still works
        assert isinstance(app.screen, OrderScreen)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.detail is not None and app.screen.title.startswith("#1050")
    assert app.return_code is None


async def test_the_apps_own_workers_fail_the_same_way(
    app: OmsApp, monkeypatch: pytest.MonkeyPatch, failing_workers: None
) -> None:
    monkeypatch.setattr("oms_tui.app.find_order", broken_detail)
    async with app.run_test(size=SIZE) as pilot:
        app.look_up_order("#1050")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, BlockingError)
        assert "look up order failed" in str(app.screen.query_one("#problem", Label).content)
    assert app.return_code is None


def test_every_worker_reports_to_the_one_handler() -> None:
    """A worker declared with Textual's default (`exit_on_error=True`) would end the app on an error."""
    root = Path(oms_tui.__file__).parent
    exiting = []
    for path in root.rglob("*.py"):
        if "textual" not in path.read_text():  # below the UI: no Textual workers
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("work", "run_worker"):
                flag = next((k.value for k in node.keywords if k.arg == "exit_on_error"), None)
                if not (isinstance(flag, ast.Constant) and flag.value is False):
                    exiting.append(f"{path.relative_to(root)}:{node.lineno}")
    assert exiting == []


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where `oms-tui` logs, in the test's folder; its handler taken off afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(FailureHandlingApp, "log_file", None)
    ours = logging.getLogger("oms_tui")
    before = list(ours.handlers)
    yield tmp_path / "state" / "oms-tui" / "log"
    for handler in [h for h in ours.handlers if h not in before]:
        ours.removeHandler(handler)
        handler.close()


def test_an_app_that_ends_on_an_error_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_dir: Path, failing_workers: None
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        station="pack-1",
        shop_url="http://127.0.0.1:9",  # nothing listens: the live loop says so and goes on
        shopify_token=SecretStr("x"),
    )
    open_cache(settings.database_url).close()  # as `oms-tui db upgrade` makes it

    def boom() -> None:
        raise RuntimeError("a bug outside any worker")

    def fail_a_worker_then_quit(app: OmsApp) -> None:
        said = app.worker_failed

        def failed(worker: Any, where: str) -> None:
            said(worker, where)
            app.exit()

        monkeypatch.setattr(app, "worker_failed", failed)
        app.call_later(app.look_up_order, "#1001")

    monkeypatch.setattr("oms_tui.app.find_order", broken_detail)
    run_app(settings, driver_class=HeadlessDriver, started=fail_a_worker_then_quit)  # a clean end
    with pytest.raises(SystemExit) as ended:
        run_app(settings, driver_class=HeadlessDriver, started=lambda app: app.call_later(boom))
    assert ended.value.code == 1
    assert FailureHandlingApp.log_file == log_dir / "oms-tui.log"
    logged = FailureHandlingApp.log_file.read_text()
    assert "oms-tui: look up order failed: KeyError: 'fulfillment_orders'" in logged
    assert "Traceback" in logged and "find_order" in logged
