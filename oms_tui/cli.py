"""The `oms-tui` command: no arguments starts the app; subcommands run the floor's chores."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from oms_tui.config import Settings
from oms_tui.sim.cli import store_sim


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(f"invalid settings: {problems}") from None


def one_line_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn database failures into one clear line instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"database error: {reason}") from None

    return wrapper


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="oms-tui")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Keyboard-first order management for a Shopify fulfillment floor.

    With no command, starts the app (on the embedded store simulator when no shop is configured).
    """
    if ctx.invoked_subcommand is None:
        from oms_tui.app import run_app

        run_app(load_settings())


@main.group()
def config() -> None:
    """Inspect settings."""


@config.command("show")
def config_show() -> None:
    """Print the effective settings (token masked)."""
    from oms_tui.config import config_file

    settings = load_settings()
    click.echo(f"# file: {config_file()}")
    for key, value in settings.masked().items():
        click.echo(f"{key} = {value!r}")


main.add_command(store_sim)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
