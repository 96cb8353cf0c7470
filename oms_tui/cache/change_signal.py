"""Stations that see each other: every commit that changed floor or store data is announced, and
every station watches for those announcements instead of re-reading tables on a timer.

- PostgreSQL: a commit that wrote a table sends `NOTIFY` on the channel of that kind of change in
  the cache's schema (`oms_tui_public_claims`, `oms_tui_public_picks`, ...) in the same transaction,
  so a listener hears it only once the change is visible. Channels are the whole database's: the
  schema in their names keeps two caches in one database (two warehouses, parallel tests) apart.
  `ChangeWatcher` LISTENs on a dedicated connection (autocommit, direct: a
  pooler in transaction mode does not carry LISTEN); when that connection is lost it polls (says
  so through `on_state`) and connects again.
- SQLite: `PRAGMA data_version` on a dedicated connection, a counter that moves whenever another
  connection commits; one cheap read every `SQLITE_EVERY_S`, no table scans.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL

# The kind of change each table's writes are: screens re-read on any, the header only on HEALTH.
CLAIMS, PICKS, PACKS, SHIPMENTS, EXCEPTIONS, RETURNS, REPORTS, SYNC, HEALTH = (
    "claims",
    "picks",
    "packs",
    "shipments",
    "exceptions",
    "returns",
    "reports",
    "sync",
    "health",
)
KINDS = (CLAIMS, PICKS, PACKS, SHIPMENTS, EXCEPTIONS, RETURNS, REPORTS, SYNC, HEALTH)
EVERYTHING = frozenset(KINDS)
KIND_OF_TABLE = {
    "claims": CLAIMS,
    "stations": CLAIMS,
    "pick_lists": PICKS,
    "pick_list_lines": PICKS,
    "inventory_levels": PICKS,
    "pack_sessions": PACKS,
    "boxes_used": PACKS,
    "fulfillments": SHIPMENTS,
    "shipping_labels": SHIPMENTS,
    "exceptions": EXCEPTIONS,
    "exception_scan": EXCEPTIONS,
    "return_receivings": RETURNS,
    "return_receiving_lines": RETURNS,
    # The reports' running counts, written with every scan: were they SYNC, each scan anywhere
    # would have every pick list and pack bench on the floor read again.
    "report_days": REPORTS,
    "report_hours": REPORTS,
    "report_staff_activity": REPORTS,
    "report_shipments": REPORTS,
    "report_exceptions": REPORTS,
    "report_label_spend": REPORTS,
    "outbox": HEALTH,
    "sync_state": HEALTH,
}
QUIET_TABLES = frozenset({"audit_log"})  # written with every action, which says its own kind
# A statement executed with this option changes nothing another station shows (a lease renewed):
# announcing it would have every station read again, each read renewing its own leases, and so on.
QUIET = "oms_tui_quiet"
PREFIX = "oms_tui_"
_NOTED = "oms_tui_changed_kinds"  # in a connection's `info`: the kinds its open transaction wrote

LISTEN_WAIT_S = 0.1  # a batch of notifications is delivered at most this late (and coalesced)
PROBE_EVERY_S = 5.0  # a quiet listen connection is probed this often: a cut network shows
POLL_EVERY_S = 2.0  # without the listen connection, screens re-read this often (and it reconnects)
SQLITE_EVERY_S = 0.2


def channel(schema: str, kind: str) -> str:
    return f"{PREFIX}{schema}_{kind}"


def kind_of(table: str) -> str | None:
    return None if table in QUIET_TABLES else KIND_OF_TABLE.get(table, SYNC)


def announce_commits(engine: Engine) -> None:
    """Make every commit on this PostgreSQL engine that wrote rows NOTIFY their kinds' channels."""
    event.listen(engine, "after_cursor_execute", _note_write)
    event.listen(engine, "commit", _announce)
    event.listen(engine, "rollback", _forget)


