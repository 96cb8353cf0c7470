"""The `oms-tui` command: no arguments starts the app; subcommands run the floor's chores."""

from __future__ import annotations

import json
import sys
from importlib import import_module
from pathlib import Path

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.cli.session import cache_session
from oms_tui.collector import settle as settle_collector

SKUS_SHOWN = 20  # unknown SKUs named in a warning; the rest are counted
FLOOR_ACTIONS = ("ship", "hold", "release", "move", "note", "tag", "cancel")  # oms_tui/cli/actions.py


class Commands(click.Group):
    """`oms-tui`'s commands; `LAZY` ones are imported when they run or help lists them, so starting
    the app loads none of their code (`store-sim`: the whole simulator, its web server and GraphQL;
    `sync`: the sync engine and the store client; the floor actions: their payload models)."""

    LAZY = {
        "store-sim": ("oms_tui.sim.cli", "store_sim"),
        "staff": ("oms_tui.cli.staff", "staff"),
        "serve": ("oms_tui.cli.serve", "serve"),
        "web-session": ("oms_tui.cli.serve", "web_session"),
        "print": ("oms_tui.cli.printing", "print_group"),
        "sync": ("oms_tui.cli.store", "sync"),
        "outbox": ("oms_tui.cli.store", "outbox"),
        "find": ("oms_tui.cli.find", "find"),
        "receive": ("oms_tui.cli.receive", "receive_group"),
        "stock": ("oms_tui.cli.stock", "stock"),
        "report": ("oms_tui.cli.report", "report"),
        **{action: ("oms_tui.cli.actions", action) for action in FLOOR_ACTIONS},
        "message": ("oms_tui.cli.messages", "message"),  # with the templates and the mail client
        "message-resend": ("oms_tui.cli.messages", "message_resend"),
        "message-mark-sent": ("oms_tui.cli.messages", "message_mark_sent"),
        "rules": ("oms_tui.cli.rules", "rules"),
        "promises": ("oms_tui.cli.promises", "promises"),
        "reconcile": ("oms_tui.cli.reconcile", "reconcile"),
        "labels": ("oms_tui.cli.labels", "labels"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, name = self.LAZY[cmd_name]
            command: click.Command = getattr(import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="oms-tui")
@click.option("--board", is_flag=True, help="Show the board alone: no sign-in, no actions (a wall screen).")
@click.pass_context
def main(ctx: click.Context, board: bool) -> None:
    """Keyboard-first order management for a Shopify fulfillment floor.

    With no command, starts the app (on the embedded store simulator when no shop is configured).
    """
    if ctx.invoked_subcommand is None:
        start_app(board=board)  # the app turns the collector back on at its first frame
    else:
        settle_collector()  # off while `oms-tui` started (oms_tui/entry.py)


@one_line_errors
def start_app(board: bool) -> None:
    from oms_tui.app import run_app

    try:
        run_app(load_settings(), board=board)
    except ValueError as exc:  # settings that do not fit together, such as a shop without a token
        raise click.ClickException(str(exc)) from None


@main.group()
def config() -> None:
    """Inspect settings."""


@config.command("show")
@one_line_errors
def config_show() -> None:
    """Print the effective settings as TOML (token masked)."""
    from oms_tui.config import config_file

    settings = load_settings()
    click.echo(f"# file: {config_file()}")
    for key, value in settings.masked().items():
        click.echo(toml_line(key, value))


def toml_line(key: str, value: object) -> str:
    """`key = value` in TOML; a setting without a value becomes a comment (TOML has no null)."""
    if value is None:
        return f"# {key} is not set"
    if isinstance(value, bool):
        return f"{key} = {str(value).lower()}"
    if isinstance(value, int | float):
        return f"{key} = {value!r}"
    # A JSON string is a TOML basic string, except that TOML also wants DEL escaped.
    text = json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
    return f"{key} = {text}"


@main.group()
def db() -> None:
    """Manage the local cache database."""


@db.command("upgrade")
@one_line_errors
def db_upgrade() -> None:
    """Create or migrate the cache's tables to the newest version."""
    from oms_tui.cache.database import open_cache
    from oms_tui.cache.migrate import current_revision

    settings = load_settings()
    cache = open_cache(settings.database_url, create=True)
    click.echo(f"cache at revision {current_revision(cache.engine)}: {settings.masked()['database_url']}")
    cache.close()


@main.group()
def bins() -> None:
    """Manage bin locations (shelf codes per SKU)."""


@bins.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--location", help="Location name or id for rows without a location column")
@one_line_errors
def bins_import(file: Path, location: str | None) -> None:
    """Import FILE.csv with columns sku,bin[,location]; all rows or none."""
    from oms_tui.floor.picking.bins import BinImportError, import_bins_csv

    settings = load_settings()
    with cache_session(settings) as session:
        try:
            result = import_bins_csv(session, file, station=settings.station, default_location=location)
        except BinImportError as exc:
            raise click.ClickException(f"nothing imported:\n{exc}") from None
        session.commit()
        click.echo(f"imported {result.rows} bin locations for {result.locations} location(s)")
        if result.unknown_skus:
            shown = ", ".join(result.unknown_skus[:SKUS_SHOWN])
            more = (
                f" and {len(result.unknown_skus) - SKUS_SHOWN} more"
                if len(result.unknown_skus) > SKUS_SHOWN
                else ""
            )
            click.echo(
                f"warning: {len(result.unknown_skus)} SKU(s) not in the store's stock or orders as of the "
                f"last sync (a typo?): {shown}{more}",
                err=True,
            )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
