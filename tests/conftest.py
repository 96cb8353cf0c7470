"""Fixtures shared by the whole suite."""

from __future__ import annotations

import gzip
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

import oms_tui.cache.models  # noqa: F401  (registers every table on the metadata)
from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.engine import make_engine, session_factory
from oms_tui.cache.migrate import upgrade
from tests.ci_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401  (hooks)

# Shopify's published SDL, verbatim and gzipped, so a fresh clone validates against the real thing.
FULL_SCHEMA_PATH = Path(__file__).parent / "data" / "admin-2026-04.graphql.gz"


@pytest.fixture(scope="session")
def full_schema() -> GraphQLSchema:
    """The real Admin API schema (2026-04), built once per run (about 2 s)."""
    return build_schema(gzip.decompress(FULL_SCHEMA_PATH.read_bytes()).decode(), assume_valid_sdl=True)


def postgres_url() -> str | None:
    """The PostgreSQL server for tests; CI sets it and `OMS_TEST_REQUIRE_POSTGRES=1` (no skipping there)."""
    url = os.environ.get("OMS_TEST_POSTGRES_URL")
    if not url and os.environ.get("OMS_TEST_REQUIRE_POSTGRES"):
        pytest.fail("OMS_TEST_REQUIRE_POSTGRES is set but OMS_TEST_POSTGRES_URL is not")
    return url


@contextmanager
def postgres_engine_in_fresh_schema() -> Iterator[Engine]:
    """An engine whose connections see only a new, empty schema, dropped afterwards."""
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            # Installed once, outside the test schemas: dropping a schema must not drop the extension
            # that other tests' search indexes use.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('oms-tui pg_trgm'))")
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("OMS_TEST_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL at OMS_TEST_POSTGRES_URL is unreachable: {exc.orig}")
    # In the address, not the connect arguments: a station's change listener connects by address.
    engine = make_engine(make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A clean, empty database on each engine: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
        yield engine
        engine.dispose()
    else:
        with postgres_engine_in_fresh_schema() as engine:
            yield engine


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A clean database with every table, on each engine."""
    SQLModel.metadata.create_all(empty_engine)
    return empty_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Settings for the CLI: a fresh SQLite cache (made as `oms-tui db upgrade` does), no config file,
    station pack-1, the demo store."""
    url = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    open_cache(url, create=True).close()
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # no settings file
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    monkeypatch.setenv("OMS_STATION", "pack-1")
    monkeypatch.delenv("OMS_SHOP_URL", raising=False)
    return url


@pytest.fixture
def any_cache(empty_engine: Engine) -> Cache:
    """A cache migrated by Alembic, on SQLite and on PostgreSQL."""
    upgrade(empty_engine)
    return Cache(empty_engine, session_factory(empty_engine))
