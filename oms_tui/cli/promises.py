"""`oms-tui promises`: orders' ship-by times, recomputed after the shipping methods, the warehouse's
calendar or the SLA changed in the settings (sync computes them as orders arrive or change)."""

from __future__ import annotations

import click

from oms_tui.cli.errors import load_settings, one_line_errors


@click.group()
def promises() -> None:
    """Ship-by times: when each order must leave."""


@promises.command()
@one_line_errors
def refresh() -> None:
    """Recompute every order's ship-by time with the settings as they are now."""
    from oms_tui.cache.database import open_cache
    from oms_tui.cache.ship_by_rows import refresh_every_order
    from oms_tui.floor_settings import FloorSettings

    settings = load_settings()
    cache = open_cache(settings.database_url, create=False)
    try:
        changed = refresh_every_order(cache.sessions, FloorSettings(settings).ship_by)
    finally:
        cache.close()
    click.echo(f"{changed} orders got a new ship-by time")
