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
    from oms_tui.cache.ship_by_rows import every_order, refresh_ship_by
    from oms_tui.floor_settings import FloorSettings

    settings = load_settings()
    policy = FloorSettings(settings).ship_by
    cache = open_cache(settings.database_url, create=False)
    changed = 0
    try:
        with cache.engine.connect() as reading:
            for batch in every_order(reading):
                with cache.sessions() as session:
                    changed += refresh_ship_by(session.connection(), batch, policy)
                    session.commit()
    finally:
        cache.close()
    click.echo(f"{changed} orders got a new ship-by time")