def _note_write(
    conn: Connection, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
) -> None:
    if not (context.isinsert or context.isupdate or context.isdelete) or context.compiled is None:
        return
    if context.execution_options.get(QUIET):
        return
    if context.rowcount == 0:  # a guarded update that changed nothing (a claim refused)
        return
    table = getattr(context.compiled.statement, "table", None)
    kind = kind_of(getattr(table, "name", ""))
    if kind is not None:
        conn.info.setdefault(_NOTED, set()).add(kind)


def _announce(conn: Connection) -> None:
    kinds = conn.info.pop(_NOTED, None)
    if not kinds:
        return
    # Straight on the driver's connection, inside the transaction being committed: delivered with it.
    notify = ", ".join(
        f"pg_notify('{PREFIX}' || current_schema() || '_{kind}', '')" for kind in sorted(kinds)
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT {notify}")
    finally:
        cursor.close()


def _forget(conn: Connection) -> None:
    if not conn.invalidated:  # an invalidated connection's info goes with it
        conn.info.pop(_NOTED, None)


class ChangeWatcher:
    """A thread that calls `on_change(kinds)` soon after another connection commits changes, and
    `on_state(problem)` when it falls back to polling (`problem` says why) or is back (None)."""

    def __init__(
        self,
        url: URL,
        on_change: Callable[[frozenset[str]], None],
        on_state: Callable[[str | None], None] = lambda _problem: None,
        *,
        poll_every: float = POLL_EVERY_S,
    ) -> None:
        self.url, self.on_change, self.on_state, self.poll_every = url, on_change, on_state, poll_every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="change-watcher", daemon=True)
        self.connection: Any = None  # the listen connection while there is one (tests cut it)
        self.ready = threading.Event()  # set while changes are heard (LISTEN in place, counter read)

    def start(self) -> ChangeWatcher:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        if self.url.get_backend_name() == "sqlite":
            self._watch_sqlite()
        else:
            self._listen_postgres()

    # --- SQLite ------------------------------------------------------------------------------------

    def _watch_sqlite(self) -> None:
        database = self.url.database
        if database in (None, "", ":memory:"):
            return  # only this process sees it: nobody else changes it
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, isolation_level=None)
        try:
            seen = connection.execute("PRAGMA data_version").fetchone()[0]
            self.ready.set()
            while not self.stopping.wait(SQLITE_EVERY_S):
                version = connection.execute("PRAGMA data_version").fetchone()[0]
                if version != seen:
                    seen = version
                    self.on_change(EVERYTHING)  # the counter does not say what: all is re-read
        finally:
            connection.close()

    # --- PostgreSQL --------------------------------------------------------------------------------

    def _listen_postgres(self) -> None:
        problem: str | None = None
        while not self.stopping.is_set():
            try:
                self.connection = self._connect()
            except Exception as exc:  # polled meanwhile; tried again at the next poll
                problem = problem or _reason(exc)
                self.on_state(f"polling: {problem}")
                self.on_change(EVERYTHING)
                self.stopping.wait(self.poll_every)
                continue
            if problem is not None:  # back: what changed meanwhile was polled, the rest is read now
                problem = None
                self.on_state(None)
                self.on_change(EVERYTHING)
            try:
                self._hear(self.connection)
            except Exception as exc:
                self.ready.clear()
                problem = _reason(exc)
                self.on_state(f"polling: {problem}")
                self.on_change(EVERYTHING)
                self.stopping.wait(self.poll_every)
            finally:
                self.connection.close()
                self.connection = None

    def _connect(self) -> Any:
        import psycopg

        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(conninfo, autocommit=True, prepare_threshold=None, connect_timeout=10)

    def _hear(self, connection: Any) -> None:
        schema = connection.execute("SELECT current_schema()").fetchone()[0]
        for kind in KINDS:
            connection.execute(f'LISTEN "{channel(schema, kind)}"')
        self.ready.set()
        probed = time.monotonic()
        ours = channel(schema, "")
        while not self.stopping.is_set():
            kinds = {note.channel.removeprefix(ours) for note in connection.notifies(timeout=LISTEN_WAIT_S)}
            if kinds:
                self.on_change(frozenset(kinds))
            elif time.monotonic() - probed > PROBE_EVERY_S:
                connection.execute("SELECT 1")
                probed = time.monotonic()


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
