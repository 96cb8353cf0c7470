"""`oms-tui store-sim`: run the store simulator on a port."""

from __future__ import annotations

import click
import uvicorn

from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.faults import PROFILES
from oms_tui.sim.server import API_VERSION, listen, quiet_injected_drops
from oms_tui.sim.store import SimStore
from oms_tui.sim.throttle import PLANS


@click.command("store-sim")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default)."
)
@click.option("--port", default=8787, show_default=True, type=int, help="0 picks a free port.")
@click.option("--orders", default=5000, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--live/--no-live", default=False, help="Keep the shop trading: new orders, edits, cancels.")
@click.option("--live-rate", default=1.0, show_default=True, type=float, help="Live events per second.")
@click.option("--faults", type=click.Choice(sorted(PROFILES)), default="none", show_default=True)
@click.option("--plan", type=click.Choice(list(PLANS)), default="standard", show_default=True)
@click.option("--restore-rate", type=float, default=None, help="Override the plan's restore rate (points/s).")
@click.option("--bucket", type=float, default=None, help="Override the plan's bucket size (points).")
@click.option("--token", default=DEFAULT_TOKEN, show_default=True, help="Access token the simulator accepts.")
def store_sim(
    host: str,
    port: int,
    orders: int,
    seed: int,
    live: bool,
    live_rate: float,
    faults: str,
    plan: str,
    restore_rate: float | None,
    bucket: float | None,
    token: str,
) -> None:
    """Serve a simulated Shopify Admin GraphQL API (a no-account demo shop)."""
    if not 0 <= port <= 65535:
        raise click.ClickException(f"--port {port} is not a port: use 1-65535, or 0 for any free one")
    try:
        sock = listen(host, port)
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    port = sock.getsockname()[1]  # the port really got, when asked for any (0)
    address = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    store = SimStore(orders=orders, seed=seed)
    app = create_app(
        store,
        token=token,
        plan=plan,
        restore_rate=restore_rate,
        bucket=bucket,
        faults=faults,
        live=live,
        live_rate=live_rate,
    )
    click.echo(f"Store simulator: {address}  ({orders} orders, seed {seed}, faults {faults})")
    click.echo(f"GraphQL: {address}/admin/api/{API_VERSION}/graphql.json")
    click.echo(f"Token:   {token}")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    quiet_injected_drops()
    server.run(sockets=[sock])
