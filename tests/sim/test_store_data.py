"""The seeded shop: deterministic, lazily built, with the mix a fulfillment floor meets; live activity."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from oms_tui.sim.catalogue import ean13
from oms_tui.sim.store import SimStore
from tests.sim.conftest import Clock


def test_same_seed_same_shop() -> None:
    a, b = SimStore(orders=30, seed=5), SimStore(orders=30, seed=5)
    assert [(o.name, o.email, [li.sku for li in o.line_items]) for o in a.orders.values()] == [
        (o.name, o.email, [li.sku for li in o.line_items]) for o in b.orders.values()
    ]


def test_a_big_store_is_lazy_and_its_orders_are_addressable() -> None:
    store = SimStore(orders=1_000_000, seed=7)
    assert len(store.orders) == 1_000_000
    last = store.orders["gid://shopify/Order/5801999999"]
    assert last.name == "#1001000"
    assert last.created_at > store.orders["gid://shopify/Order/5801000000"].created_at
    assert last.updated_at <= store.now()


def test_the_floor_mix_is_present(clock: Clock) -> None:
    store = SimStore(orders=400, seed=7, clock=clock)
    orders = list(store.orders.values())
    assert any("rush" in o.tags for o in orders) and any("wholesale" in o.tags for o in orders)
    assert any(o.note and o.note.startswith("Gift") for o in orders)
    assert {"PENDING", "AUTHORIZED", "PAID"} <= {o.display_financial_status for o in orders}
    assert any(o.risk.assessments[0].risk_level == "HIGH" for o in orders)
    assert any(o.shipping_address and o.shipping_address.zip is None for o in orders)
    assert any(o.shipping_address and o.shipping_address.address1.startswith("PO Box") for o in orders)
    assert len({o.shipping_address.country_code_v2 for o in orders if o.shipping_address}) >= 5
    statuses = {o.display_fulfillment_status for o in orders}
    assert {"UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED", "ON_HOLD"} <= statuses
    assert any(o.cancelled_at for o in orders)
    assert any(len(o.line_items) >= 30 for o in orders)
    assert all(o.created_at <= o.updated_at <= clock.now for o in orders)
    assert 3 <= len(store.locations) <= 4 and not all(loc.is_active for loc in store.locations.values())
    barcodes = [v.barcode for v in store.variants]
    assert all(len(b) == 13 and ean13(b[:12]) == b for b in barcodes)


def test_orders_come_from_several_channels_with_carriers_shipping_lines(clock: Clock) -> None:
    orders = list(SimStore(orders=400, seed=7, clock=clock).orders.values())
    channels = Counter(order.source_name for order in orders)
    assert channels.most_common(1)[0][0] == "web"
    assert {"pos", "shopify_draft_order", "Wholesale Hub"} <= set(channels)
    assert all(o.source_name == "shopify_draft_order" for o in orders if "wholesale" in o.tags)
    methods = Counter(o.shipping_line.title for o in orders if o.shipping_line)
    assert {"UPS Ground", "USPS Priority Mail", "FedEx 2Day", "DHL Express Worldwide"} <= set(methods)
    home = [o for o in orders if o.shipping_address and o.shipping_address.country_code_v2 == "US"]
    assert all(o.shipping_line and o.shipping_line.title == "FedEx 2Day" for o in home if "rush" in o.tags)
    assert any(o.shipping_line and o.shipping_line.carrier_identifier is None for o in orders)  # free


def test_live_steps_are_deterministic_and_move_updated_at(clock: Clock) -> None:
    a, b = SimStore(orders=40, seed=9, clock=clock), SimStore(orders=40, seed=9, clock=clock)
    clock.advance(3600)
    events = a.live_step(40)
    assert events == b.live_step(40)
    assert any(e.startswith("new_order") for e in events) and any(e.startswith("cancelled") for e in events)
    assert len(a.orders) > 40
    newest = list(a.orders.values())[-1]
    assert newest.created_at == clock.now.replace(microsecond=0)
    cancelled = [
        a.orders[o] for o in a.orders if a.orders[o].cancelled_at == clock.now.replace(microsecond=0)
    ]
    assert cancelled and all(fo.status == "CLOSED" for o in cancelled for fo in o.fulfillment_orders)


def test_the_demo_floors_open_work_is_hours_to_days_old_and_only_a_handful_late(clock: Clock) -> None:
    """The demo opens on a floor that looks like a real one: not a queue of month-old orders."""
    store = SimStore(orders=5000, seed=7, clock=clock, floor_ages=True)
    now = clock()
    still_open = [
        o
        for o in store.orders.values()
        if o.cancelled_at is None and o.display_fulfillment_status != "FULFILLED"
    ]
    late = [o for o in still_open if now - o.created_at > timedelta(days=3)]
    recent = [o for o in store.orders.values() if now - o.created_at < timedelta(days=1)]
    assert len(still_open) >= 100  # a day's work and more
    assert 1 <= len(late) <= 30, f"{len(late)} orders older than three days still open"
    assert sum(o in still_open for o in recent) > len(recent) / 2  # today's orders: mostly to do
    assert min(o.created_at for o in store.orders.values()) < now - timedelta(days=40)  # months of history
