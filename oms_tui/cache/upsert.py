"""Idempotent upserts of store objects: insert new ids, update only when the store's copy is newer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

# SQLite accepts at most 32,766 bound parameters per statement; stay well below on both engines.
MAX_PARAMS = 30_000


@dataclass
class UpsertResult:
    created: list[Any]
    updated: list[Any]
    unchanged: list[Any]

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def _key(model: type[SQLModel]) -> list[str]:
    return [column.name for column in model.__table__.primary_key.columns]  # type: ignore[attr-defined]


def _insert(session: Session, model: type[SQLModel]) -> Any:
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def upsert_newer(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    version: str = "updated_at",
    ignore: frozenset[str] = frozenset({"synced_at"}),
) -> UpsertResult:
    """Write `rows` (dicts of column values), keeping whichever copy has the newer `version` column.

    The store's versions have one-second resolution, so a copy with the same version but other values
    is a later edit within that second, fetched later: it wins too. Returns which primary keys were
    created, updated, or left alone; running it twice with the same rows changes nothing.
    """
    if not rows:
        return UpsertResult([], [], [])
    (key,) = _key(model)
    table = model.__table__  # type: ignore[attr-defined]
    latest: dict[Any, dict[str, Any]] = {}
    for row in rows:  # within one batch, the newest copy of an id wins
        seen = latest.get(row[key])
        if seen is None or row[version] >= seen[version]:
            latest[row[key]] = row
    compared = [name for name in next(iter(latest.values()), {}) if name not in ignore]
    known = {
        stored[key]: stored
        for stored in session.connection()
        .execute(select(*(table.c[name] for name in compared)).where(table.c[key].in_(list(latest))))
        .mappings()
    }
    result = UpsertResult([], [], [])
    to_write = []
    for ident, row in latest.items():
        stored = known.get(ident)
        if stored is None:
            result.created.append(ident)
        elif row[version] > stored[version] or (
            row[version] == stored[version] and any(row[name] != stored[name] for name in compared)
        ):
            result.updated.append(ident)
        else:
            result.unchanged.append(ident)
            continue
        to_write.append(row)
    if to_write:
        statement = _insert(session, model)
        statement = statement.on_conflict_do_update(
            index_elements=[key],
            set_={name: statement.excluded[name] for name in to_write[0] if name != key},
            where=statement.excluded[version] >= table.c[version],  # a concurrent writer's newer copy wins
        )
        _execute_chunked(session, statement, to_write)
    return result


def replace_children(
    session: Session,
    model: type[SQLModel],
    parent_column: str,
    parent_ids: Iterable[Any],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Upsert the child `rows`, and delete the children of `parent_ids` that are not among them.

    Pass as `parent_ids` only parents that may have children already: new parents have none to check.
    """
    (key,) = _key(model)
    column = model.__table__.c  # type: ignore[attr-defined]
    keep = {row[key] for row in rows}
    parent_ids = list(parent_ids)
    existing: Iterable[Any] = (
        session.connection()
        .execute(select(column[key]).where(column[parent_column].in_(parent_ids)))
        .scalars()
        if parent_ids
        else []
    )
    gone = [ident for ident in existing if ident not in keep]
    for chunk in _chunks(gone, MAX_PARAMS):
        session.connection().execute(model.__table__.delete().where(column[key].in_(chunk)))  # type: ignore[attr-defined]
    upsert_all(session, model, rows)


def upsert_all(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert or overwrite rows by primary key (for rows without a version of their own)."""
    if not rows:
        return
    keys = _key(model)
    statement = _insert(session, model)
    values = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    if values:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=values)
    else:  # every column is part of the key: an existing row is already identical
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    _execute_chunked(session, statement, rows)


def _execute_chunked(session: Session, statement: Any, rows: Sequence[dict[str, Any]]) -> None:
    per_chunk = max(1, MAX_PARAMS // max(1, len(rows[0])))
    for chunk in _chunks(list(rows), per_chunk):
        session.connection().execute(statement, chunk)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = ["UpsertResult", "replace_children", "upsert_all", "upsert_newer"]
