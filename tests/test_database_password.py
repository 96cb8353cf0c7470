"""The database password is a canary: whatever the CLI does with a password in OMS_DATABASE_URL, it
never appears in output, logs or the database (the app's crash dump: tests/ui/test_crash_dump.py).

Run against the real PostgreSQL server of the tests (trust authentication accepts any password)."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, make_url, text

from oms_tui.cache.engine import make_engine
from oms_tui.cli import main
from tests.conftest import postgres_url

CANARY = "pg-pw-canary-3c9e1"

COMMANDS = [
    ("config", "show"),
    ("db", "upgrade"),
    ("staff", "add", "P1", "Ana Pick", "--role", "picker"),
    ("staff", "add", "P1", "Ana Again", "--role", "picker"),  # refused: the code is taken
    ("note", "#1001", "fragile", "--staff", "P1"),  # refused: no such order
    ("outbox",),
    ("outbox", "retry", "7"),
    ("print", "pick-list", "#1001"),
]


@pytest.fixture
def canary_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """OMS_DATABASE_URL with the canary password, on a schema of its own; a shop that is not there."""
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    canary_url = make_url(url).set(password=CANARY, query={"options": f"-csearch_path={schema}"})
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("OMS_DATABASE_URL", canary_url.render_as_string(hide_password=False))
    monkeypatch.setenv("OMS_SHOP_URL", "http://127.0.0.1:1")  # nothing listens: actions stay queued
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", "shpat_x")
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_the_database_password_is_in_no_output_log_or_row(
    canary_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "alembic", "psycopg", "oms_tui"):
        caplog.set_level(logging.DEBUG, logger=name)
    outputs = [run(*command) for command in COMMANDS]
    assert outputs[1][0] == 0 and outputs[2] == (0, "added P1 Ana Pick (picker)\n")  # it did connect
    assert 'database_url = "postgresql://postgres:***@' in outputs[0][1]
    seen = [output for _, output in outputs] + [record.getMessage() for record in caplog.records]
    assert not [text for text in seen if CANARY in text]

    engine = make_engine(postgres_url() or "", connect_args={"options": f"-csearch_path={canary_database}"})
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            assert "staff" in tables
            for table in tables:
                rows = connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars().all()
                assert not [row for row in rows if CANARY in row], table
    finally:
        engine.dispose()


def test_an_unreachable_database_is_one_line_without_its_password(
    canary_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_DATABASE_URL", f"postgresql://oms:{CANARY}@127.0.0.1:1/oms")
    for command in COMMANDS[1:]:
        code, output = run(*command)
        assert code == 1 and output.startswith("Error: database error: ") and output.count("\n") == 1
        assert CANARY not in output
