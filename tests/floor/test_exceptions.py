"""Each exception rule on its own: how it opens and how it closes by itself, on SQLite and PostgreSQL.

Changes reach the rules the way they reach a real cache: sync writes the change feed, local actions the
audit log, inventory its `synced_at`; the SLA rules follow the clock alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.engine import session_factory
from oms_tui.cache.models import (
    ApiNotice,
    AuditEvent,
    ChangeFeedEntry,
    Claim,
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Order,
    PackSession,
    Role,
    Staff,
    SyncState,
)
from oms_tui.floor.exceptions.records import (
    CLOSED_BY_ITSELF,
    ExceptionRefused,
    claim,
    open_by_kind,
    open_exceptions,
    resolve,
    run_pass,
)
from oms_tui.floor.exceptions.rules import RuleSettings

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
RULES = RuleSettings(sla_hours=24, carrier="UPS")
ADDRESS = {"address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCodeV2": "US"}


@pytest.fixture
def cache(engine: Engine) -> Cache:
    return Cache(engine, session_factory(engine))


class Shop:
    """A cache with orders in it, changed the way sync and floor actions change it."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.now = T0 + timedelta(hours=1)
        self.count = 0
        with cache.sessions() as session:
            session.add(Staff(code="ALI", name="Ali", role=Role.PICKER))
            session.commit()
        self.check()  # the first pass over the empty cache: later orders reach the rules as changes

    def order(self, **fields: Any) -> str:
        """A new order with one open fulfillment order (2 x SKU-1 at the warehouse), as sync writes it."""
        self.count += 1
        n = self.count
        order_id, fo_id = f"gid://shopify/Order/{n}", f"gid://shopify/FulfillmentOrder/{n}"
        values = {
            "name": f"#{1000 + n}",
            "fulfillment_status": "UNFULFILLED",
            "financial_status": "PAID",
            "shipping_address": ADDRESS,
            "created_at": T0,
            "updated_at": T0,
            "synced_at": T0,
        } | fields
        with self.cache.sessions() as session:
            session.add(Order(id=order_id, **values))
            session.add(
                FulfillmentOrder(
                    id=fo_id,
                    order_id=order_id,
                    status="OPEN",
                    location_id="loc-1",
                    location_name="Warehouse",
                    created_at=T0,
                    updated_at=T0,
                    synced_at=T0,
                )
            )
            session.flush()
            session.add(
                FulfillmentOrderLineItem(
                    id=f"gid://shopify/FulfillmentOrderLineItem/{n}",
                    fulfillment_order_id=fo_id,
                    line_item_id=f"gid://shopify/LineItem/{n}",
                    sku="SKU-1",
                    total_quantity=2,
                    remaining_quantity=2,
                )
            )
            session.add(ChangeFeedEntry(at=self.now, stream="orders", object_id=order_id, change="created"))
            session.commit()
        return order_id

    def sync_changes(self, model: type, ident: Any, stream: str | None = None, **fields: Any) -> None:
        """The store's copy changed: sync writes it and notes it in the change feed."""
        with self.cache.sessions() as session:
            row = session.get_one(model, ident)
            for name, value in fields.items():
                setattr(row, name, value)
            if stream:
                session.add(ChangeFeedEntry(at=self.now, stream=stream, object_id=ident, change="updated"))
            session.commit()

    def add(self, *rows: Any) -> None:
        with self.cache.sessions() as session:
            session.add_all(rows)
            session.commit()

    def check(self, **changes: Any) -> list[FloorException]:
        """Run a pass; return every exception, oldest first."""
        run_pass(self.cache, changes.pop("rules", RULES), self.now, **changes)
        with self.cache.sessions() as session:
            return list(session.exec(select(FloorException).order_by(col(FloorException.id))))

    def open_kinds(self) -> list[str]:
        with self.cache.sessions() as session:
            return sorted(row.kind for row in open_exceptions(session))


@pytest.fixture
def shop(cache: Cache) -> Shop:
    return Shop(cache)


def _fo(order_id: str) -> str:
    return order_id.replace("Order", "FulfillmentOrder")


