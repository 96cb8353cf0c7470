"""A difference between the cache and the store, as a report lists it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MISSING = "missing"  # at the store, not in the cache
DELETED = "deleted"  # in the cache, gone from the store
CHANGED = "changed"  # both hold it, with other values
OUTBOX = "outbox"  # the outbox delivered it, the store does not show it


@dataclass
class Difference:
    kind: str
    subject: str  # a gid, or "day 2026-03-04 orders"
    detail: str
    order_id: str | None = None
    repaired: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        state = "repaired" if self.repaired else "left"
        return f"{self.kind:<11} {self.subject}  {self.detail}  [{state}]"
