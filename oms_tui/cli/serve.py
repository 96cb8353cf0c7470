"""`oms-tui serve`: the app, or the board alone, in browsers; `web-session` is what it runs per tab."""

from __future__ import annotations

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.config import is_loopback


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0: all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--board", is_flag=True, help="Serve the board alone: read-only, no sign-in (wall screens).")
@one_line_errors
def serve(host: str, port: int, board: bool) -> None:
    """Publish the app in web browsers: one session per tab, ended with the tab or the server."""
    from oms_tui.runtime import Runtime
    from oms_tui.web.server import serve as serve_web

    settings = load_settings()
    environment = {}
    runtime = None
    if settings.demo:  # one embedded store for every tab, kept by this process, rather than one per tab
        runtime = Runtime.start(settings, app_start=True)
        token = runtime.token.get_secret_value()
        environment = {"OMS_SHOP_URL": runtime.shop_url, "OMS_SHOPIFY_TOKEN": token}
    if not is_loopback(host):
        click.echo(f"warning: serving on {host}: anyone on that network can open the app", err=True)
    try:
        serve_web(host=host, port=port, board=board, environment=environment)
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        if runtime is not None:
            runtime.close()


@click.command("web-session", hidden=True)
@click.option("--parent", required=True, type=int, help="The server's process id: the session ends with it.")
@click.option("--board", is_flag=True)
@one_line_errors
def web_session(parent: int, board: bool) -> None:
    """One browser tab's app (started by `oms-tui serve`, over its stdin and stdout)."""
    from oms_tui.web.session import run_web_session

    run_web_session(load_settings(), parent=parent, board=board)
