"""`SimStore`: the simulated shop's state, lazily generated, inspectable from Python.

Public attributes (documented for tests that compare a local cache with the store object by object):
- `orders`: Mapping gid -> `Order` (line items, fulfillments, fulfillment orders inside), in id order;
  iterating a big store materializes every order.
- `fulfillment_orders`: Mapping gid -> `FulfillmentOrder`.
- `locations`: dict gid -> `Location`; `inventory`: dict inventory item gid -> `InventoryItem`;
  `variants`: list of `Variant` (the SKU catalogue).
- `transfers`: dict gid -> `InventoryTransfer` (with their shipments: the dock's inbound work);
  `received_keys`: the idempotency keys `inventoryShipmentReceive` applied, with what they asked.
- `now()`: the store clock (UTC, whole seconds); `lock`: held by the server around each request.
- `jobs`: background jobs of asynchronous mutations (see `jobs.py`); they finish `job_delay` seconds
  later on the store clock, or as soon as they are polled.

Orders are derived from (seed, index) on first access and cached; an order that changes (a mutation,
live activity) moves to an overlay and is re-indexed by `updatedAt`. With `search_lag` seconds, the
`updatedAt` index sees a change only after that delay, like Shopify's search, while lookups by id
are always fresh.

The seeded history ends at `anchor` (default: now). `saved()` and `SimStore.restored()` carry a shop
with its changes across restarts (the app's demo keeps it in a file: `saved_shop`).
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from oms_tui.sim.catalogue import build_inventory, build_locations, build_people, build_variants
from oms_tui.sim.inventory_book import InventoryBook
from oms_tui.sim.jobs import DEFAULT_DELAY, Jobs
from oms_tui.sim.model import Fulfillment, FulfillmentOrder, InventoryItem, Location, Order, legacy_id_of
from oms_tui.sim.orders_factory import (
    FOS_PER_ORDER,
    FULFILLMENT_BASE,
    FULFILLMENT_ORDER_BASE,
    HISTORY,
    ORDER_BASE,
    OrderFactory,
    to_ts,
)
from oms_tui.sim.returns_factory import seed_returns
from oms_tui.sim.transfer_model import InventoryTransfer, build_transfers
from oms_tui.sim.updated_index import Key, UpdatedIndex

KEPT_GENERATED = 50_000  # seeded orders kept once generated; older ones are generated again when asked for
DYNAMIC_ID_BASE = 9_000_000_000_000  # ids of objects created after seeding sort after every seeded id


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SavedShop:
    """Everything a restart needs to serve the same shop: how it was seeded, and every change since."""

    seed: int
    seeded: int  # orders generated from the seed
    anchor: datetime  # when the seeded history ends
    count: int  # orders, live ones included
    overlay: dict[int, Order]  # every order that changed, by index
    inventory: dict[str, InventoryItem]
    fo_owner: dict[int, int]
    fulfillment_owner: dict[int, int]
    next_dynamic_id: int
    live_rng: Any  # random.Random state: live activity goes on where it stopped
    floor_ages: bool  # open work hours to days old, as a floor has it (the demo's)
    history: timedelta = HISTORY  # how far back the seeded orders go
    # Plain defaults (class attributes): a shop saved before transfers restores its seeded ones.
    transfers: dict[str, InventoryTransfer] | None = None
    received_keys: dict[str, Any] | None = None


class SimStore:
    def __init__(
        self,
        orders: int = 50,
        seed: int = 7,
        clock: Callable[[], datetime] = utc_now,
        search_lag: float = 0.0,
        job_delay: float = DEFAULT_DELAY.total_seconds(),
        anchor: datetime | None = None,
        floor_ages: bool = False,
        history: timedelta = HISTORY,
        kept_generated: int = KEPT_GENERATED,
    ) -> None:
        """`floor_ages`: the open work of a real floor, hours to days old (the demo's); otherwise open
        work is spread over the whole seeded history (the tests' shops). `kept_generated`: how many
        generated orders stay in memory (a benchmark keeps every one, as a real store has them)."""
        self.seed, self.floor_ages, self.history = seed, floor_ages, history
        self.kept_generated = kept_generated
        self.clock = clock
        self.search_lag = timedelta(seconds=search_lag)
        self.lock = threading.RLock()
        self.jobs = Jobs(self.now, timedelta(seconds=job_delay))
        self.inventory_book = InventoryBook(self.now)  # the ledger and idempotency keys (not saved)
        rng = random.Random(seed)
        location_list = build_locations()
        self.locations: dict[str, Location] = {loc.id: loc for loc in location_list}
        self.variants = build_variants(rng)
        self.inventory: dict[str, InventoryItem] = {
            item.id: item for item in build_inventory(rng, self.variants, location_list)
        }
        people, streets = build_people(seed)
        self.anchor = anchor or self.now()
        for item in self.inventory.values():
            item.updated_at = self.anchor
        titles = {variant.sku: variant.title for variant in self.variants}
        self.transfers: dict[str, InventoryTransfer] = {
            transfer.id: transfer
            for transfer in build_transfers(
                seed, self.anchor, location_list, list(self.inventory.values()), titles
            )
        }
        self.received_keys: dict[str, Any] = {}  # inventoryShipmentReceive's idempotency keys
        self._factory = OrderFactory(
            seed,
            orders,
            self.anchor,
            self.variants,
            location_list,
            people,
            streets,
            history=history,
            floor_ages=floor_ages,
        )
        self._seeded = orders
        self._count = orders
        self._overlay: dict[int, Order] = {}
        self._cache: OrderedDict[int, Order] = OrderedDict()
        self._fo_owner: dict[int, int] = {}  # dynamic fulfillment order legacy id -> order index
        self._fulfillment_owner: dict[int, int] = {}  # dynamic fulfillment legacy id -> order index
        self._next_dynamic_id = DYNAMIC_ID_BASE
        self._live_rng = random.Random(seed + 1)
        self._pending_reindex: list[tuple[datetime, int]] = []
        self.changes = 0  # grows with every change kept: a saver compares it with what it saved
        self._order_index = UpdatedIndex(
            orders, self._factory.updated_ts, lambda i: [(self._factory.updated_ts(i), ORDER_BASE + i)]
        )
        self._fo_index = UpdatedIndex(orders, self._factory.updated_ts, self._seeded_fo_keys)
        self.orders: Mapping[str, Order] = _OrdersView(self)
        self.fulfillment_orders: Mapping[str, FulfillmentOrder] = _FulfillmentOrdersView(self)

    # --- time and ids -------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def new_id(self) -> int:
        self._next_dynamic_id += 1
        return self._next_dynamic_id

    @property
    def order_count(self) -> int:
        return self._count

    # --- lookups ----------------------------------------------------------------------------------
    def order_at(self, index: int) -> Order:
        if index in self._overlay:
            return self._overlay[index]
        cached = self._cache.get(index)
        if cached is None:
            cached = self._factory.build(index)
            age = 1 - index / max(self._seeded, 1)
            seed_returns(self.seed, index, cached, age, cached.fulfillment_orders[0].location)
            self._cache[index] = cached
            if len(self._cache) > self.kept_generated:
                self._cache.popitem(last=False)
        return cached

    def order(self, order_id: str) -> Order | None:
        index = self._order_index_of(order_id)
        return None if index is None else self.order_at(index)

    def fulfillment_order(self, fo_id: str) -> FulfillmentOrder | None:
        parsed = legacy_id_of(fo_id)
        if parsed is None or parsed[0] != "FulfillmentOrder":
            return None
        index = self._fo_order_index(parsed[1])
        if index is None:
            return None
        return next((fo for fo in self.order_at(index).fulfillment_orders if fo.id == fo_id), None)

    def fulfillment(self, fulfillment_id: str) -> Fulfillment | None:
        order = self.order_of_fulfillment(fulfillment_id)
        return next((f for f in order.fulfillments if f.id == fulfillment_id), None) if order else None

    def order_of_fulfillment(self, fulfillment_id: str) -> Order | None:
        parsed = legacy_id_of(fulfillment_id)
        if parsed is None or parsed[0] != "Fulfillment":
            return None
        legacy = parsed[1]
        if legacy >= DYNAMIC_ID_BASE:
            index = self._fulfillment_owner.get(legacy)
        else:
            index = (legacy - FULFILLMENT_BASE) // FOS_PER_ORDER if legacy >= FULFILLMENT_BASE else None
        return self.order_at(index) if index is not None and 0 <= index < self._count else None

    def order_of(self, fo: FulfillmentOrder) -> Order:
        order = self.order(fo.order_id)
        assert order is not None
        return order

    def inventory_by_sku(self, sku: str) -> InventoryItem | None:
        return next((item for item in self.inventory.values() if item.sku == sku), None)

    def _order_index_of(self, order_id: str) -> int | None:
        parsed = legacy_id_of(order_id)
        if parsed is None or parsed[0] != "Order":
            return None
        index = parsed[1] - ORDER_BASE
        return index if 0 <= index < self._count else None

    def _fo_order_index(self, legacy: int) -> int | None:
        if legacy >= DYNAMIC_ID_BASE:
            return self._fo_owner.get(legacy)
        index = (legacy - FULFILLMENT_ORDER_BASE) // FOS_PER_ORDER
        return index if 0 <= index < self._count and legacy >= FULFILLMENT_ORDER_BASE else None

    def _seeded_fo_keys(self, index: int) -> list[Key]:
        return [
            (to_ts(fo.updated_at), int(fo.id.rsplit("/", 1)[1]))
            for fo in self.order_at(index).fulfillment_orders
        ]

    # --- changes ----------------------------------------------------------------------------------
    def touch(self, order: Order, *changed: FulfillmentOrder) -> None:
        """Record a change: the order and the `changed` fulfillment orders get `updatedAt = now`."""
        now = self.now()
        order.updated_at = now
        for fo in changed:
            fo.updated_at = now
            legacy = int(fo.id.rsplit("/", 1)[1])
            if legacy >= DYNAMIC_ID_BASE:
                self._fo_owner[legacy] = int(order.legacy_resource_id) - ORDER_BASE
        index = self.keep(order)
        if self.search_lag:
            self._pending_reindex.append((now + self.search_lag, index))
        else:
            self._reindex(index)

    def keep(self, order: Order) -> int:
        """Keep a changed order as it is (it is never rebuilt from the seed again); returns its index.

        For bookkeeping that does not move `updatedAt`; `touch` records a visible change.
        """
        index = int(order.legacy_resource_id) - ORDER_BASE
        for fulfillment in order.fulfillments:
            legacy = int(fulfillment.id.rsplit("/", 1)[1])
            if legacy >= DYNAMIC_ID_BASE:
                self._fulfillment_owner[legacy] = index
        self._overlay[index] = order
        self._cache.pop(index, None)
        self.changes += 1
        return index

    # --- restarts -------------------------------------------------------------------------------------
    def saved(self) -> SavedShop:
        """The shop as it is now (call it holding `lock`; pickle the result before releasing it)."""
        return SavedShop(
            self.seed,
            self._seeded,
            self.anchor,
            self._count,
            self._overlay,
            self.inventory,
            self._fo_owner,
            self._fulfillment_owner,
            self._next_dynamic_id,
            self._live_rng.getstate(),
            self.floor_ages,
            self.history,
            self.transfers,
            self.received_keys,
        )

    @classmethod
    def restored(cls, saved: SavedShop, clock: Callable[[], datetime] = utc_now) -> SimStore:
        """The shop `saved` described: the same seeded history, with every change it had kept."""
        store = cls(
            saved.seeded,
            saved.seed,
            clock,
            anchor=saved.anchor,
            floor_ages=saved.floor_ages,
            history=saved.history,
        )
        store._count, store.inventory = saved.count, saved.inventory
        store._fo_owner, store._fulfillment_owner = saved.fo_owner, saved.fulfillment_owner
        store._next_dynamic_id = saved.next_dynamic_id
        if saved.transfers is not None:
            store.transfers, store.received_keys = saved.transfers, saved.received_keys or {}
        else:  # saved before transfers: its seeded ones, on the inventory it kept
            titles = {variant.sku: variant.title for variant in store.variants}
            rebuilt = build_transfers(
                saved.seed,
                saved.anchor,
                list(store.locations.values()),
                list(saved.inventory.values()),
                titles,
            )
            store.transfers = {transfer.id: transfer for transfer in rebuilt}
        store._live_rng.setstate(saved.live_rng)
        for index, order in saved.overlay.items():
            store._overlay[index] = order
            store._reindex(index)
        return store

    def live_step(self, events: int = 1) -> list[str]:
        """Apply `events` seeded random live events (new orders, payments, edits, cancels); returns them."""
        from oms_tui.sim.live import apply_random_event  # live builds on the store, not the reverse

        with self.lock:
            return [apply_random_event(self, self._live_rng) for _ in range(events)]

    def add_order(self) -> Order:
        """A brand-new order placed now (live activity)."""
        index = self._count
        self._count += 1
        order = self._factory.build(index, created_at=self.now())
        self.touch(order, *order.fulfillment_orders)
        return order

    def _reindex(self, index: int) -> None:
        order = self.order_at(index)
        self._order_index.replace_group(index, [(to_ts(order.updated_at), ORDER_BASE + index)])
        self._fo_index.replace_group(
            index, [(to_ts(fo.updated_at), int(fo.id.rsplit("/", 1)[1])) for fo in order.fulfillment_orders]
        )

    def _catch_up_search(self) -> None:
        now = self.now()
        due = [i for when, i in self._pending_reindex if when <= now]
        self._pending_reindex = [(when, i) for when, i in self._pending_reindex if when > now]
        for index in due:
            self._reindex(index)

    # --- ordered scans (pagination walks these) ----------------------------------------------------
    def scan_orders(self, by_updated: bool, start: Key | None, reverse: bool) -> Iterator[tuple[Key, Order]]:
        """Orders after the cursor key `start`: by (updatedAt, id), or else by id (= creation order)."""
        if by_updated:
            self._catch_up_search()
            for key in self._order_index.scan(start, reverse):
                yield key, self.order_at(key[1] - ORDER_BASE)
            return
        first = (
            (start[0] + (-1 if reverse else 1) - ORDER_BASE) if start else (self._count - 1 if reverse else 0)
        )
        steps = range(first, -1, -1) if reverse else range(first, self._count)
        for index in steps:
            yield (ORDER_BASE + index,), self.order_at(index)

    def created_range(self, low: int | None, high: int | None) -> range:
        """Indexes of the orders created within [low, high] (epoch seconds, inclusive), found by
        bisection: creation times grow with the index, seeded and live orders alike."""
        first = self._first_created_at_or_after(low) if low is not None else 0
        end = self._first_created_at_or_after(high + 1) if high is not None else self._count
        return range(first, max(first, end))

    def _first_created_at_or_after(self, moment: int) -> int:
        low, high = 0, self._count
        while low < high:
            middle = (low + high) // 2
            if self._created_ts(middle) < moment:
                low = middle + 1
            else:
                high = middle
        return low

    def _created_ts(self, index: int) -> int:
        if index < self._seeded and index not in self._overlay:
            return self._factory.created_ts(index)  # no need to build the order
        return to_ts(self.order_at(index).created_at)

    def scan_fulfillment_orders(
        self, by_updated: bool, start: Key | None, reverse: bool
    ) -> Iterator[tuple[Key, FulfillmentOrder]]:
        if by_updated:
            self._catch_up_search()
            keys = self._fo_index.scan(start, reverse)
        else:
            keys = self._fo_ids(start, reverse)
        for key in keys:
            fo = self.fulfillment_order(f"gid://shopify/FulfillmentOrder/{key[-1]}")
            if fo is not None:
                yield key, fo

    def _fo_ids(self, start: Key | None, reverse: bool) -> Iterator[Key]:
        """Fulfillment order ids in order: seeded ones grouped by order, then those created later."""
        after = start[0] if start else None
        in_tail = after is not None and after >= DYNAMIC_ID_BASE
        tail = (
            i
            for i in sorted(self._fo_owner, reverse=reverse)
            if after is None or (i < after if reverse else i > after)
        )
        seeded = self._seeded_fo_ids(None if in_tail else after, reverse)
        if reverse:
            parts = [tail, seeded] if after is None or in_tail else [seeded]
        else:
            parts = [tail] if in_tail else [seeded, tail]
        for part in parts:
            yield from ((legacy,) for legacy in part)

    def _seeded_fo_ids(self, after: int | None, reverse: bool) -> Iterator[int]:
        if after is None:
            first = self._count - 1 if reverse else 0
        else:
            first = (after - FULFILLMENT_ORDER_BASE) // FOS_PER_ORDER
        for index in range(first, -1, -1) if reverse else range(first, self._count):
            legacy_ids = sorted(
                (int(fo.id.rsplit("/", 1)[1]) for fo in self.order_at(index).fulfillment_orders),
                reverse=reverse,
            )
            for legacy in legacy_ids:
                if legacy < DYNAMIC_ID_BASE and (
                    after is None or (legacy < after if reverse else legacy > after)
                ):
                    yield legacy


class _OrdersView(Mapping[str, Order]):
    def __init__(self, store: SimStore) -> None:
        self._store = store

    def __getitem__(self, order_id: str) -> Order:
        order = self._store.order(order_id)
        if order is None:
            raise KeyError(order_id)
        return order

    def __iter__(self) -> Iterator[str]:
        return (self._store.order_at(i).id for i in range(self._store.order_count))

    def __len__(self) -> int:
        return self._store.order_count


class _FulfillmentOrdersView(Mapping[str, FulfillmentOrder]):
    def __init__(self, store: SimStore) -> None:
        self._store = store

    def __getitem__(self, fo_id: str) -> FulfillmentOrder:
        fo = self._store.fulfillment_order(fo_id)
        if fo is None:
            raise KeyError(fo_id)
        return fo

    def __iter__(self) -> Iterator[str]:
        for index in range(self._store.order_count):
            yield from (fo.id for fo in self._store.order_at(index).fulfillment_orders)

    def __len__(self) -> int:
        return sum(1 for _ in self)
