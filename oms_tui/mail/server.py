"""Where messages are sent from: the brand's mail server, as the settings name it.

The password is kept like the store token: `OMS_SMTP_PASSWORD` (or the settings file), or a file only
its owner may read (`smtp_password_file`). It is a `SecretStr` (masked in `repr`, logs and tracebacks),
unwrapped only as it is handed to `smtplib` to log in, and never written to the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from pydantic import SecretStr

from oms_tui.config import Settings

DEFAULT_TIMEOUT_S = 30.0


class MailSetupError(ValueError):
    """The mail settings cannot be used as they are (one line, naming the setting)."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    sender: str  # the From header: "Brand <shop@brand.com>"
    starttls: bool = True
    user: str | None = None
    password: SecretStr | None = None
    ca_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT_S

    @property
    def envelope_sender(self) -> str:
        """The address alone, for the SMTP envelope (MAIL FROM)."""
        return parseaddr(self.sender)[1]

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def configured_server(settings: Settings) -> MailServer | None:
    """The mail server the settings name; None when they name none (`smtp_host` unset)."""
    if not settings.smtp_host:
        return None
    if not settings.smtp_from or "@" not in parseaddr(settings.smtp_from)[1]:
        raise MailSetupError('smtp_from: set the From address of messages, like "Brand <shop@brand.com>"')
    password = settings.smtp_password
    if settings.smtp_password_file is not None:
        if password is not None:
            raise MailSetupError("smtp_password and smtp_password_file are both set: keep one")
        password = read_password_file(settings.smtp_password_file)
    if password is not None and not settings.smtp_user:
        raise MailSetupError("smtp_user: a password is set but no user name to log in with")
    return MailServer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        starttls=settings.smtp_starttls,
        user=settings.smtp_user,
        password=password,
        ca_file=settings.smtp_ca_file,
    )


def read_password_file(path: Path) -> SecretStr:
    """The password in `path` (its first line); refused when other users may read the file."""
    try:
        if path.stat().st_mode & 0o077:
            raise MailSetupError(f"smtp_password_file {path}: other users may read it; chmod 600 it")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MailSetupError(f"smtp_password_file {path}: cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise MailSetupError(f"smtp_password_file {path}: not a UTF-8 text file") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise MailSetupError(f"smtp_password_file {path} is empty")
    return SecretStr(password)