def test_a_paid_order_at_the_start_of_its_day_raises_nothing(shop: Shop) -> None:
    shop.order()
    assert shop.check() == []


@pytest.mark.parametrize(
    ("status", "words"), [("PENDING", "payment pending"), ("AUTHORIZED", "only authorised")]
)
def test_payment_pending_or_only_authorised_opens_and_clears_when_paid(
    shop: Shop, status: str, words: str
) -> None:
    order_id = shop.order(financial_status=status)
    (problem,) = shop.check()
    assert (problem.kind, problem.state, problem.order_id) == ("payment", "open", order_id)
    assert words in problem.message and problem.fix
    shop.sync_changes(Order, order_id, "orders", financial_status="PAID")
    (problem,) = shop.check()
    assert (problem.state, problem.resolution, problem.resolved_by) == ("resolved", CLOSED_BY_ITSELF, None)


@pytest.mark.parametrize(
    ("recommendation", "level", "severity"),
    [("CANCEL", "HIGH", "critical"), ("INVESTIGATE", "MEDIUM", "warning"), ("ACCEPT", "HIGH", "critical")],
)
def test_fraud_risk_opens_on_shopifys_recommendation_or_a_high_assessment(
    shop: Shop, recommendation: str, level: str, severity: str
) -> None:
    order_id = shop.order(risk_recommendation=recommendation, risk_level=level)
    (problem,) = shop.check()
    assert (problem.kind, problem.severity) == ("fraud_risk", severity)
    shop.sync_changes(Order, order_id, "orders", risk_recommendation="ACCEPT", risk_level="LOW")
    assert shop.check()[0].state == "resolved"


def test_a_missing_postcode_opens_where_the_country_needs_one_and_clears_when_added(shop: Shop) -> None:
    needs = shop.order(shipping_address=ADDRESS | {"zip": None})
    shop.order(shipping_address=ADDRESS | {"zip": None, "countryCodeV2": "HK"})  # Hong Kong has none
    (problem,) = shop.check()
    assert (problem.kind, problem.order_id) == ("address_incomplete", needs)
    assert "postcode" in problem.message
    shop.sync_changes(Order, needs, "orders", shipping_address=ADDRESS)
    assert shop.check()[0].state == "resolved"


def test_no_shipping_address_is_incomplete(shop: Shop) -> None:
    shop.order(shipping_address=None)
    (problem,) = shop.check()
    assert problem.kind == "address_incomplete" and "shipping address" in problem.message


def test_a_po_box_opens_for_a_carrier_that_refuses_them(shop: Shop) -> None:
    order_id = shop.order(shipping_address=ADDRESS | {"address1": "P.O. Box 4411"})
    assert shop.check(rules=RuleSettings(carrier="USPS")) == []  # the postal service delivers there
    shop.sync_changes(Order, order_id, "orders", note="touched")
    (problem,) = shop.check()
    assert problem.kind == "address_po_box" and "UPS" in problem.message
    shop.sync_changes(Order, order_id, "orders", shipping_address=ADDRESS)
    assert shop.check()[0].state == "resolved"


def test_short_stock_opens_from_inventory_alone_and_clears_when_stock_arrives(shop: Shop) -> None:
    order_id = shop.order()
    other_place = InventoryLevel(
        inventory_item_id="item-1", location_id="loc-2", sku="SKU-1", on_hand=50, synced_at=shop.now
    )
    shop.add(
        other_place,
        InventoryLevel(
            inventory_item_id="item-1", location_id="loc-1", sku="SKU-1", on_hand=1, synced_at=shop.now
        ),
    )
    shop.now += timedelta(minutes=5)
    (problem,) = shop.check()
    assert (problem.kind, problem.subject, problem.order_id) == ("short_stock", _fo(order_id), order_id)
    assert "SKU-1 1 of 2" in problem.message and "Warehouse" in problem.message
    shop.now += timedelta(minutes=5)
    shop.sync_changes(InventoryLevel, ("item-1", "loc-1"), on_hand=7, synced_at=shop.now)
    assert shop.check()[0].state == "resolved"


def test_unknown_inventory_is_not_short_stock(shop: Shop) -> None:
    shop.order()
    assert shop.check() == []


