"""Bin locations: the warehouse's own shelf codes per SKU, imported from CSV.

The CSV has a header row with `sku` and `bin` columns and, when the shop has more than one location,
a `location` column (the location's name or id). An import is all or nothing: one bad line and nothing
is written, with every problem listed by line number. SKUs the cache has never seen (in stock levels
or on orders) are imported but reported: often a typo, sometimes a product not yet sold.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from oms_tui.cache.models import BinLocation, InventoryLevel, LineItem, Location
from oms_tui.cache.upsert import upsert_all
from oms_tui.floor.actions.audit import record

BIN_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,31}$")
SKUS_PER_QUERY = 500  # bound parameters per lookup, well within every engine's limit


class BinImportError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class BinImportResult:
    rows: int
    locations: int
    unknown_skus: list[str]  # imported, but neither stocked nor ordered as far as the cache knows


def import_bins_csv(
    session: Session, path: Path, *, station: str, default_location: str | None = None
) -> BinImportResult:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = [name.strip().lower() for name in (rows[0].keys() if rows else [])]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BinImportError([f"{path}: {exc}"]) from None
    if not rows:
        raise BinImportError([f"{path}: no rows (expected a header with sku,bin[,location])"])
    missing = {"sku", "bin"} - set(header)
    if missing:
        raise BinImportError(
            [f"{path}: header lacks {', '.join(sorted(missing))} (found {', '.join(header)})"]
        )
    locations = _location_lookup(session)
    if default_location and locations.names and _resolve_location(default_location, locations) is None:
        raise BinImportError([f"--location: {_location_problem(default_location, locations)}"])
    bins = _parse(rows, locations, default_location)
    upsert_all(session, BinLocation, [bin.model_dump() for bin in bins])
    record(session, station=station, action="bins.import", subject=str(path), rows=len(bins))
    return BinImportResult(
        rows=len(bins),
        locations=len({bin.location_id for bin in bins}),
        unknown_skus=_unknown_skus(session, {bin.sku for bin in bins}),
    )


def _unknown_skus(session: Session, skus: set[str]) -> list[str]:
    wanted = sorted(skus)
    known: set[str] = set()
    for start in range(0, len(wanted), SKUS_PER_QUERY):
        chunk = wanted[start : start + SKUS_PER_QUERY]
        known.update(session.exec(select(InventoryLevel.sku).where(col(InventoryLevel.sku).in_(chunk))))
        known.update(
            sku or "" for sku in session.exec(select(LineItem.sku).where(col(LineItem.sku).in_(chunk)))
        )
    return [sku for sku in wanted if sku not in known]


@dataclass(frozen=True)
class _Locations:
    ids: dict[str, str]  # location id by id and by case-folded name
    names: list[str]


def _location_lookup(session: Session) -> _Locations:
    ids: dict[str, str] = {}
    names = []
    for location in session.exec(select(Location).order_by(col(Location.name))):
        ids[location.id] = location.id
        ids[location.name.casefold()] = location.id
        names.append(location.name)
    return _Locations(ids, names)


def _parse(rows: Iterable[dict[str, str]], locations: _Locations, default: str | None) -> list[BinLocation]:
    problems: list[str] = []
    bins: dict[tuple[str, str, str], BinLocation] = {}
    for line, raw in enumerate(rows, start=2):  # line 1 is the header
        row = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        sku, code = row.get("sku", ""), row.get("bin", "").upper()
        where = row.get("location") or default
        location_id = _resolve_location(where, locations)
        if not sku:
            problems.append(f"line {line}: empty sku")
        if not BIN_PATTERN.match(code):
            problems.append(f"line {line}: bin {code!r} is not a shelf code like A-03-2")
        if location_id is None:
            problems.append(f"line {line}: {_location_problem(where, locations)}")
        if sku and location_id and BIN_PATTERN.match(code):
            bins[(location_id, sku, code)] = BinLocation(location_id=location_id, sku=sku, code=code)
    if problems:
        raise BinImportError(problems)
    return list(bins.values())


def _resolve_location(where: str | None, locations: _Locations) -> str | None:
    if where:
        return locations.ids.get(where) or locations.ids.get(where.casefold())
    ids = set(locations.ids.values())
    return ids.pop() if len(ids) == 1 else None


def _location_problem(where: str | None, locations: _Locations) -> str:
    if not locations.names:
        return "no locations in the cache yet: run `oms-tui sync` first"
    if where:
        return f"unknown location {where!r} (locations: {', '.join(locations.names)})"
    return "the shop has several locations: add a location column or pass --location"
