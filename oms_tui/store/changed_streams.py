"""The streams read by what changed (`updatedAt`), and what one sync pass counts of each stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from oms_tui.cache.upsert import UpsertResult
from oms_tui.store.payloads import FulfillmentOrderLineNode, FulfillmentOrderNode, LineItemNode, OrderNode
from oms_tui.store.sync_writes import write_fulfillment_orders, write_orders


@dataclass(frozen=True)
class ChangedStream:
    """A stream of objects with `updatedAt` and paged line items: orders, fulfillment orders."""

    name: str
    page_document: str
    connection: str
    shape: type[Any]
    line_shape: type[BaseModel]
    write: Callable[..., UpsertResult]


ORDERS = ChangedStream("orders", "orders_page", "orders", OrderNode, LineItemNode, write_orders)
FULFILLMENT_ORDERS = ChangedStream(
    "fulfillment_orders",
    "fulfillment_orders_page",
    "fulfillmentOrders",
    FulfillmentOrderNode,
    FulfillmentOrderLineNode,
    write_fulfillment_orders,
)


@dataclass
class StreamCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class SyncSummary:
    streams: dict[str, StreamCounts] = field(default_factory=dict)
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.streams.values())

    @property
    def errors(self) -> list[str]:
        return [f"{stream}: {error}" for stream, counts in self.streams.items() for error in counts.errors]


def search_time(moment: datetime) -> str:
    """A moment as the store's search syntax takes it (`updated_at:>='...'`)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
