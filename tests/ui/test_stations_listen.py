"""On PostgreSQL a station hears the others (LISTEN); when that connection is lost it polls, the header
says so, and it listens again as soon as it can."""

from __future__ import annotations

import os

import pytest
from pydantic import SecretStr
from sqlmodel import select

from oms_tui.app import OmsApp
from oms_tui.cache.database import Cache
from oms_tui.cache.engine import session_factory
from oms_tui.cache.migrate import upgrade
from oms_tui.cache.models import Claim
from oms_tui.config import Settings
from oms_tui.runtime import LiveUpdate, Runtime
from tests.conftest import postgres_engine_in_fresh_schema
from tests.team import hire
from tests.ui.conftest import NOW
from tests.ui.test_live_sync import header_says
from tests.ui.test_sign_in import until

POLLING = "other stations polling"


@pytest.mark.postgres
async def test_a_lost_listen_connection_is_polled_said_and_listened_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    with postgres_engine_in_fresh_schema() as engine:
        upgrade(engine)
        cache = Cache(engine, session_factory(engine))
        hire(cache, "P02")
        settings = Settings(database_url=str(engine.url), station="pack-1")
        app = OmsApp(
            Runtime(settings, cache, "https://sim.test", SecretStr("x")),
            live=False,
            clock=lambda: NOW,
            hear_others=True,
        )
        told: list[LiveUpdate] = []
        tell = app.tell_screens

        def telling(update: LiveUpdate) -> None:  # what the app tells its screens
            told.append(update)
            tell(update)

        app.tell_screens = telling  # type: ignore[method-assign]
        async with app.run_test() as pilot:
            watcher = app.watcher
            assert watcher is not None
            await until(pilot, watcher.ready.is_set)
            with engine.connect() as admin:  # the server ends the listening session (a restart, a cut)
                pid = watcher.connection.info.backend_pid
                admin.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
                admin.commit()
            await until(pilot, lambda: POLLING in header_says(app))
            await until(pilot, lambda: POLLING not in header_says(app))  # it listens again
            await until(pilot, watcher.ready.is_set)
            told.clear()
            with cache.sessions() as session:  # another station claims
                session.add(
                    Claim(fulfillment_order_id="fo-1", staff_code="P02", station="pick-2", lease_until=NOW)
                )
                session.commit()
            await until(pilot, lambda: any("claims" in update.kinds for update in told))
        with cache.sessions() as session:
            assert session.exec(select(Claim)).one().station == "pick-2"
