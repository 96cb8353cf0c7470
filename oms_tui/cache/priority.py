"""Which work comes first: lower numbers are more urgent; ties go to the oldest order.

A floor rule kept beside the cache because `orders.priority` (an indexed column the queue sorts by) is
derived from the order's tags by every path that writes an order: sync and the floor's own actions.
"""

from __future__ import annotations

from collections.abc import Iterable

RUSH_TAGS = frozenset({"rush", "express", "priority", "next-day"})
SLOW_TAGS = frozenset({"wholesale", "backorder"})

RUSH, NORMAL, SLOW = 0, 5, 8


def order_priority(tags: Iterable[str]) -> int:
    folded = {tag.strip().casefold() for tag in tags}
    if folded & RUSH_TAGS:
        return RUSH
    if folded & SLOW_TAGS:
        return SLOW
    return NORMAL
