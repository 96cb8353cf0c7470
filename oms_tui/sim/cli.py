"""`oms-tui store-sim`: run the store simulator on a port."""

from __future__ import annotations

import click
import uvicorn
from click.core import ParameterSource

from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.faults import PROFILES
from oms_tui.sim.mailbox import Mailbox, MailboxServer
from oms_tui.sim.server import API_VERSION, listen, quiet_injected_drops
from oms_tui.sim.store import SimStore
from oms_tui.sim.throttle import PLANS

TOKEN_VARIABLE = "OMS_SIM_TOKEN"
DEFAULT_LIVE_RATE = 1.0  # events per second with --live
MAX_LIVE_RATE = 100.0  # more would keep the simulator from answering requests


@click.command("store-sim")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default)."
)
@click.option("--port", default=8787, show_default=True, type=int, help="0 picks a free port.")
@click.option("--orders", default=5000, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--live/--no-live", default=False, help="Keep the shop trading: new orders, edits, cancels.")
@click.option(
    "--live-rate",
    type=click.FloatRange(0, MAX_LIVE_RATE),
    help="Live events per second (implies --live; 0: none, the shop stands still).  [default: 1]",
)
@click.option("--faults", type=click.Choice(sorted(PROFILES)), default="none", show_default=True)
@click.option("--plan", type=click.Choice(list(PLANS)), default="standard", show_default=True)
@click.option(
    "--restore-rate",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Override the plan's restore rate (points/s).",
)
@click.option(
    "--bucket",
    type=click.FloatRange(1),
    default=None,
    help="Override the plan's bucket size (points; a query costing more is refused).",
)
@click.option(
    "--token",
    envvar=TOKEN_VARIABLE,
    default=DEFAULT_TOKEN,
    help=f"Access token the simulator accepts (better in {TOKEN_VARIABLE}: a command line is visible "
    f"to every user in `ps`).  [default: the demo token, {DEFAULT_TOKEN}]",
)
@click.option(
    "--mail-port",
    default=0,
    show_default=True,
    type=click.IntRange(-1, 65535),
    help="The demo mailbox's SMTP port on --host (no TLS, no login; 0: any free one, in the banner; "
    "-1: no mailbox). What it gets is listed at GET /__mail.",
)
@click.pass_context
def store_sim(
    ctx: click.Context,
    host: str,
    port: int,
    orders: int,
    seed: int,
    live: bool,
    live_rate: float | None,
    faults: str,
    plan: str,
    restore_rate: float | None,
    bucket: float | None,
    token: str,
    mail_port: int,
) -> None:
    """Serve a simulated Shopify Admin GraphQL API (a no-account demo shop), and a mailbox."""
    if not 0 <= port <= 65535:
        raise click.ClickException(f"--port {port} is not a port: use 1-65535, or 0 for any free one")
    try:
        sock = listen(host, port)
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    port = sock.getsockname()[1]  # the port really got, when asked for any (0)
    address = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    if ctx.get_parameter_source("live") is not ParameterSource.COMMANDLINE and live_rate is not None:
        live = True  # a rate asks for a live shop, unless --no-live says otherwise
    live = live and live_rate != 0
    live_rate = live_rate or DEFAULT_LIVE_RATE
    store = SimStore(orders=orders, seed=seed, floor_ages=True)
    box = Mailbox() if mail_port >= 0 else None
    mail_server = None
    if box is not None:
        try:
            mail_server = MailboxServer(box, host, mail_port).start()
        except OSError as exc:
            sock.close()
            raise click.ClickException(
                f"cannot listen on {host}:{mail_port}: {exc.strerror or exc}"
            ) from None
    app = create_app(
        store,
        token=token,
        plan=plan,
        restore_rate=restore_rate,
        bucket=bucket,
        faults=faults,
        live=live,
        live_rate=live_rate,
        mailbox=box,
    )
    trading = f"live {live_rate:g}/s" if live else "not live"
    click.echo(f"Store simulator: {address}  ({orders} orders, seed {seed}, faults {faults}, {trading})")
    click.echo(f"GraphQL: {address}/admin/api/{API_VERSION}/graphql.json")
    click.echo(f"Token:   {token_source(ctx.get_parameter_source('token'))}")
    if mail_server is not None:
        click.echo(
            f"Mailbox: SMTP {mail_server.host}:{mail_server.port} (no TLS, no login; smtp_starttls = false); "
            f"read at {address}/__mail"
        )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    quiet_injected_drops()
    try:
        server.run(sockets=[sock])
    finally:
        if mail_server is not None:
            mail_server.stop()


def token_source(source: ParameterSource | None) -> str:
    """Where the token the simulator accepts comes from: the banner never prints a token itself."""
    if source is ParameterSource.ENVIRONMENT:
        return f"as set in {TOKEN_VARIABLE}"
    if source is ParameterSource.COMMANDLINE:
        return f"as given with --token (visible to every user in `ps`: prefer {TOKEN_VARIABLE})"
    return f"the demo token (`oms-tui store-sim --help` shows it; set {TOKEN_VARIABLE} to choose one)"
