"""Engines and sessions: SQLite (the default, one file shared by the terminals of one machine) or
PostgreSQL (several stations on a network), behind the same code."""

from __future__ import annotations

import time
import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from oms_tui.cache.change_signal import announce_commits

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10
# A station's PostgreSQL connections: its screens' reads, the sync and the outbox rarely need more at
# once; past POOL_SIZE + POOL_OVERFLOW a read waits for one. See the README for a warehouse's count.
POOL_SIZE, POOL_OVERFLOW = 3, 2
READ_ONLY = "oms_tui_read_only"  # execution option of `read_session_factory`'s connections
# A pooled connection idle this long is pinged before use: the server may have restarted, or a
# network cut it meanwhile. One used again sooner is not (a station's every read would cost one
# round trip more); should it have died all the same, its read fails as a cut network's would.
PING_IDLE_S = 5.0
_IDLE_SINCE = "oms_tui_idle_since"  # in a pooled connection's `info`


def normalise_url(url: str | URL) -> URL:
    """Accept `postgresql://` and `postgres://` as psycopg 3 URLs."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A server gone quiet (a cut network) fails a connection in seconds rather than never.
        # No prepared statements: they are session state, which a pooler in transaction mode
        # (PgBouncer) does not keep from one transaction to the next.
        connect_args = {
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            "prepare_threshold": None,
            **kwargs.pop("connect_args", {}),
        }
        if "poolclass" not in kwargs:
            kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kwargs}
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        ping_when_idle(engine)
        announce_commits(engine)  # other stations see each commit (oms_tui.cache.change_signal)
        return engine
    engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin)
    return engine


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use once it has been idle `PING_IDLE_S`; a dead one is
    replaced (the pool tries another when checkout raises `DisconnectionError`)."""

    @event.listens_for(engine.pool, "checkin")
    def idle(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A reader in WAL mode sees the last commit and never waits for a writer.
        connection.exec_driver_sql("BEGIN")
    else:
        # A deferred transaction that reads and then writes cannot wait for another writer: SQLite fails
        # it at once with "database is locked". Taking the write lock up front makes it wait (busy_timeout).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: on SQLite they begin deferred, so they do not queue behind writers."""
    sessions = sessionmaker(
        engine.execution_options(**{READ_ONLY: True}), class_=Session, expire_on_commit=False
    )
    event.listen(sessions, "before_flush", _refuse_writes)
    return sessions


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a read-only session cannot write; use Cache.sessions")


_direct: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def set_direct_url(engine: Engine, url: str | URL | None) -> None:
    """The address of the same database without a pooler in between (`listen_url`), for what holds
    session state: the change listener's LISTEN and the sync lock. None: the engine's own.

    On PostgreSQL the sync lock always has connections of its own, outside the screens' pool: a
    pass holds it from start to end, and under a busy floor the screens' reads queued behind it."""
    _direct.pop(engine, None)
    if engine.dialect.name == "postgresql":  # one session for the sync lock, one more for the outbox's turn
        _direct[engine] = make_engine(normalise_url(url) if url else engine.url, pool_size=1, max_overflow=1)


def direct_engine(engine: Engine) -> Engine:
    return _direct.get(engine, engine)
