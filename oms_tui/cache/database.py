"""Open the configured cache: engine, migrations brought up to date, session factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from oms_tui.cache.engine import (
    direct_engine,
    make_engine,
    normalise_url,
    read_session_factory,
    session_factory,
    set_direct_url,
)
from oms_tui.cache.errors import CacheError
from oms_tui.cache.migrate import check_revision, upgrade
from oms_tui.cache.ship_by import ShipByPolicy


@dataclass
class Cache:
    engine: Engine
    sessions: sessionmaker[Session]
    # When orders must leave, as this station's settings say: every writer of orders uses it
    ship_by: ShipByPolicy = field(default_factory=ShipByPolicy)

    @cached_property
    def reads(self) -> sessionmaker[Session]:
        """Sessions for reading only (screens, listings): they never wait behind a writer."""
        return read_session_factory(self.engine)

    @property
    def listen_url(self) -> URL:
        """Where other stations' changes are heard (`oms_tui.cache.change_signal`): a direct address."""
        return direct_engine(self.engine).url

    def close(self) -> None:
        direct = direct_engine(self.engine)
        if direct is not self.engine:
            direct.dispose()
        self.engine.dispose()


def open_cache(
    database_url: str,
    *,
    migrate: bool = True,
    create: bool = True,
    listen_url: str | None = None,
    pool: tuple[int, int] | None = None,
) -> Cache:
    """The cache at `database_url`, brought up to the newest revision unless `migrate` is off.

    Without `create`, a SQLite file that does not exist, or a database without the cache's tables, is
    a CacheError naming it: a typo in the setting must not start an empty cache (whose outbox is
    empty, as if the store had every action). A cache of a revision this oms-tui does not know is a
    CacheError too, and is left untouched.

    `listen_url`: the same database reached without a pooler in transaction mode in between, for
    what needs a session of its own (listening for changes, the sync lock); by default `database_url`.
    `pool`: connections kept and connections more at a peak, if not the screens' (`engine.POOL_SIZE`).
    """
    url = normalise_url(database_url)
    sqlite_file = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    if sqlite_file is not None and sqlite_file != Path(":memory:") and not sqlite_file.exists():
        if not create:
            raise CacheError(
                f"no cache at {sqlite_file}: check database_url, or create it with `oms-tui db upgrade`"
            )
        try:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create a cache at {sqlite_file}: {exc.strerror or exc}") from None
    engine = make_engine(url, **({"pool_size": pool[0], "max_overflow": pool[1]} if pool else {}))
    try:
        if check_revision(engine) is None and not create:
            where = make_url(database_url).render_as_string(hide_password=True)
            raise CacheError(
                f"no cache in {where}: check database_url, or create it with `oms-tui db upgrade`"
            )
        if migrate:
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    set_direct_url(engine, listen_url)
    return Cache(engine, session_factory(engine))
