"""`oms-tui serve` refuses what it cannot do in one line."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oms_tui.cli import main
from oms_tui.web import server


def test_a_port_in_use_is_one_line(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_SHOP_URL", "http://127.0.0.1:9")  # a shop, so no demo store is started
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", "x")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "address already in use" in result.output


@pytest.fixture
def served(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `oms-tui serve` would serve, caught instead of serving it."""
    monkeypatch.setenv("OMS_SHOP_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("OMS_SHOPIFY_TOKEN", "x")
    caught: dict[str, Any] = {}
    monkeypatch.setattr(server, "serve", lambda **options: caught.update(options))
    return caught


def test_off_loopback_it_asks_for_a_key_printed_in_its_address(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    key = served["access"].key.get_secret_value()
    assert len(key) >= 32 and served["access"].password is None
    assert f":8000/?key={key} " in served["announcement"]


def test_on_loopback_it_stays_open(served: dict[str, Any]) -> None:
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    assert served["access"].is_open


def test_the_password_comes_from_the_environment_and_is_never_shown(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_SERVE_PASSWORD", "pack-it-right-7")
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert served["access"].password.get_secret_value() == "pack-it-right-7"
    assert served["access"].key is None
    assert "pack-it-right-7" not in served["announcement"] + result.output
    assert "pack-it-right-7" not in repr(served["access"])
    assert "OMS_SERVE_PASSWORD" not in os.environ, "the sessions would inherit it"


def test_the_password_comes_from_a_file_and_is_asked_on_loopback_too(
    served: dict[str, Any], tmp_path: Path
) -> None:
    secret = tmp_path / "serve-password"
    secret.write_text("pack-it-right-7\n")
    secret.chmod(0o600)
    result = CliRunner().invoke(main, ["serve", "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert served["access"].password.get_secret_value() == "pack-it-right-7"
    assert "warning" not in result.output


def test_a_password_file_others_can_read_is_pointed_out(served: dict[str, Any], tmp_path: Path) -> None:
    secret = tmp_path / "serve-password"
    secret.write_text("pack-it-right-7\n")
    secret.chmod(0o644)
    result = CliRunner().invoke(main, ["serve", "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert f"warning: other users of this machine can read {secret}: chmod 600 it" in result.output
    assert served["access"].password is not None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the password file {file}: No such file or directory"),
        (b"short\n", "the password in {file} is too short: at least 8 characters"),
        (b"\xff\xfe binary", "cannot read the password file {file}: not a text file"),
    ],
)
def test_a_bad_password_file_is_one_line(
    served: dict[str, Any], tmp_path: Path, content: bytes | None, problem: str
) -> None:
    secret = tmp_path / "serve-password"
    if content is not None:
        secret.write_bytes(content)
        secret.chmod(0o600)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--password-file", str(secret)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {problem.format(file=secret)}"]
    assert not served, "it served all the same"


def test_a_public_board_is_open_and_the_board_alone(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--public-board"])
    assert result.exit_code == 0, result.output
    assert served["access"].is_open and served["board"] is True
    assert "nothing there can act" in served["announcement"]


def test_a_public_board_takes_no_password(served: dict[str, Any], tmp_path: Path) -> None:
    secret = tmp_path / "serve-password"
    secret.write_text("pack-it-right-7\n")
    result = CliRunner().invoke(main, ["serve", "--public-board", "--password-file", str(secret)])
    assert result.exit_code == 2
    assert "--public-board is open to anyone: it takes no --password-file" in result.output
    assert not served
