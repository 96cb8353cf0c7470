"""Settings and database failures as one clear line for every command, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from oms_tui.config import Settings, SettingsFileError, config_file, hide_password
from oms_tui.one_line import OneLineError


def load_settings() -> Settings:
    try:
        return Settings()
    except SettingsFileError as exc:
        raise click.ClickException(str(exc)) from None
    except ValidationError as exc:
        unknown = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden"]
        if unknown:  # only the file can name a setting that does not exist
            known = ", ".join(Settings.model_fields)
            raise click.ClickException(
                f"{config_file()}: unknown setting {', '.join(map(repr, unknown))} (known: {known})"
            ) from None
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {_reason(e)}" for e in exc.errors())
        raise click.ClickException(f"invalid settings: {problems}") from None


def _reason(error: Any) -> str:
    """Pydantic's message, without its "Value error, " prefix on our own validators' messages."""
    return str(error["ctx"]["error"]) if error["type"] == "value_error" else str(error["msg"])


def one_line_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn cache and database failures into one clear line instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OneLineError as exc:  # a missing cache, a demo shop that could not be saved
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"database error: {hide_password(reason)}") from None

    return wrapper
