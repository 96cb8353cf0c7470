"""A station's pooled PostgreSQL connections: one that sat idle is pinged before use, so a server that
restarted (or a network that cut it) meanwhile costs nothing; one used again at once is not, so a busy
station does not pay a round trip more for every read."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from oms_tui.cache import engine as engine_module
from oms_tui.cache.engine import make_engine
from tests.conftest import postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pooled() -> Engine:
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL")
    return make_engine(url)


def backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def kill(pid: int) -> None:
    admin = make_engine(postgres_url() or "")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid}, 5000)")
    admin.dispose()


def test_an_idle_connection_the_server_dropped_is_replaced_before_the_read(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend(pooled)
    kill(first)  # the server restarted while the station sat idle
    monkeypatch.setattr(engine_module, "PING_IDLE_S", 0.0)  # idle long enough to be pinged

    assert backend(pooled) != first  # no error: the pool pinged it, found it dead and connected afresh
    pooled.dispose()


def test_a_connection_used_again_at_once_is_not_pinged(pooled: Engine) -> None:
    first = backend(pooled)
    kill(first)

    with pytest.raises(OperationalError):  # not pinged: the read finds it dead, as a cut network mid-read
        backend(pooled)
    assert backend(pooled) != first  # and the pool, told, connects afresh for the next
    pooled.dispose()
