"""Reading the store's answers: HTTP status, body and GraphQL errors mapped to outcomes.

Raises the public errors for outcomes retrying cannot fix, and `Transient` for those it may.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from .errors import QueryTooCostly, StoreAuthError, StoreQueryError, StoreUnavailable
from .scopes import document_scope

_SNIPPET = 200


class Transient(Exception):
    """A fault worth retrying. `not_sent`: the store certainly did not act on the request."""

    def __init__(self, reason: str, *, not_sent: bool, delay: float | None = None):
        super().__init__(reason)
        self.not_sent = not_sent
        self.delay = delay  # what the store asked us to wait, if it said


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:_SNIPPET] + ("..." if len(text) > _SNIPPET else "")


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None  # absent, or an HTTP date: fall back to our own backoff


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _scope_error(name: str, detail: str | None) -> StoreAuthError:
    scope = document_scope(name)
    needs = f"; the app needs the `{scope}` access scope" if scope else ""
    said = f" (store said: {detail})" if detail else ""
    return StoreAuthError(f"access denied for {name}{needs}{said}", required_scope=scope)


def decode(response: httpx.Response, name: str) -> dict[str, Any]:
    """The JSON body of a successful HTTP exchange, or the error its status calls for."""
    status = response.status_code
    if status == 401:
        raise StoreAuthError(
            f"the store rejected the access token (HTTP 401) for {name}: "
            "check the configured token and that the app is still installed"
        )
    if status == 403:
        body = _json(response)
        errors = body.get("errors") if isinstance(body, dict) else None
        detail = _error_messages(errors) if isinstance(errors, list) else _snippet(response)
        raise _scope_error(name, detail)
    if status in (429, 503):
        raise Transient(f"HTTP {status} for {name}", not_sent=True, delay=_retry_after(response))
    if status >= 500:
        raise Transient(
            f"HTTP {status} for {name}: {_snippet(response)}", not_sent=False, delay=_retry_after(response)
        )
    if status in (402, 423):
        raise StoreUnavailable(f"the store is frozen or locked (HTTP {status}): {_snippet(response)}")
    if status >= 400:
        raise StoreQueryError(f"HTTP {status} for {name}: {_snippet(response)}")
    body = _json(response)
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        raise Transient(f"malformed response body for {name}: {_snippet(response)}", not_sent=False)
    return body


def throttle_status(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus")
    return status if isinstance(status, Mapping) else None


def _error_messages(errors: list[Any]) -> str:
    return "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors)


def _code(error: Any) -> str | None:
    extensions = error.get("extensions") if isinstance(error, Mapping) else None
    return extensions.get("code") if isinstance(extensions, Mapping) else None


def data_or_raise(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The `data` of a decoded body, or the error its GraphQL `errors` call for."""
    errors = body.get("errors")
    if errors:
        if not isinstance(errors, list):
            errors = [errors]
        codes = {_code(e) for e in errors}
        cost = (body.get("extensions") or {}).get("cost") or {}
        if "THROTTLED" in codes:
            raise Transient(f"throttled on {name}", not_sent=True, delay=_throttle_wait(cost))
        if "MAX_COST_EXCEEDED" in codes:
            raise QueryTooCostly(
                f"{name} costs more than one query may: {_error_messages(errors)}",
                requested=cost.get("requestedQueryCost"),
                limit=(cost.get("throttleStatus") or {}).get("maximumAvailable"),
            )
        if "ACCESS_DENIED" in codes:
            denied = next(e for e in errors if _code(e) == "ACCESS_DENIED")
            raise _scope_error(name, denied["extensions"].get("requiredAccess") or denied.get("message"))
        if "INTERNAL_SERVER_ERROR" in codes:
            raise Transient(f"store internal error on {name}: {_error_messages(errors)}", not_sent=False)
        raise StoreQueryError(f"{name} was rejected: {_error_messages(errors)}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise Transient(f"response for {name} has no data", not_sent=False)
    return data


def _throttle_wait(cost: Mapping[str, Any]) -> float | None:
    """(requested - currentlyAvailable) / restoreRate, the time until the request fits the bucket."""
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.0, missing / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
