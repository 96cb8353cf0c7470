"""A cache that does not exist is made only on purpose, and one this oms-tui does not know is left alone.

A typo in `database_url` must not start an empty cache (its outbox is empty: "the store has every
action"), and a cache written by a newer oms-tui must not be read or migrated by an older one.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, make_url, text

from oms_tui.cache.database import open_cache
from oms_tui.cache.engine import make_engine
from oms_tui.cache.errors import CacheError
from oms_tui.cache.migrate import check_revision, head_revision, upgrade
from oms_tui.cli import main
from oms_tui.config import Settings, default_database_url
from oms_tui.runtime import Runtime
from tests.conftest import postgres_engine_in_fresh_schema, postgres_url
from tests.writer_busy import done_beside_a_writer

COMMANDS = [
    ("outbox",),
    ("outbox", "push"),
    ("sync",),
    ("note", "#1001", "fragile"),
    ("staff", "add", "P1", "Ana", "--role", "picker"),
    ("print", "pick-list", "#1001"),
    (),  # the app itself
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings file, no shop (the demo); the default cache location inside `tmp_path`."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("OMS_DATABASE_URL", raising=False)
    monkeypatch.delenv("OMS_SHOP_URL", raising=False)
    return tmp_path


def contents(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]) or "app")
def test_a_cache_that_does_not_exist_is_an_error_naming_it(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    typo = settings_env / "nonexistent" / "deep" / "c.db"
    monkeypatch.setenv("OMS_DATABASE_URL", f"sqlite:///{typo}")
    assert run(*command) == (
        1,
        f"Error: no cache at {typo}: check database_url, or create it with `oms-tui db upgrade`\n",
    )
    assert not (settings_env / "nonexistent").exists()


def test_db_upgrade_creates_a_cache_where_it_is_told(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = settings_env / "new" / "deep" / "c.db"
    monkeypatch.setenv("OMS_DATABASE_URL", f"sqlite:///{new}")
    code, output = run("db", "upgrade")
    assert (code, output) == (0, f"cache at revision {head_revision()}: sqlite:///{new}\n")
    assert run("staff", "add", "P1", "Ana", "--role", "picker") == (0, "added P1 Ana (picker)\n")


def test_a_cache_at_the_default_location_is_made_by_the_apps_first_start_only(settings_env: Path) -> None:
    settings = Settings(shop_url="https://my-brand.myshopify.com", shopify_token="shpat_x")
    assert settings.database_url == default_database_url()
    cache_file = settings_env / "data" / "oms-tui" / "cache.sqlite3"
    assert settings.database_url == f"sqlite:///{cache_file}"
    with pytest.raises(CacheError, match=f"no cache at {cache_file}"):
        Runtime.start(settings)  # a chore (sync, outbox), not the app
    assert not cache_file.exists()
    Runtime.start(settings, app_start=True).close()
    assert cache_file.exists()
    Runtime.start(settings).close()  # and from then on every command uses it


def test_the_app_does_not_make_a_cache_anywhere_but_the_default(settings_env: Path) -> None:
    elsewhere = settings_env / "typo" / "cache.sqlite3"
    settings = Settings(
        shop_url="https://my-brand.myshopify.com",
        shopify_token="shpat_x",
        database_url=f"sqlite:///{elsewhere}",
    )
    with pytest.raises(CacheError, match=f"no cache at {elsewhere}"):
        Runtime.start(settings, app_start=True)
    assert not elsewhere.parent.exists()


@pytest.fixture
def made_cache(settings_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = settings_env / "cache.sqlite3"
    monkeypatch.setenv("OMS_DATABASE_URL", f"sqlite:///{path}")
    open_cache(f"sqlite:///{path}").close()
    return path


@pytest.mark.parametrize("command", [*COMMANDS, ("db", "upgrade")], ids=lambda c: " ".join(c[:2]) or "app")
def test_a_cache_from_a_newer_oms_tui_is_named_and_left_untouched(
    made_cache: Path, command: tuple[str, ...]
) -> None:
    with sqlite3.connect(made_cache) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00d0099'")
    before = contents(made_cache)
    assert run(*command) == (
        1,
        "Error: this cache was made by a newer oms-tui (revision f00d0099): upgrade oms-tui to use it; "
        "nothing was touched\n",
    )
    assert contents(made_cache) == before


@pytest.mark.parametrize("command", [*COMMANDS, ("db", "upgrade")], ids=lambda c: " ".join(c[:2]) or "app")
def test_a_cache_with_two_version_rows_is_named_and_left_untouched(
    made_cache: Path, command: tuple[str, ...]
) -> None:
    with sqlite3.connect(made_cache) as connection:
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    before = contents(made_cache)
    code, output = run(*command)
    assert (code, output) == (
        1,
        f"Error: this cache has 2 version rows ({head_revision()}, 0001) in alembic_version where oms-tui "
        "keeps one: it was changed by hand or by another program; nothing was touched\n",
    )
    assert contents(made_cache) == before


def test_an_unknown_revision_is_refused_on_both_engines(empty_engine: Engine) -> None:
    open_cache_engine = empty_engine
    assert check_revision(open_cache_engine) is None  # a new cache
    with open_cache_engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('f00d0099')"))
    with pytest.raises(CacheError, match=r"made by a newer oms-tui \(revision f00d0099\)"):
        check_revision(open_cache_engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, settings_env: Path) -> Iterator[str]:
    """A database that is there but holds no cache: an empty SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        (settings_env / "empty.sqlite3").touch()
        yield f"sqlite:///{settings_env / 'empty.sqlite3'}"
        return
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield (
            make_url(url)
            .set(query={"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.mark.parametrize("command", COMMANDS[:-1], ids=lambda c: " ".join(c[:2]))
def test_a_database_without_a_cache_is_not_made_one_by_a_chore(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("OMS_DATABASE_URL", empty_database_url)
    shown = make_url(empty_database_url).render_as_string(hide_password=True)
    assert run(*command) == (
        1,
        f"Error: no cache in {shown}: check database_url, or create it with `oms-tui db upgrade`\n",
    )
    engine = make_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    assert run("db", "upgrade")[0] == 0
    assert run(*COMMANDS[4]) == (0, "added P1 Ana (picker)\n")


def test_a_cache_opens_while_another_station_writes(tmp_path: Path) -> None:
    """Reading the cache's revision does not queue behind a writer (a sync's page, a colleague's pick)."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    cache = open_cache(url, create=True)
    try:
        assert done_beside_a_writer(cache, lambda: open_cache(url, create=False).close())
    finally:
        cache.close()


@pytest.mark.postgres
def test_a_cache_the_stations_role_cannot_read_is_named_so_not_taken_for_a_new_one(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a database without the version table is a new cache. One whose version cannot be read
    (here a role without the right to; likewise locked or cut off) is an error saying why."""
    with postgres_engine_in_fresh_schema() as engine:
        upgrade(engine)
        schema, role = engine.url.query["options"].split("=")[-1], f"station_{uuid.uuid4().hex[:8]}"
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
            connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        try:
            monkeypatch.setenv("OMS_DATABASE_URL", engine.url.set(username=role).render_as_string())
            assert run("outbox") == (
                1,
                "Error: database error: permission denied for table alembic_version\n",
            )
        finally:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"REVOKE USAGE ON SCHEMA {schema} FROM {role}")
                connection.exec_driver_sql(f"DROP ROLE {role}")
