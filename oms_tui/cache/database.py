"""Open the configured cache: engine, migrations brought up to date, session factory."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from oms_tui.cache.engine import make_engine, read_only, session_factory
from oms_tui.cache.migrate import upgrade


@dataclass
class Cache:
    engine: Engine
    sessions: sessionmaker[Session]

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions for screens that only read (see `engine.read_only`)."""
        return session_factory(read_only(self.engine))

    def close(self) -> None:
        self.engine.dispose()


def open_cache(database_url: str, *, migrate: bool = True) -> Cache:
    engine = make_engine(database_url)
    if migrate:
        upgrade(engine)
    return Cache(engine, session_factory(engine))
