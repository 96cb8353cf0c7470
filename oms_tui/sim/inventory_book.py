"""The simulator's inventory bookkeeping: the ledger of every quantity change, and idempotency keys.

Every change of a quantity (a count, an adjustment, a move, a sale, another app's correction) is one
ledger entry, which a test compares with what the floor did (`GET /__inventory_ledger`). Inventory
mutations in 2026-04 carry `@idempotent(key:)`: a key seen again with the same input is answered as
the first time and applies nothing; with another input it is refused. Keys are forgotten after
`key_ttl` (Shopify keeps them for a limited time; tests shorten it to see what happens after).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oms_tui.sim.model import InventoryLevel

KEY_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class LedgerEntry:
    at: datetime
    inventory_item_id: str
    sku: str
    location_id: str
    name: str
    delta: int
    quantity_after: int
    reason: str
    reference_document_uri: str | None
    ledger_document_uri: str | None = None
    idempotency_key: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.strftime("%Y-%m-%dT%H:%M:%SZ")}


@dataclass
class Remembered:
    expires: datetime
    fingerprint: str  # the mutation and its input: the same key with another input is refused
    answer: dict[str, Any]


@dataclass
class InventoryBook:
    now: Callable[[], datetime]
    key_ttl: timedelta = KEY_TTL
    ledger: list[LedgerEntry] = field(default_factory=list)
    keys: dict[str, Remembered] = field(default_factory=dict)

    def remembered(self, key: str) -> Remembered | None:
        now = self.now()
        for stale in [k for k, seen in self.keys.items() if seen.expires <= now]:
            del self.keys[stale]
        return self.keys.get(key)

    def remember(self, key: str, fingerprint: str, answer: dict[str, Any]) -> None:
        self.keys[key] = Remembered(self.now() + self.key_ttl, fingerprint, answer)

    def record(
        self,
        level: InventoryLevel,
        name: str,
        delta: int,
        reason: str,
        reference: str | None,
        *,
        ledger_uri: str | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Write down a change already made to the level's `name` quantity; returns the
        `InventoryChange` the mutation answers with."""
        level.item.updated_at = self.now()
        after = level.quantity(name)
        self.ledger.append(
            LedgerEntry(
                self.now(),
                level.item.id,
                level.item.sku,
                level.location.id,
                name,
                delta,
                after,
                reason,
                reference,
                ledger_uri,
                key,
            )
        )
        return {
            "name": name,
            "delta": delta,
            "quantityAfterChange": after,
            "ledgerDocumentUri": ledger_uri,
            "item": level.item,
            "location": level.location,
        }


def adjust(level: InventoryLevel, name: str, delta: int) -> None:
    """Change one quantity as Shopify does: `on_hand` is the sum of its states, so a change to
    `available` or to a held state (damaged, reserved...) changes `on_hand` with it; `incoming` is
    not on hand."""
    if name in ("available", "on_hand"):
        level.on_hand += delta
    elif name == "incoming":
        level.incoming += delta
    else:
        setattr(level, name, level.quantity(name) + delta)
        level.on_hand += delta


def move(level: InventoryLevel, source: str, target: str, quantity: int) -> None:
    """Units change state on the shelf: `on_hand` stays (`available` is what the others leave)."""
    if source != "available":
        setattr(level, source, level.quantity(source) - quantity)
    if target != "available":
        setattr(level, target, level.quantity(target) + quantity)
