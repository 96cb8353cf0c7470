"""Settings: TOML file < environment; the token never shows."""

from __future__ import annotations

import logging
import re
import tomllib
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from oms_tui.cli import main
from oms_tui.config import Settings, hide_password

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
    path.write_text("")
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


def show(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args or ("config", "show")))
    return result.exit_code, result.output


def test_config_show_prints_toml_that_reads_back(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_settings.write_text('station = "pack \\"north\\" \\\\ 1"\npoll_interval = 2.5\n')
    monkeypatch.setenv("OMS_DATABASE_URL", "postgresql://oms:hunter2@db.local/oms")
    code, output = show()
    assert code == 0
    shown = tomllib.loads(output)  # unset settings (shop_url, token) are comments: TOML has no null
    assert shown["station"] == 'pack "north" \\ 1'
    assert shown["poll_interval"] == 2.5 and shown["api_version"] == "2026-04"
    assert shown["database_url"] == "postgresql://oms:***@db.local/oms"
    assert "shop_url" not in shown and "# shop_url is not set" in output
    monkeypatch.setenv("OMS_SHOP_URL", "my-brand.myshopify.com")
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", TOKEN)
    shown = tomllib.loads(show()[1])
    assert (shown["shop_url"], shown["shopify_token"]) == ("https://my-brand.myshopify.com", "**********")


@pytest.mark.parametrize(
    "command",
    [
        ("config", "show"),
        ("db", "upgrade"),
        ("sync",),
        ("outbox",),
        ("staff", "add", "P1", "Ana", "--role", "picker"),
        (),  # the app itself
    ],
)
def test_a_malformed_settings_file_is_named_in_one_line(
    isolated_settings: Path, command: tuple[str, ...]
) -> None:
    isolated_settings.write_text('shop_url = "my-brand.myshopify.com\n')
    assert show(*command) == (
        1,
        f"Error: {isolated_settings}: not valid TOML: Illegal character '\\n' (at line 1, column 35)\n",
    )


def test_an_unknown_setting_is_an_error(isolated_settings: Path) -> None:
    isolated_settings.write_text('shop_url = "my-brand.myshopify.com"\npoll_intervall = 2\n')
    code, output = show()
    assert code == 1
    assert output.startswith(
        f"Error: {isolated_settings}: unknown setting 'poll_intervall' (known: shop_url,"
    )
    assert output.count("\n") == 1


def test_a_missing_named_settings_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", str(tmp_path / "typo.toml"))
    assert show() == (
        1,
        f"Error: {tmp_path / 'typo.toml'}: no such settings file (named by OMS_CONFIG_FILE)\n",
    )


def test_an_unparsable_database_url_is_one_line_without_the_url(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_DATABASE_URL", "postgres:/oms:hunter2@db.local")
    assert show() == (
        1,
        "Error: invalid settings: database_url: not a database URL like sqlite:///path/cache.sqlite3 "
        "or postgresql://user@host/db\n",
    )


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("my-brand.myshopify.com", "https://my-brand.myshopify.com"),
        ("https://my-brand.myshopify.com/", "https://my-brand.myshopify.com"),
        ("my-brand.myshopify.com:8443", "https://my-brand.myshopify.com:8443"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),  # the simulator on this machine
        ("http://localhost:8787", "http://localhost:8787"),
        ("http://[::1]:8787", "http://[::1]:8787"),
    ],
)
def test_shop_urls_that_work(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("OMS_SHOP_URL", given)
    assert Settings().shop_url == used


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("not-a-url", "'not-a-url' is not a shop address like my-brand.myshopify.com"),
        (
            "my brand.myshopify.com",
            "'my brand.myshopify.com' is not a shop address like my-brand.myshopify.com",
        ),
        (
            "ftp://my-brand.myshopify.com",
            "'ftp://my-brand.myshopify.com' is not a shop address like my-brand.myshopify.com",
        ),
        (
            "my-brand.myshopify.com:99999",
            "'my-brand.myshopify.com:99999': the port must be a number from 1 to 65535",
        ),
        (
            "https://my-brand.myshopify.com:0",
            "'https://my-brand.myshopify.com:0': the port must be a number from 1 to 65535",
        ),
        (
            "http://my-brand.myshopify.com",
            "refusing to send the store token to http://my-brand.myshopify.com over "
            "plain http://: use https://",
        ),
        (
            "http://192.168.1.20:8787",
            "refusing to send the store token to http://192.168.1.20:8787 over plain http://: use https://",
        ),
    ],
)
def test_shop_urls_refused_in_one_line(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, given: str, problem: str
) -> None:
    monkeypatch.setenv("OMS_SHOP_URL", given)
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", TOKEN)
    for command in (("config", "show"), ("sync",)):
        assert show(*command) == (1, f"Error: invalid settings: shop_url: {problem}\n")


