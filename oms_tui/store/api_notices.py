"""What the store says about the API itself: deprecations, and another version served than asked for.

Shopify announces them in every answer: the `X-Shopify-API-Deprecated-Reason` header (a list of
deprecated fields used since 2025-04, a changelog URL before), `X-Shopify-API-Version` (the version it
really served: an unsupported one falls forward to the oldest supported), and possibly notes in the
body's `extensions`. The client collects them; sync and outbox callers record them in the cache after
a pass, where the `sync` summary and the status line show them, each with the version to move to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import ApiNotice
from oms_tui.cache.types import utcnow
from oms_tui.config import DEFAULT_API_VERSION

DEPRECATED_HEADER = "X-Shopify-API-Deprecated-Reason"
VERSION_HEADER = "X-Shopify-API-Version"
SHOWN_FOR = timedelta(days=1)  # a notice not seen again for this long is taken as dealt with


@dataclass(frozen=True)
class Notice:
    kind: str  # deprecated, version
    message: str  # says what to move to; also what makes two notices the same


def notices_in(headers: Mapping[str, str], body: Any, requested: str) -> list[Notice]:
    """The notices in one answer to a request for API version `requested`."""
    found = []
    served = headers.get(VERSION_HEADER)
    if served and served != requested:
        found.append(
            Notice(
                "version",
                f"the store answered with API version {served} to a request for {requested}, which it no "
                f"longer serves: {_move_to(requested, served)}",
            )
        )
    reasons = [reason.strip() for reason in headers.get(DEPRECATED_HEADER, "").split(",")]
    extensions = body.get("extensions") if isinstance(body, Mapping) else None
    notes = extensions.get("deprecations") if isinstance(extensions, Mapping) else None
    for note in notes if isinstance(notes, list) else []:
        text = note.get("message") or note.get("reason") if isinstance(note, Mapping) else note
        reasons.append(str(text or "").strip())
    for reason in dict.fromkeys(r for r in reasons if r):
        found.append(
            Notice("deprecated", f"deprecated in API version {requested}: {reason}; {_move_to(requested)}")
        )
    return found


def _move_to(requested: str, served: str | None = None) -> str:
    """This oms-tui's own API version while the store still serves it, else a newer oms-tui."""
    oldest = served or requested
    if requested < DEFAULT_API_VERSION and oldest <= DEFAULT_API_VERSION:
        return f'move to API version {DEFAULT_API_VERSION} (set api_version = "{DEFAULT_API_VERSION}")'
    beyond = served or f"after {requested}"
    return f"move to API version {beyond}: upgrade oms-tui (this one is built for {DEFAULT_API_VERSION})"


def record_notices(cache: Cache, notices: Iterable[Notice], now: datetime | None = None) -> None:
    """Keep each notice once (by message), with when it was first and last seen."""
    rows = [{"kind": n.kind, "message": n.message} for n in notices]
    if not rows:
        return
    now = now or utcnow()
    table = ApiNotice.__table__  # type: ignore[attr-defined]
    with cache.sessions() as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        for row in rows:  # several stations may record the same notice at once: no duplicate key
            statement = insert.values(**row, first_seen=now, last_seen=now)
            session.execute(
                statement.on_conflict_do_update(index_elements=["message"], set_={"last_seen": now})
            )
        session.commit()


_ASKED_FOR = re.compile(r"(?:^deprecated in API version|to a request for) (\S+?)[:,]")


def asked_for(message: str) -> str | None:
    """The API version whose requests a notice is about (its message names it)."""
    found = _ASKED_FOR.search(message)
    return found.group(1) if found else None


def current_notices(
    cache: Cache, now: datetime | None = None, api_version: str | None = None
) -> list[ApiNotice]:
    """The notices seen lately, by any station: the ones a manager still has to act on. With
    `api_version`, only those about requests for that version: once the setting moved on, notices
    about the old version are dealt with here."""
    with cache.reads() as session:
        return read_notices(session, now, api_version)


def read_notices(
    session: Session, now: datetime | None = None, api_version: str | None = None
) -> list[ApiNotice]:
    """`current_notices`, read in a session of the caller's."""
    since = (now or utcnow()) - SHOWN_FOR
    found = session.exec(
        select(ApiNotice)
        .where(col(ApiNotice.last_seen) >= since)
        .order_by(col(ApiNotice.kind).desc(), col(ApiNotice.first_seen), col(ApiNotice.id))
    )
    return [n for n in found if api_version is None or asked_for(n.message) in (api_version, None)]


def status_text(cache: Cache, found: Iterable[Notice], api_version: str | None = None) -> str:
    """Record `found` and return what the status line adds for the current notices ('' if none)."""
    record_notices(cache, found)
    notices = current_notices(cache, api_version=api_version)
    if not notices:
        return ""
    more = f" (+{len(notices) - 1} more: oms-tui sync lists them)" if len(notices) > 1 else ""
    return f"; API notice: {notices[0].message}{more}"
