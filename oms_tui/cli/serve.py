"""`oms-tui serve`: the app, or the board alone, in browsers; `web-session` is what it runs per tab."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import SecretStr

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.config import is_loopback

if TYPE_CHECKING:  # the web server (aiohttp) loads when `serve` runs, not with every command
    from oms_tui.web.access import Access

PASSWORD_VARIABLE = "OMS_SERVE_PASSWORD"
MIN_PASSWORD = 8  # a shared password guessed at floor-network speed must not be a PIN


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0: all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--board", is_flag=True, help="Serve the board alone: read-only, no sign-in (wall screens).")
@click.option(
    "--public-board",
    is_flag=True,
    help="Serve the board alone, open to anyone who reaches the port (no secret).",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"File holding the shared password browsers must give (else ${PASSWORD_VARIABLE}).",
)
@one_line_errors
def serve(host: str, port: int, board: bool, public_board: bool, password_file: Path | None) -> None:
    """Publish the app in web browsers: one session per tab, ended with the tab or the server.

    Off loopback, browsers must give a secret: the shared password (from --password-file or
    $OMS_SERVE_PASSWORD), or else the key in the address printed at start, new at every start.
    """
    from oms_tui.runtime import Runtime
    from oms_tui.web.server import serve as serve_web

    if public_board and password_file is not None:
        raise click.UsageError("--public-board is open to anyone: it takes no --password-file")
    password = None if public_board else read_password(password_file)
    os.environ.pop(PASSWORD_VARIABLE, None)  # the sessions get a copy of this environment: not the password
    settings = load_settings()
    environment = {}
    runtime = None
    if settings.demo:  # one embedded store for every tab, kept by this process, rather than one per tab
        runtime = Runtime.start(settings, app_start=True)
        token = runtime.token.get_secret_value()
        environment = {"OMS_SHOP_URL": runtime.shop_url, "OMS_SHOPIFY_TOKEN": token}
    board = board or public_board
    access = choose_access(host, password=password, public_board=public_board)
    announcement = announce(host, port, board=board, access=access)
    try:
        serve_web(
            host=host,
            port=port,
            board=board,
            access=access,
            announcement=announcement,
            environment=environment,
        )
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        if runtime is not None:
            runtime.close()


def read_password(password_file: Path | None) -> SecretStr | None:
    """The shared password, from `password_file` or the environment, never from the command line
    (which every user of the machine sees in `ps`)."""
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not a text file"
            raise click.ClickException(f"cannot read the password file {password_file}: {reason}") from None
        source = str(password_file)
        if password_file.stat().st_mode & 0o077:
            click.echo(
                f"warning: other users of this machine can read {password_file}: chmod 600 it", err=True
            )
    else:
        password, source = os.environ.get(PASSWORD_VARIABLE, ""), f"${PASSWORD_VARIABLE}"
        if not password:
            return None
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(
            f"the password in {source} is too short: at least {MIN_PASSWORD} characters"
        )
    return SecretStr(password)


def choose_access(host: str, *, password: SecretStr | None, public_board: bool) -> Access:
    """The password when one is set; open on loopback and for a public board; else a new key."""
    from oms_tui.web.access import Access

    if password is not None:
        return Access(password=password)
    if is_loopback(host) or public_board:
        return Access()
    return Access(key=SecretStr(secrets.token_urlsafe(24)))


def announce(host: str, port: int, *, board: bool, access: Access) -> str:
    """What the server prints once it listens: its address (with the key, if it has one), and who may
    open it. The password is never printed."""
    what = "oms-tui board" if board else "oms-tui"
    name = socket.gethostname() if host in ("0.0.0.0", "::") else host  # an address a browser can open
    address = f"http://{f'[{name}]' if ':' in name else name}:{port}"
    if access.key is not None:
        lines = [
            f"{what} on {address}/?key={access.key.get_secret_value()}  (Ctrl+C stops it and every session)",
            "Anyone with this address can open it; the key is new at every start.",
        ]
    else:
        lines = [f"{what} on {address}  (Ctrl+C stops it and every session)"]
    if access.password is not None:
        lines.append("Browsers must give the shared password (any user name).")
        if not is_loopback(host):
            lines.append(
                "Over plain http the password crosses the network readable: put a TLS proxy in front."
            )
    elif access.is_open and not is_loopback(host):
        lines.append(f"Open to anyone who reaches {host}:{port}: the board only, nothing there can act.")
    return "\n".join(lines)


@click.command("web-session", hidden=True)
@click.option("--parent", required=True, type=int, help="The server's process id: the session ends with it.")
@click.option("--board", is_flag=True)
@one_line_errors
def web_session(parent: int, board: bool) -> None:
    """One browser tab's app (started by `oms-tui serve`, over its stdin and stdout)."""
    from oms_tui.web.session import run_web_session

    run_web_session(load_settings(), parent=parent, board=board)