def test_an_api_version_that_shopify_never_released_is_refused(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_API_VERSION", "2026-05")
    assert show() == (
        1,
        "Error: invalid settings: api_version: '2026-05' is not an API version like 2026-04 "
        "(quarterly, or unstable)\n",
    )


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("sla_hours", "inf", "Input should be a finite number"),
        ("sla_hours", "nan", "Input should be a finite number"),
        ("sla_hours", "9000", "Input should be less than or equal to 8760"),
        ("return_window_days", "1e300", "Input should be less than or equal to 3650"),
        ("scan_gap_ms", "1e308", "Input should be less than or equal to 1000"),
        ("poll_interval", "1e9", "Input should be less than or equal to 3600"),
        ("claim_lease_minutes", "-inf", "Input should be a finite number"),
        ("idle_signout_minutes", "1e6", "Input should be less than or equal to 1440"),
        ("scan_min_length", "100000", "Input should be less than or equal to 100"),
    ],
)
def test_an_absurd_number_is_refused_naming_the_setting(
    isolated_settings: Path, setting: str, value: str, reason: str
) -> None:
    isolated_settings.write_text(f"{setting} = {value}\n")
    assert show() == (1, f"Error: invalid settings: {setting}: {reason}\n")


def test_every_number_in_the_settings_has_an_upper_bound() -> None:
    """A new number setting without a range would accept 1e308 again."""
    for name, field in Settings.model_fields.items():
        if field.annotation in (int, float):
            bounds = [getattr(m, "le", None) or getattr(m, "lt", None) for m in field.metadata]
            assert any(bound is not None for bound in bounds), f"{name} has no upper bound"


def test_a_binary_settings_file_is_one_line(isolated_settings: Path) -> None:
    isolated_settings.write_bytes(b'station = "a"\n\xff\xfe\x00\x9d binary')
    assert show() == (
        1,
        f"Error: {isolated_settings}: not a TOML text file (byte 0xff at offset 14 is not UTF-8)\n",
    )


@pytest.mark.parametrize(
    "url",
    ["mysql://oms:hunter2@db.local/oms", "postgresql+psycopg2://oms:hunter2@db.local/oms", "oracle://x/y"],
)
def test_an_unsupported_database_is_one_line_naming_the_supported_ones(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    for command in (("config", "show"), ("outbox",), ("db", "upgrade")):
        code, output = show(*command)
        assert code == 1 and output.count("\n") == 1, output
        assert "databases are not supported: use sqlite:///path/cache.sqlite3 or postgresql://" in output
        assert "hunter2" not in output


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite:///:memory:"])
def test_a_cache_in_memory_is_refused(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    code, output = show("outbox")
    assert code == 1
    assert output == (
        f"Error: invalid settings: database_url: {url!r} is a database in memory, forgotten when oms-tui "
        "ends: name a file, like sqlite:///path/cache.sqlite3\n"
    )


def test_a_password_in_the_shop_url_is_refused_without_showing_it(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_SHOP_URL", "https://apikey:pw-canary-51@my-brand.myshopify.com")
    for command in (("config", "show"), ("outbox",), ()):
        code, output = show(*command)
        assert code == 1 and "pw-canary-51" not in output
        assert output == (
            "Error: invalid settings: shop_url: 'https://apikey:***@my-brand.myshopify.com': remove the user "
            "name and password from the address; the store token goes in shopify_token (OMS_SHOPIFY_TOKEN)\n"
        )
    monkeypatch.setenv("OMS_SHOP_URL", "https://apikey:pw-canary-51@my-brand.myshopify.com:99999")
    code, output = show()
    assert code == 1 and "pw-canary-51" not in output


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "connection to postgresql://oms:s3cr%40t@db.local/oms failed",
            "connection to postgresql://oms:***@db.local/oms failed",
        ),
        (
            "https://apikey:pw@shop.example/x and sqlite:///a/b",
            "https://apikey:***@shop.example/x and sqlite:///a/b",
        ),
        ("postgresql://oms@db.local/oms", "postgresql://oms@db.local/oms"),  # no password: as it was
        (
            "postgresql://oms@db.local/oms?sslmode=require&password=pw&x=1",
            "postgresql://oms@db.local/oms?sslmode=require&password=***&x=1",
        ),
    ],
)
def test_hide_password_masks_every_urls_password(text: str, shown: str) -> None:
    assert hide_password(text) == shown


def test_config_show_masks_a_password_given_in_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_DATABASE_URL", "postgresql://oms@db.local/oms?password=pw-canary-88")
    code, output = show()
    assert code == 0 and "pw-canary-88" not in output
    assert 'database_url = "postgresql://oms@db.local/oms?password=***"' in output


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ({"claim": "c"}, "'claim' is not a binding id like queue.claim"),
        ({"queue.claim": "ctrl k"}, "keys.queue.claim: 'ctrl k' is not a key list"),
        ({"queue.claim": ""}, "keys.queue.claim: '' is not a key list"),
    ],
)
def test_a_keys_table_names_bindings_and_keys(keys: dict[str, str], said: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(said)):
        Settings(keys=keys)
    assert Settings(keys={"queue.claim": "ctrl+k,c"}).keys == {"queue.claim": "ctrl+k,c"}
