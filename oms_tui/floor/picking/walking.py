"""Walking order: the order a picker meets the bins in, read from the bin codes alone.

A bin code is segments split by `-`, `.`, `/` or `_`: the first is the aisle (or zone), the second
the bay along it, the rest the shelf. Segments compare naturally, numbers as numbers (`A-3-2` before
`A-12-1`), letters without case. Lines without a bin come last.

Two settings change the walk (`pick_zones` and `pick_walk` in the settings file):
- zones: aisles named there are walked first, in the order given (`["C", "A"]`); others follow in
  natural order.
- serpentine: the picker goes up one aisle and down the next, so in every second aisle visited the
  bays are walked from the high end down. `natural` walks every aisle from its low end.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

_SEPARATORS = re.compile(r"[-./_\s]+")
_TOKENS = re.compile(r"\d+|\D+")

NaturalKey = tuple[tuple[int, int, str], ...]


class Walk(enum.StrEnum):
    NATURAL = "natural"  # every aisle from its low end
    SERPENTINE = "serpentine"  # up one aisle, down the next


@dataclass(frozen=True)
class WalkRule:
    walk: Walk = Walk.NATURAL
    zones: tuple[str, ...] = ()  # aisles walked first, in this order

    @classmethod
    def of(cls, walk: str, zones: Sequence[str] = ()) -> WalkRule:
        return cls(Walk(walk), tuple(zone.strip().upper() for zone in zones if zone.strip()))


def natural_key(text: str) -> NaturalKey:
    """`A-12-1` as ((text "A"), (number 12), (number 1)): numbers compare as numbers."""
    return tuple(
        (0, int(token), "") if token.isdigit() else (1, 0, token.casefold())
        for token in _TOKENS.findall(text.strip())
    )


def segments(code: str) -> list[str]:
    return [part for part in _SEPARATORS.split(code.strip().upper()) if part]


def walk_sorted(items: Iterable[T], bin_of: Callable[[T], str | None], rule: WalkRule) -> list[T]:
    """`items` in walking order by their bin (stable for equal bins; no bin last)."""
    listed = list(items)
    with_bin = [item for item in listed if bin_of(item)]
    without = [item for item in listed if not bin_of(item)]
    zone_rank = {zone: rank for rank, zone in enumerate(rule.zones)}

    def aisle_key(code: str) -> tuple[int, NaturalKey]:
        aisle = (segments(code) or [""])[0]
        return (zone_rank.get(aisle, len(zone_rank)), natural_key(aisle))

    by_aisle: dict[tuple[int, NaturalKey], list[T]] = {}
    for item in with_bin:
        by_aisle.setdefault(aisle_key(bin_of(item) or ""), []).append(item)

    def bay(item: T) -> NaturalKey:
        return natural_key((segments(bin_of(item) or "")[1:] or [""])[0])

    def shelf(item: T) -> tuple[NaturalKey, ...]:
        return tuple(natural_key(part) for part in segments(bin_of(item) or "")[2:])

    walked: list[T] = []
    for index, aisle in enumerate(sorted(by_aisle)):
        stops = sorted(by_aisle[aisle], key=shelf)  # shelves always from the bottom up
        downward = rule.walk is Walk.SERPENTINE and index % 2 == 1
        walked += sorted(stops, key=bay, reverse=downward)  # stable: shelves keep their order
    return walked + without
