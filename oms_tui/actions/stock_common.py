"""What the three stock kinds (set, adjust, move) share: Shopify's reasons and quantity names, the
payload's item, location and idempotency key, and the evidence check after a lost answer
(`StockAction`).

Every stock change carries its own idempotency key (kept in the payload) and compare-and-set values
(`changeFromQuantity`: the quantities it was computed against). After a lost answer:
- while the key is surely still valid at the store, the request is sent again with the same key: the
  store applies a key once and answers a repeat as the first time;
- after that, the key may be forgotten, so the item's quantities at the location are read first: the
  change is there (the quantities are what it makes), absent (they are still what it was computed
  against: sent again, and the compare-and-set refuses it should stock move meanwhile), or stock
  moved otherwise (nothing is sent: a person looks, e.g. the count is re-based).
So stock never changes twice, even when the key expired.
"""

from __future__ import annotations

import enum
import uuid
from abc import abstractmethod
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import StringConstraints

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client

# Shopify keeps a key for a day or so; we trust it for much less, so a clock off by minutes or a key
# dropped early never lets a resend through unchecked.
KEY_TRUSTED = timedelta(hours=1)
Uri = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9+.-]*://\S+$")]
Key = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^\S+$")]
Expected = tuple[Mapping[str, int], Mapping[str, int | None]]  # (what the change leaves, its base)


class Reason(enum.StrEnum):
    """Shopify's reasons for a quantity change."""

    CORRECTION = "correction"
    CYCLE_COUNT_AVAILABLE = "cycle_count_available"
    DAMAGED = "damaged"
    MOVEMENT_CREATED = "movement_created"
    MOVEMENT_UPDATED = "movement_updated"
    MOVEMENT_RECEIVED = "movement_received"
    MOVEMENT_CANCELED = "movement_canceled"
    OTHER = "other"
    PROMOTION = "promotion"
    QUALITY_CONTROL = "quality_control"
    RECEIVED = "received"
    RESERVATION_CREATED = "reservation_created"
    RESERVATION_DELETED = "reservation_deleted"
    RESERVATION_UPDATED = "reservation_updated"
    RESTOCK = "restock"
    SAFETY_STOCK = "safety_stock"
    SHRINKAGE = "shrinkage"


class SetName(enum.StrEnum):
    AVAILABLE = "available"
    ON_HAND = "on_hand"


class AdjustName(enum.StrEnum):
    AVAILABLE = "available"
    DAMAGED = "damaged"
    INCOMING = "incoming"
    QUALITY_CONTROL = "quality_control"
    RESERVED = "reserved"
    SAFETY_STOCK = "safety_stock"


class MoveName(enum.StrEnum):
    AVAILABLE = "available"
    DAMAGED = "damaged"
    QUALITY_CONTROL = "quality_control"
    RESERVED = "reserved"
    SAFETY_STOCK = "safety_stock"


def new_key() -> str:
    return uuid.uuid4().hex


def ledger_uri(reference: str, name: str) -> str | None:
    """A ledger document for a change of a quantity other than `available` (the store requires one)."""
    return None if name == "available" else f"{reference}#{name}"


def key_trusted(action: OutboxAction, now: datetime) -> bool:
    return now - (action.first_sent_at or action.created_at) < KEY_TRUSTED


def resend_with_key() -> Verdict:
    return Verdict(
        Outcome.ABSENT, "sent again with its idempotency key: the store applies a key at most once"
    )


async def quantities_at(client: Client, item_id: str, location_id: str) -> dict[str, int] | None:
    """The item's quantities by name at the location now; None when the store has no such level."""
    data = await client.execute("inventory_level", {"id": item_id, "locationId": location_id})
    level = (data.get("inventoryItem") or {}).get("inventoryLevel")
    if level is None:
        return None
    return {entry["name"]: int(entry["quantity"]) for entry in level["quantities"]}


def judge(
    now_at_store: Mapping[str, int], made: Mapping[str, int], base: Mapping[str, int | None]
) -> Verdict:
    """`made`: the quantities the change leaves; `base`: those it was computed against (None: unknown)."""
    shown = ", ".join(f"{name} {now_at_store.get(name, 0)}" for name in made)
    if all(now_at_store.get(name, 0) == value for name, value in made.items()):
        found = f"found at the store ({shown})"
        return Verdict(Outcome.APPLIED, found, {"verified": found})
    if all(value is not None and now_at_store.get(name, 0) == value for name, value in base.items()):
        return Verdict(Outcome.ABSENT)
    return Verdict(
        Outcome.IMPOSSIBLE,
        f"not sent again: stock moved at the store meanwhile ({shown}); count or check it again",
    )


class StockPayload(Payload):
    """What every stock change names: the item and location, the document it belongs to, its key."""

    inventory_item_id: str
    location_id: str
    sku: str
    reference_document_uri: Uri  # the count, pick or return it comes from: gid://oms-tui/Count/12
    idempotency_key: Key


P = TypeVar("P", bound=StockPayload)


class StockAction(ActionType[P]):
    """A stock kind: queued under its inventory item, sent with its idempotency key, and checked after
    a lost answer as the module says. Each kind says what its change leaves (`expected`)."""

    permission = Permission.STOCK
    scopes: ClassVar[tuple[str, ...]] = ("write_inventory", "read_inventory")
    of_order = False

    def about(self, payload: P, locations: Mapping[str, str]) -> str:
        return f"stock {payload.sku} @ {locations.get(payload.location_id, payload.location_id)}"

    @abstractmethod
    def expected(self, payload: P) -> Expected | str:
        """The quantities the change leaves and those it was computed against, by name; or why that
        cannot be known (a change that was not compare-and-set)."""

    @staticmethod
    def sent(document: str, field: str, given: dict[str, Any], payload: StockPayload) -> Request:
        """The mutation with its input and the payload's idempotency key."""
        return Request(document, {"input": given, "idempotencyKey": payload.idempotency_key}, field)

    async def check(
        self, client: Client, action: OutboxAction, payload: P, known: Known, now: datetime
    ) -> Verdict:
        if key_trusted(action, now):
            return resend_with_key()
        expected = self.expected(payload)
        if isinstance(expected, str):
            return Verdict(Outcome.IMPOSSIBLE, expected)
        found = await quantities_at(client, payload.inventory_item_id, payload.location_id)
        if found is None:
            return Verdict(Outcome.IMPOSSIBLE, "the item is no longer stocked at the location")
        return judge(found, *expected)


def changes_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list((result.get("inventoryAdjustmentGroup") or {}).get("changes") or [])
