"""Settings: TOML file < environment; the token never shows."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from oms_tui.cli import main
from oms_tui.config import Settings

TOKEN = "shpat_0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "SHOP_URL",
        "SHOPIFY_TOKEN",
        "API_VERSION",
        "DATABASE_URL",
        "STATION",
        "POLL_INTERVAL",
        "SLA_HOURS",
    ):
        monkeypatch.delenv(f"OMS_{name}", raising=False)
    path = tmp_path / "config.toml"
    monkeypatch.setenv("OMS_CONFIG_FILE", str(path))
    return path


def test_defaults_run_the_demo_on_sqlite(isolated_settings: Path) -> None:
    settings = Settings()
    assert settings.demo
    assert settings.api_version == "2026-04"
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("cache.sqlite3")


def test_file_is_overridden_by_environment(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolated_settings.write_text(
        'shop_url = "my-brand.myshopify.com"\nstation = "pack-1"\npoll_interval = 9\nsla_hours = 48\n'
    )
    monkeypatch.setenv("OMS_STATION", "pack-7")
    settings = Settings()
    assert settings.shop_url == "https://my-brand.myshopify.com"
    assert not settings.demo
    assert settings.station == "pack-7"  # environment wins
    assert (settings.poll_interval, settings.sla_hours) == (9, 48)  # file beats defaults


def test_token_is_masked_in_repr_dump_logs_tracebacks_and_config_show(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    isolated_settings.write_text(f'shopify_token = "{TOKEN}"\n')
    monkeypatch.setenv("OMS_DATABASE_URL", "postgresql://oms:hunter2@db.local/oms")
    settings = Settings()
    assert settings.shopify_token is not None and settings.shopify_token.get_secret_value() == TOKEN
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("oms_tui").info("settings: %s %r", settings, settings)
    try:
        raise RuntimeError(f"failed with {settings!r}")
    except RuntimeError:
        trace = traceback.format_exc()
    shown = CliRunner().invoke(main, ["config", "show"]).output
    for text in (
        repr(settings),
        str(settings.model_dump()),
        str(settings.masked()),
        caplog.text,
        trace,
        shown,
    ):
        assert TOKEN not in text
    assert "hunter2" not in shown
    assert "**********" in shown


def test_bad_settings_are_one_clear_line(isolated_settings: Path) -> None:
    isolated_settings.write_text("poll_interval = -1\n")
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: invalid settings: poll_interval: Input should be greater than 0"
