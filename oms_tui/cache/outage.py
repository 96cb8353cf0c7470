"""Telling a cache that went away (a database server stopped, a network cut, a database dropped)
from a bug: the first passes when the cache is back, so the app waits for it rather than failing."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

SHOWN_CHARS = 80  # of the driver's reason, in the header


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or dropped the connection."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def outage_reason(error: BaseException) -> str:
    """The driver's first line ('connection refused', 'database "x" does not exist'), short."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = lines[0] if lines else type(error).__name__
    return reason if len(reason) <= SHOWN_CHARS else f"{reason[: SHOWN_CHARS - 1]}…"
