"""The store's counts, many to a request: one GraphQL document of aliased `ordersCount` fields.

A count costs one point; a document of `PER_REQUEST` of them stays far below the per-query cap and
any plan's bucket, and saves a round trip per count. `limit: null` asks for an exact count (the
default stops at 10,000 and says AT_LEAST); a count the store still calls inexact is None, which
the caller treats as a difference to narrow.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from oms_tui.store.client import Client

PER_REQUEST = 100
K = TypeVar("K", bound=Hashable)


async def store_counts(
    client: Client,
    searches: Sequence[tuple[K, str]],
    on_request: Callable[[int], None] | None = None,
) -> dict[K, int | None]:
    """key -> how many orders the store holds matching its search (None: not exact)."""
    counted: dict[K, int | None] = {}
    for start in range(0, len(searches), PER_REQUEST):
        batch = searches[start : start + PER_REQUEST]
        fields = "\n".join(
            f"  c{index}: ordersCount(query: {json.dumps(search)}, limit: null) {{ count precision }}"
            for index, (_, search) in enumerate(batch)
        )
        data = await client.execute(f"query ReconcileCounts {{\n{fields}\n}}")
        for index, (key, _) in enumerate(batch):
            answer = data.get(f"c{index}") or {}
            exact = answer.get("precision") == "EXACT" and isinstance(answer.get("count"), int)
            counted[key] = answer["count"] if exact else None
        if on_request is not None:
            on_request(len(batch))
    return counted
