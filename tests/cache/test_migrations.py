"""Alembic builds the same schema as the models, on both engines."""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from oms_tui.cache.migrate import current_revision, drift, head_revision, upgrade


def test_upgrade_from_empty_creates_every_table(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert current_revision(empty_engine) is not None
    assert set(SQLModel.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_models_and_migrations_do_not_drift(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert drift(empty_engine) == []


def test_upgrade_twice_is_a_no_op(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    first = current_revision(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) == first


def test_the_newest_revision_is_read_from_the_migration_files(empty_engine: Engine) -> None:
    """A cache at it opens without running (or importing) Alembic."""
    upgrade(empty_engine)
    assert head_revision() is not None and head_revision() == current_revision(empty_engine)
