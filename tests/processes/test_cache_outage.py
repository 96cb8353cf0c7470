"""The app outlives its PostgreSQL cache: a network cut between them (a real TCP connection through a
forwarder, killed mid-run) and a dropped database. It stays up, says so in the header, refuses
actions in one line while the cache is away, and carries on by itself once it is back."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.cache.engine import make_engine, normalise_url
from oms_tui.cache.migrate import upgrade
from oms_tui.cache.models import Role, Staff
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.widgets.blocking_error import BlockingError
from tests.conftest import postgres_engine_in_fresh_schema, postgres_url
from tests.processes.forwarder import Forwarder
from tests.ui.conftest import NOW
from tests.ui.test_live_sync import header_says

pytestmark = pytest.mark.postgres
KAI = Staff(code="K1", name="Kai Packer", role=Role.PACKER, created_at=NOW)


def app_on(database_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[OmsApp, list[str]]:
    """The app over a cache at `database_url` with Kai registered; what it notifies is listed."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(database_url=database_url, station="pack-1")
    runtime = Runtime(settings, open_cache(database_url), "https://sim.test", SecretStr("x"))
    with runtime.cache.sessions() as session:
        session.add(Staff.model_validate(KAI.model_dump()))
        session.commit()
    app = OmsApp(runtime, live=False, clock=lambda: NOW)
    said: list[str] = []
    notify = app.notify

    def noted(message: str, **options: Any) -> None:
        said.append(message)
        notify(message, **options)

    monkeypatch.setattr(app, "notify", noted)
    return app, said


async def settle(pilot: Pilot[Any]) -> None:
    """The workers done (failed ones too: the app has handled them) and the screen caught up."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def check_health(pilot: Pilot[Any]) -> str:
    """What the header says after the app's health read (as its interval runs it)."""
    app = pilot.app
    assert isinstance(app, OmsApp)
    app.read_health()
    await settle(pilot)
    return header_says(app)


async def outage_and_return(app: OmsApp, said: list[str], pilot: Pilot[Any], go: Any, back: Any) -> None:
    """`go()` takes the cache away, `back()` brings it back; the app lives through both."""
    await settle(pilot)
    assert "cache unreachable" not in await check_health(pilot)

    go()
    header = await check_health(pilot)
    assert header.startswith("● cache unreachable (") and "actions refused until it is back" in header
    app.sign_in(Staff.model_validate(KAI.model_dump()))  # an action on the UI thread: refused in one line
    app.look_up_order("#1001")  # and one in a worker
    await settle(pilot)
    assert app.is_running and app.return_code is None
    assert not isinstance(app.screen, BlockingError)
    assert app.desk.staff is None
    assert "cache unreachable: signing Kai Packer in not done; try again once it is back" in said
    assert "cache unreachable: look up order not done; try again once it is back" in said

    back()
    assert "cache unreachable" not in await check_health(pilot)  # reconnected by itself
    assert said[-1] == "The cache is reachable again: actions work again"
    app.sign_in(Staff.model_validate(KAI.model_dump()))
    assert app.desk.staff is not None and app.desk.staff.code == "K1"


async def test_a_cut_network_to_the_cache_is_lived_through(monkeypatch: pytest.MonkeyPatch) -> None:
    with postgres_engine_in_fresh_schema() as engine:
        with engine.connect() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        server = make_url(engine.url)
        forwarder = Forwarder(server.host or "127.0.0.1", server.port or 5432)
        forwarder.start()
        through = server.set(
            host="127.0.0.1", port=forwarder.port, query={"options": f"-csearch_path={schema}"}
        )
        app, said = app_on(through.render_as_string(hide_password=False), monkeypatch)
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                await outage_and_return(app, said, pilot, forwarder.cut, forwarder.start)
        finally:
            app.runtime.close()
            forwarder.close()


@pytest.fixture
def throwaway_database() -> Iterator[tuple[Engine, str]]:
    """A database of its own (not `test`), for a test to drop; the server's admin engine beside it."""
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    name = f"oms_drop_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield admin, normalise_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


async def test_a_dropped_database_is_lived_through(
    throwaway_database: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, url = throwaway_database
    name = make_url(url).database

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")

    def restore() -> None:  # as a manager would: a new database, brought up to date, Kai registered
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO staff (code, name, role, active, created_at) VALUES ('K1', 'Kai Packer', "
                f"'{Role.PACKER.name}', true, now())"
            )
        engine.dispose()

    app, said = app_on(url, monkeypatch)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await outage_and_return(app, said, pilot, drop, restore)
    finally:
        app.runtime.close()
