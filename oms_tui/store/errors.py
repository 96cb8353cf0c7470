"""What can go wrong talking to the store, as the callers (sync engine, outbox) need to tell it apart.

Messages never contain the access token: the client never puts it anywhere but the request header.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every store client error."""


class StoreUnavailable(StoreError):
    """The store did not answer usefully within the retry budget; try again later."""


class StoreAuthError(StoreError):
    """The token was rejected (401) or lacks a scope (403 / ACCESS_DENIED). Retrying will not help."""

    def __init__(self, message: str, *, required_scope: str | None = None):
        super().__init__(message)
        self.required_scope = required_scope


class StoreQueryError(StoreError):
    """The store rejected the request itself (invalid document, bad variables). Not retried."""


class QueryTooCostly(StoreQueryError):
    """The requested cost exceeds what one query may cost: ask for a smaller page. Not retried."""

    def __init__(self, message: str, *, requested: int | None, limit: int | None):
        super().__init__(message)
        self.requested = requested
        self.limit = limit


class AmbiguousResult(StoreError):
    """A mutation was sent but its outcome is unknown: re-read the object before sending it again."""
