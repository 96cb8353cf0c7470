"""Alembic, driven from code: `oms-tui db upgrade` and the tests use these, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import oms_tui.cache.models  # noqa: F401  (registers every table on the metadata)
from oms_tui.cache.order_search import is_index_object

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database (empty when they agree)."""
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, SQLModel.metadata))


def include_object(_object: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out of the comparison what the models cannot describe: the engines' search indexes."""
    return not (reflected and compare_to is None and is_index_object(name, type_))
