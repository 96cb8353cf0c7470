"""The live loop in a process of its own, as `oms-tui` runs it: what it syncs reaches the screens, the
palette's commands reach it, its log reaches the app's, it is started again when it dies, and it
never outlives the app, whether the app quits or is killed."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import select

from oms_tui import live_process
from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import ReconcileRun
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.sim.faults import FaultProfile
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.process_group import ended, process_group
from tests.ui.test_live_sync import header_says
from tests.ui.test_shell import run_command
from tests.web.serving import until, wait_for

SIZE = (120, 36)
UNLIMITED = 1_000_000


@pytest.fixture
def store() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=40, seed=3), restore_rate=UNLIMITED, bucket=UNLIMITED) as server:
        yield server


@pytest.fixture(autouse=True)
def no_settings_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # the sync's process inherits it


def station(tmp_path: Path, server: SimServer) -> OmsApp:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1", poll_interval=60
    )
    runtime = Runtime(settings, open_cache(settings.database_url), server.url, SecretStr(server.token))
    return OmsApp(runtime, live_process=True)


def child_of(app: OmsApp) -> subprocess.Popen[bytes] | None:
    assert app.live_process is not None
    return app.live_process.process


def reconciled(app: OmsApp) -> list[str]:
    with app.runtime.cache.reads() as session:
        return [run.trigger for run in session.exec(select(ReconcileRun))]


async def test_the_queue_fills_in_from_a_sync_in_a_process_of_its_own(
    tmp_path: Path, store: SimServer
) -> None:
    app = station(tmp_path, store)
    async with app.run_test(size=SIZE) as pilot:
        await until("the sync process started", lambda: child_of(app) is not None)
        child = child_of(app)
        assert child is not None and child.pid != os.getpid() and child.poll() is None
        assert isinstance(child.args, list) and store.token not in " ".join(child.args), (
            "token in the command"
        )
        await until(
            "the queue filled", lambda: isinstance(app.screen, QueueScreen) and app.screen.table.total > 5
        )
        await run_command(pilot, *"reconcile", expect="Reconcile now")  # reaches the other process
        await until("the palette's reconcile ran", lambda: reconciled(app) == ["palette"])
    assert child.wait(timeout=live_process.STOP_WAIT_S) == 0, "the sync process did not stop with the app"


async def test_a_sync_process_that_dies_is_started_again(
    tmp_path: Path, store: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_process, "RESTART_S", 0.2)
    app = station(tmp_path, store)
    async with app.run_test(size=SIZE):
        await until("a first pass ended", lambda: app.health.reachable is True)
        for _ in range(2):  # each after a pass that synced: started again as soon as the first time
            dying = child_of(app)
            assert dying is not None
            dying.kill()
            said = "the sync process ended (exit code -9); starting the sync again in 0.2s"
            await until("the header said", lambda: said in header_says(app))  # noqa: B023
            await until("another sync process started", lambda: child_of(app) is not dying)  # noqa: B023
            await until("its pass ended", lambda: app.health.reachable is True and not app.health.failed)


async def test_a_sync_process_that_cannot_start_says_why_and_is_tried_again_later_each_time(
    tmp_path: Path, store: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_process, "RESTART_S", 0.2)
    app = station(tmp_path, store)
    gone = tmp_path / "moved" / "cache.sqlite3"  # where its settings say the cache is: not there
    app.runtime.settings = app.runtime.settings.model_copy(update={"database_url": f"sqlite:///{gone}"})
    async with app.run_test(size=SIZE):
        await until("the header said", lambda: "starting the sync again in 0.4s" in header_says(app))
        assert "sync could not start (CacheError: no cache at" in header_says(app)  # and why
        # It never synced, so each try waits twice as long as the one before.
        await until("it waited longer", lambda: "starting the sync again in 0.8s" in header_says(app))
    assert not gone.exists(), "the sync process made a cache of its own"


async def test_the_sync_process_logs_to_the_apps_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="oms_tui")
    faulty = FaultProfile(server_error=0.5)  # the client logs each failed request it tries again
    shop = SimStore(orders=40, seed=3)
    with run_in_thread(shop, restore_rate=UNLIMITED, bucket=UNLIMITED, faults=faulty, fault_seed=1) as server:
        app = station(tmp_path, server)
        async with app.run_test(size=SIZE):
            retried = lambda: [r for r in caplog.records if "retrying in" in r.getMessage()]  # noqa: E731
            await until("a retry was logged", lambda: bool(retried()))
    child = child_of(app)
    assert child is not None and retried()[0].process != child.pid  # logged here, by the app
    assert retried()[0].name == "oms_tui.store.client"  # as the sync's own logger named it


def test_a_killed_app_leaves_no_sync_behind(tmp_path: Path, store: SimServer) -> None:
    """The app's end of the pipe closes with the app, however it ends; the sync's process then stops."""
    environment = {
        **os.environ,
        "OMS_SHOP_URL": store.url,
        "OMS_SHOPIFY_TOKEN": store.token,
        "OMS_DATABASE_URL": f"sqlite:///{tmp_path / 'cache.sqlite3'}",
    }
    open_cache(environment["OMS_DATABASE_URL"]).close()
    command = [sys.executable, "-m", "tests.processes.live_station"]
    with process_group(command, env=environment, stdout=subprocess.PIPE, text=True) as app:
        assert app.stdout is not None
        pid = int(app.stdout.readline())  # the sync's process, started by the stand-in app
        try:
            assert not ended(pid)
            os.kill(app.pid, signal.SIGKILL)
            wait_for("the sync process to end with the killed app", lambda: ended(pid))
        finally:  # in its own session, out of the stand-in's group: a failure here must not leave it
            if not ended(pid):
                os.kill(pid, signal.SIGKILL)
