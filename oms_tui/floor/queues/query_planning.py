"""How the queues' queries are written so each engine plans them well (the rules stay in `stages`).

Big stages are read in the order of the orders' queue index, small ones from the few rows that
make them (claims, pick lists, exceptions, today's shipments). SQLite plans without statistics: a
fulfillment order's own status or location would tempt it into reading the whole stage and sorting
it, so there those columns are offered to an index only where that is right: to count a big stage
(`indexed`). PostgreSQL plans from statistics (autovacuum keeps them) and gets the plain columns.

The few rows a small set is made of are gathered into one list of ids (a UNION), so both engines
look the fulfillment orders up by id; `a IN (...) OR b IN (...)` makes PostgreSQL scan them all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, col

from oms_tui.cache.models import FulfillmentOrder


def fo_column(name: str, indexed: bool) -> Any:
    column = col(getattr(FulfillmentOrder, name))
    return column if indexed else func.coalesce(column, "")  # the same value, out of an index's reach


def plans_from_statistics(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def not_in(column: Any, ids: Any, anti_join: bool) -> Any:
    """`column NOT IN (ids)`; as NOT EXISTS for PostgreSQL, which plans NOT IN as a filter over every
    row (NULLs forbid it an anti-join) but a NOT EXISTS as an anti-join that keeps the index order."""
    if not anti_join:
        return col(column).not_in(ids)
    found = ids.subquery()
    return ~exists().where(next(iter(found.c)) == column)