def test_sla_at_risk_then_breached_by_the_clock_alone_then_clears_when_shipped(shop: Shop) -> None:
    order_id = shop.order()
    assert shop.check() == []
    shop.now = T0 + timedelta(hours=19)  # inside the last quarter of 24 h
    (at_risk,) = shop.check()
    assert (at_risk.kind, at_risk.severity, at_risk.state) == ("sla_at_risk", "info", "open")
    shop.now = T0 + timedelta(hours=25)
    at_risk, late = shop.check()
    assert at_risk.state == "resolved" and at_risk.resolution == CLOSED_BY_ITSELF
    assert (late.kind, late.severity, late.state) == ("sla_breached", "warning", "open")
    shop.sync_changes(FulfillmentOrder, _fo(order_id), "fulfillment_orders", status="CLOSED")
    assert [row.state for row in shop.check()] == ["resolved", "resolved"]


def test_a_gift_card_line_is_never_short_nor_late_once_the_goods_have_shipped(shop: Shop) -> None:
    order_id = shop.order()  # 2 x SKU-1, and a gift card the store delivers by email
    gift = "gid://shopify/LineItem/gift"
    shop.add(
        LineItem(
            id=gift,
            order_id=order_id,
            sku="GIFT-50",
            title="Gift Card - $50",
            quantity=1,
            current_quantity=1,
            unfulfilled_quantity=1,
            requires_shipping=False,
        ),
        FulfillmentOrderLineItem(
            id="gid://shopify/FulfillmentOrderLineItem/gift",
            fulfillment_order_id=_fo(order_id),
            line_item_id=gift,
            sku="GIFT-50",
            total_quantity=1,
            remaining_quantity=1,
        ),
        InventoryLevel(
            inventory_item_id="gift", location_id="loc-1", sku="GIFT-50", on_hand=0, synced_at=shop.now
        ),
    )
    shop.now += timedelta(minutes=5)
    assert shop.check() == []  # no stock of a gift card on the shelf is not short stock
    shop.sync_changes(
        FulfillmentOrderLineItem,
        f"gid://shopify/FulfillmentOrderLineItem/{order_id.rsplit('/', 1)[1]}",
        remaining_quantity=0,
    )
    shop.sync_changes(FulfillmentOrder, _fo(order_id), "fulfillment_orders", status="IN_PROGRESS")
    shop.now = T0 + timedelta(hours=25)
    assert shop.check() == []  # the goods left: the gift card alone is no late work


def test_an_order_cancelled_while_picked_stops_the_picker_until_the_claim_ends(shop: Shop) -> None:
    order_id = shop.order()
    shop.add(
        Claim(
            fulfillment_order_id=_fo(order_id),
            staff_code="ALI",
            station="pick-1",
            lease_until=shop.now + timedelta(hours=1),
        )
    )
    assert shop.check() == []
    shop.sync_changes(Order, order_id, "orders", cancelled_at=shop.now)
    (problem,) = shop.check()
    assert (problem.kind, problem.severity) == ("interrupted", "critical")
    assert "cancelled while ALI" in problem.message and "put the items back" in problem.fix
    with shop.cache.sessions() as session:  # the picker lets go; no feed entry, no audit event
        session.delete(session.get_one(Claim, _fo(order_id)))
        session.commit()
    assert shop.check()[0].state == "resolved"


def test_an_order_held_while_packed_opens_and_clears_on_release(shop: Shop) -> None:
    order_id = shop.order()
    shop.add(PackSession(fulfillment_order_id=_fo(order_id), staff_code="ALI", station="pack-1"))
    shop.sync_changes(FulfillmentOrder, _fo(order_id), "fulfillment_orders", status="ON_HOLD")
    (problem,) = shop.check()
    assert problem.kind == "interrupted" and "put on hold while ALI was packing it" in problem.message
    shop.sync_changes(FulfillmentOrder, _fo(order_id), "fulfillment_orders", status="OPEN")
    assert shop.check()[0].state == "resolved"


