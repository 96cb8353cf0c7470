"""The mailbox password is kept like the store token: from the environment or a file only its owner
reads, masked wherever settings are shown, and a setting that cannot work is one line naming it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from oms_tui.cli import main
from oms_tui.config import Settings
from oms_tui.mail.server import MailSetupError, configured_server

CANARY = "smtp-pw-canary-7d2e"


def settings(**values: object) -> Settings:
    base: dict[str, object] = {"smtp_host": "mail.brand.test", "smtp_from": "Brand <shop@brand.test>"}
    return Settings(**(base | values))


def test_the_password_file_must_be_the_owners_alone(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(f"{CANARY}\n")
    secret.chmod(0o644)
    with pytest.raises(MailSetupError, match="other users may read it; chmod 600 it") as refused:
        configured_server(settings(smtp_user="shop", smtp_password_file=secret))
    assert CANARY not in str(refused.value)
    secret.chmod(0o600)
    server = configured_server(settings(smtp_user="shop", smtp_password_file=secret))
    assert server is not None and server.password is not None
    assert server.password.get_secret_value() == CANARY and CANARY not in repr(server)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"smtp_from": None}, "smtp_from: set the From address"),
        ({"smtp_password": CANARY}, "smtp_user: a password is set but no user name"),
    ],
)
def test_a_mail_setting_that_cannot_work_is_one_line(values: dict[str, object], said: str) -> None:
    with pytest.raises(MailSetupError, match=said) as refused:
        configured_server(settings(**values))
    assert CANARY not in str(refused.value)


def test_config_show_masks_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("OMS_SMTP_PASSWORD", CANARY)
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0 and 'smtp_password = "**********"' in result.stdout
    assert CANARY not in result.stdout + result.stderr
