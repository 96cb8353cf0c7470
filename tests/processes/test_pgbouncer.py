"""Stations on a cache behind PgBouncer in transaction mode: each transaction may run on any server
session, so nothing may lean on one (prepared statements, the sync lock). The sync lock and LISTEN go
to the database directly (`listen_url`); the rest goes through the pooler. The engine prepares no
statements: the same queries, past psycopg's threshold for preparing them, run through the pooler with
the engine as `make_engine` builds it, and fail with psycopg's default threshold."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlmodel import col, func, select

from oms_tui.cache.change_signal import CLAIMS, ChangeWatcher
from oms_tui.cache.database import open_cache
from oms_tui.cache.engine import make_engine
from oms_tui.cache.models import Claim, Order
from oms_tui.floor.queues.claims import claim_next
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from oms_tui.store.sync_lock import SyncBusy, sync_lock
from tests.conftest import postgres_url
from tests.store.simulated import simulated_client
from tests.team import hire

pytestmark = pytest.mark.postgres
NOW = datetime.now(UTC)
LEASE = timedelta(minutes=30)
PSYCOPG_THRESHOLD = 5  # psycopg prepares a query the 5th time one connection runs it (its default)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own (PgBouncer passes no search_path: a schema of its own would not do)."""
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL")
    name = f"bouncer_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture
def bouncer(database: str) -> Iterator[str]:
    """PgBouncer in transaction mode in front of `database`; its URL."""
    program = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if program is None:
        pytest.skip("PgBouncer is not installed (scripts/install-test-tools installs it)")
    direct, port = make_url(database), free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)  # PgBouncer will not run as root: as root, it runs as nobody and reads this
    (folder / "users.txt").write_text(f'"{direct.username}" "{direct.password or ""}"\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n{direct.database} = host={direct.host} port={direct.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    as_nobody = ["-u", "nobody"] if os.geteuid() == 0 else []
    process = subprocess.Popen([program, *as_nobody, str(folder / "pgbouncer.ini")], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("PgBouncer did not start")
        yield direct.set(port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def heard_until(heard: queue.Queue[frozenset[str]], kind: str) -> set[str]:
    """What was heard, up to the first batch with `kind` (or 5 s of nothing new)."""
    kinds: set[str] = set()
    while kind not in kinds:
        try:
            kinds |= heard.get(timeout=5)
        except queue.Empty:
            break
    return kinds


async def test_stations_behind_pgbouncer_claim_sync_lock_and_hear_each_other(
    database: str, bouncer: str
) -> None:
    one = open_cache(bouncer, listen_url=database)
    other = open_cache(bouncer, listen_url=database)
    heard: queue.Queue[frozenset[str]] = queue.Queue()
    watcher = ChangeWatcher(other.listen_url, heard.put).start()
    try:
        # a first sync, through the pooler (its writes, its reads, the same statements many times)
        client, _tap, _ = simulated_client(SimStore(orders=30, seed=4))
        async with client:
            await SyncEngine(client, one).run_once()
        hire(one, "P02", "P01")
        assert watcher.ready.wait(5)
        claimed: list[str] = []
        for n in range(12):  # two stations claim in turn: more than psycopg's threshold for preparing
            cache, code = (one, "P02") if n % 2 else (other, "P01")
            with cache.sessions() as session:
                claimed += [
                    c.fulfillment_order_id
                    for c in claim_next(session, staff_code=code, station=f"s{n % 2}", now=NOW, lease=LEASE)
                ]
                session.commit()
        assert len(claimed) == len(set(claimed)) == 12  # none claimed twice
        assert CLAIMS in heard_until(heard, CLAIMS)  # committed through the pooler, heard directly
        for _ in range(10):  # the same query from both stations, on the pooler's one server session
            for cache in (one, other):
                with cache.reads() as session:
                    assert session.exec(select(func.count()).select_from(Order)).one() == 30
        with one.reads() as session:
            assert session.exec(select(func.count()).where(col(Claim.lease_until) > NOW)).one() == 12
        # the sync lock holds across the pooler's sessions: a second station is turned away
        with sync_lock(one.engine, holder="station-a"):
            with pytest.raises(SyncBusy), sync_lock(other.engine, holder="station-b"):
                pytest.fail("two stations hold the sync lock at once")
            with other.sessions() as session:  # meanwhile the pooler serves everything else
                assert session.exec(select(func.count()).select_from(Claim)).one() == 12
        with sync_lock(other.engine, holder="station-b"):
            pass
    finally:
        watcher.stop()
        one.close()
        other.close()


def run_twice_the_threshold(engine: Engine) -> None:
    """Two of a station's pooled connections, held at once, each run the same query in transaction
    after transaction, more often than psycopg's threshold; the pooler has one server session, so
    a statement one connection prepared there is already there for the other."""
    with engine.connect() as one, engine.connect() as other:
        for n in range(2 * PSYCOPG_THRESHOLD):
            for connection in (one, other):
                with connection.begin():
                    named = select(func.count()).select_from(Order).where(Order.name == f"#{1000 + n}")
                    assert connection.execute(named).scalar_one() == 0


def test_the_engine_prepares_no_statement_behind_the_pooler(database: str, bouncer: str) -> None:
    cache = open_cache(bouncer, listen_url=database)  # the engine every station makes
    try:
        run_twice_the_threshold(cache.engine)
    finally:
        cache.close()


def test_with_psycopgs_own_threshold_the_same_queries_fail_behind_the_pooler(
    database: str, bouncer: str
) -> None:
    """What the test above guards against: the same engine preparing as psycopg does by default."""
    open_cache(bouncer, listen_url=database).close()  # the cache's tables
    engine = make_engine(bouncer, connect_args={"prepare_threshold": PSYCOPG_THRESHOLD})
    try:
        with pytest.raises(ProgrammingError, match=r"prepared statement .* (already exists|does not exist)"):
            run_twice_the_threshold(engine)
    finally:
        engine.dispose()