def test_a_local_action_reaches_the_rules_through_the_audit_log(shop: Shop) -> None:
    order_id = shop.order(financial_status="PENDING")
    assert shop.check()[0].state == "open"
    with shop.cache.sessions() as session:  # shipped here: the cache changes, the feed does not
        session.get_one(FulfillmentOrder, _fo(order_id)).status = "CLOSED"
        session.add(AuditEvent(station="pack-1", action="store.fulfill", subject=_fo(order_id)))
        session.commit()
    assert shop.check()[0].state == "resolved"


def test_only_changed_orders_are_evaluated(shop: Shop) -> None:
    order_id = shop.order()
    shop.check()
    with shop.cache.sessions() as session:  # changed behind the rules' back: no feed, no audit
        session.get_one(Order, order_id).financial_status = "PENDING"
        session.commit()
    assert shop.check() == []


def test_the_first_pass_walks_every_order_a_step_at_a_time(cache: Cache) -> None:
    shop = Shop.__new__(Shop)
    shop.cache, shop.now, shop.count = cache, T0 + timedelta(hours=1), 0
    for _ in range(5):
        shop.order(financial_status="PENDING")
    with cache.sessions() as session:  # a cache synced before the rules existed: the feed is gone
        for entry in session.exec(select(ChangeFeedEntry)):
            session.delete(entry)
        session.commit()
    result = run_pass(cache, RULES, shop.now, step=2, time_limit=0)
    assert result.more and result.evaluated == 2
    result = run_pass(cache, RULES, shop.now, step=2)
    assert not result.more
    assert shop.open_kinds() == ["payment"] * 5


def test_the_store_rejected_an_action_is_kept_until_a_person_resolves_it(shop: Shop) -> None:
    shop.order()
    shop.add(
        FloorException(
            kind="store_rejected",
            severity="critical",
            order_id="gid://shopify/Order/1",
            subject="outbox:7",
            message="hold was rejected by the store: TAKEN",
        )
    )
    (rejected,) = shop.check()
    assert rejected.state == "open"
    with shop.cache.sessions() as session:
        resolve(session, rejected.id or 0, staff_code="ALI", station="desk", note="held in Shopify by hand")
        session.commit()
    (rejected,) = shop.check()
    assert (rejected.state, rejected.resolved_by, rejected.resolution) == (
        "resolved",
        "ALI",
        "held in Shopify by hand",
    )


def test_sync_failing_opens_after_a_grace_period_and_clears_on_success(shop: Shop) -> None:
    shop.add(
        SyncState(
            stream="orders",
            last_success=shop.now - timedelta(minutes=1),
            last_error="store unreachable",
            last_error_at=shop.now,
        )
    )
    assert shop.check() == []  # a blip
    shop.now += timedelta(minutes=10)
    (problem,) = shop.check()
    assert (problem.kind, problem.subject) == ("sync_failing", "orders")
    assert "store unreachable" in problem.message
    shop.sync_changes(SyncState, "orders", last_error=None, last_success=shop.now)
    assert shop.check()[0].state == "resolved"


def test_an_api_deprecation_opens_while_the_store_keeps_saying_it(shop: Shop) -> None:
    shop.add(
        ApiNotice(kind="deprecated", message="deprecated in API version 2025-01: move on", last_seen=shop.now)
    )
    (problem,) = shop.check()
    assert problem.kind == "api_deprecated" and "move on" in problem.message
    shop.now += timedelta(days=2)
    assert shop.check()[0].state == "resolved"


def test_resolved_by_a_person_stays_resolved_while_the_cause_lasts_and_a_new_cause_opens_anew(
    shop: Shop,
) -> None:
    order_id = shop.order(financial_status="PENDING")
    (problem,) = shop.check()
    with shop.cache.sessions() as session:
        claim(session, problem.id or 0, staff_code="ALI", station="desk")
        resolve(session, problem.id or 0, staff_code="ALI", station="desk", note="customer pays Friday")
        session.commit()
    shop.sync_changes(Order, order_id, "orders", note="still pending")
    (problem,) = shop.check()
    assert (problem.state, problem.owner, problem.resolved_by) == ("resolved", "ALI", "ALI")
    shop.sync_changes(Order, order_id, "orders", financial_status="PAID")
    shop.check()
    shop.sync_changes(Order, order_id, "orders", financial_status="PENDING")  # a new cause
    first, again = shop.check()
    assert first.resolution == "customer pays Friday"
    assert (again.kind, again.state, again.owner) == ("payment", "open", None)


