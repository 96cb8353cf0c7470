"""Alembic, driven from code: `oms-tui db upgrade` and the tests use these, no alembic.ini needed.

Alembic is imported only when there is something to migrate: a cache already at the newest revision
(every start but the first after an upgrade) opens without it, a third of a second sooner.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import oms_tui.cache.models  # noqa: F401  (registers every table on the metadata)
from oms_tui.cache.engine import READ_ONLY
from oms_tui.cache.errors import CacheError
from oms_tui.cache.order_search import is_index_object

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_REVISION = re.compile(r'^(down_revision|revision)\b[^=]*=\s*"([^"]+)"', re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    if revision == "head" and check_revision(engine) == head_revision():
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@cache
def head_revision() -> str | None:
    """The newest revision, read from the migration files (the one no other revises); None if several."""
    heads = known_revisions() - _revised()
    return next(iter(heads)) if len(heads) == 1 else None


@cache
def known_revisions() -> frozenset[str]:
    """Every revision of the migration files: what this oms-tui can read and migrate."""
    return frozenset(value for kind, value in _revision_lines() if kind == "revision")


def _revised() -> set[str]:
    return {value for kind, value in _revision_lines() if kind == "down_revision"}


@cache
def _revision_lines() -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found += _REVISION.findall(path.read_text())
    return tuple(found)


def check_revision(engine: Engine) -> str | None:
    """The cache's revision (None: a new cache); a CacheError if it is not one this oms-tui knows."""
    stored = _stored_revisions(engine)
    if len(stored) > 1:
        raise CacheError(
            f"this cache has {len(stored)} version rows ({', '.join(stored)}) in alembic_version where "
            "oms-tui keeps one: it was changed by hand or by another program; nothing was touched"
        )
    if stored and stored[0] not in known_revisions():
        raise CacheError(
            f"this cache was made by a newer oms-tui (revision {stored[0]}): upgrade oms-tui to use it; "
            "nothing was touched"
        )
    return stored[0] if stored else None


def _stored_revisions(engine: Engine) -> list[str]:
    """Read as a reader does, so a station or command starting while another station writes (a sync's
    page) does not wait for it. An unreachable, unreadable or locked database is an error, never taken
    for a new cache: only a database without the version table is one."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database (empty when they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, SQLModel.metadata))


def include_object(_object: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out of the comparison what the models cannot describe: the engines' search indexes."""
    return not (reflected and compare_to is None and is_index_object(name, type_))
