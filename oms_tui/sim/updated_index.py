"""The `updatedAt` order of a lazily generated stream, without materializing it.

Keys are `(updated_at epoch seconds, legacy id)`. Objects of untouched seeded groups (one group per
seeded order) keep their generated keys, which grow with the group number, so they are found by
bisecting the group numbers. Groups that changed move to an explicit sorted list. A page request
therefore costs O(log n + page size), whatever the store's size.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterator

Key = tuple[int, ...]


class UpdatedIndex:
    def __init__(
        self, seeded_groups: int, group_ts: Callable[[int], int], group_keys: Callable[[int], list[Key]]
    ) -> None:
        self._seeded_groups = seeded_groups
        self._group_ts = group_ts
        self._group_keys = group_keys
        self._sorted: list[Key] = []
        self._explicit: dict[int, list[Key]] = {}

    def replace_group(self, group: int, keys: list[Key]) -> None:
        """Record the current keys of `group`, which from now on lives in the explicit list."""
        for old in self._explicit.pop(group, []):
            del self._sorted[bisect.bisect_left(self._sorted, old)]
        for key in keys:
            bisect.insort(self._sorted, key)
        self._explicit[group] = list(keys)

    def scan(self, start: Key | None, reverse: bool = False) -> Iterator[Key]:
        """Keys strictly after `start` in scan direction (all keys when `start` is None)."""
        merged = heapq.merge(
            self._seeded(start, reverse), self._explicit_keys(start, reverse), reverse=reverse
        )
        return iter(merged)

    def _explicit_keys(self, start: Key | None, reverse: bool) -> Iterator[Key]:
        keys = self._sorted
        if not reverse:
            position = 0 if start is None else bisect.bisect_right(keys, start)
            yield from keys[position:]
        else:
            position = len(keys) if start is None else bisect.bisect_left(keys, start)
            yield from reversed(keys[:position])

    def _seeded(self, start: Key | None, reverse: bool) -> Iterator[Key]:
        groups = range(self._seeded_groups)
        if not reverse:
            first = 0 if start is None else bisect.bisect_left(groups, start[0], key=self._group_ts)
            steps = range(first, self._seeded_groups)
        else:
            last = (
                self._seeded_groups
                if start is None
                else bisect.bisect_right(groups, start[0], key=self._group_ts)
            )
            steps = range(last - 1, -1, -1)
        for group in steps:
            if group in self._explicit:
                continue
            keys = sorted(self._group_keys(group), reverse=reverse)
            for key in keys:
                if start is None or (key < start if reverse else key > start):
                    yield key