def test_claim_and_resolve_are_attributed_and_refused_when_they_cannot_apply(shop: Shop) -> None:
    shop.order(financial_status="PENDING")
    (problem,) = shop.check()
    ident = problem.id or 0
    with shop.cache.sessions() as session:
        assert claim(session, ident, staff_code="ALI", station="desk").owner == "ALI"
        with pytest.raises(ExceptionRefused, match="say how"):
            resolve(session, ident, staff_code="ALI", station="desk", note="  ")
        resolve(session, ident, staff_code="ALI", station="desk", note="called the customer")
        with pytest.raises(ExceptionRefused, match="already resolved"):
            claim(session, ident, staff_code="ALI", station="desk")
        session.commit()
        actions = [(e.action, e.staff_code, e.station) for e in session.exec(select(AuditEvent))]
    assert actions == [("exception.claim", "ALI", "desk"), ("exception.resolve", "ALI", "desk")]


def test_open_exceptions_are_listed_most_severe_first_and_counted_by_kind(shop: Shop) -> None:
    shop.order(financial_status="PENDING")
    shop.order(risk_recommendation="CANCEL", risk_level="HIGH")
    shop.order(financial_status="AUTHORIZED")
    shop.check()
    with shop.cache.sessions() as session:
        assert [row.kind for row in open_exceptions(session)] == ["fraud_risk", "payment", "payment"]
        assert [row.kind for row in open_exceptions(session, kind="payment")] == ["payment", "payment"]
        assert open_by_kind(session) == {"payment": 2, "fraud_risk": 1}


# --- the rules' boundaries: the exact moment or amount at which each one opens -------------------


def stock_at_warehouse(on_hand: int, at: datetime) -> InventoryLevel:
    return InventoryLevel(
        inventory_item_id="item-1", location_id="loc-1", sku="SKU-1", on_hand=on_hand, synced_at=at
    )


def test_stock_exactly_equal_to_what_is_needed_is_not_short(shop: Shop) -> None:
    shop.order()  # 2 x SKU-1 to ship from the warehouse
    shop.add(stock_at_warehouse(2, shop.now))
    assert shop.check() == []
    shop.now += timedelta(minutes=5)
    shop.sync_changes(InventoryLevel, ("item-1", "loc-1"), on_hand=1, synced_at=shop.now)
    (problem,) = shop.check()
    assert problem.kind == "short_stock" and "SKU-1 1 of 2" in problem.message
    shop.now += timedelta(minutes=5)
    shop.sync_changes(InventoryLevel, ("item-1", "loc-1"), on_hand=2, synced_at=shop.now)
    assert shop.check()[0].state == "resolved"


def test_the_sla_rules_open_at_the_very_moment_their_time_comes(shop: Shop) -> None:
    shop.order()  # created at T0, 24 h SLA: at risk from 18 h, late from 24 h
    second = timedelta(seconds=1)
    shop.now = T0 + timedelta(hours=18) - second
    assert shop.check() == []
    shop.now = T0 + timedelta(hours=18)
    assert [(row.kind, row.state) for row in shop.check()] == [("sla_at_risk", "open")]
    shop.now = T0 + timedelta(hours=24) - second
    assert [(row.kind, row.state) for row in shop.check()] == [("sla_at_risk", "open")]
    shop.now = T0 + timedelta(hours=24)
    assert [(row.kind, row.state) for row in shop.check()] == [
        ("sla_at_risk", "resolved"),
        ("sla_breached", "open"),
    ]


def test_sync_failing_opens_when_its_grace_period_has_just_passed(shop: Shop) -> None:
    shop.add(
        SyncState(
            stream="orders",
            last_success=shop.now - timedelta(minutes=5) + timedelta(seconds=1),
            last_error="store unreachable",
            last_error_at=shop.now,
        )
    )
    assert shop.check() == []
    shop.now += timedelta(seconds=1)  # failing for exactly the grace period now
    assert [row.kind for row in shop.check()] == ["sync_failing"]
