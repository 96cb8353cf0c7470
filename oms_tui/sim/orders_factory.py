"""Deterministic orders: order number `index` is derived from (seed, index) alone, on first access.

Creation times grow with the index across the history window, and so do update times (an order is
last touched a fixed while after it was placed, never after "now"), so untouched orders need no
sorted index: their position in `updatedAt` order is their index. Ids grow with the index as well.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from oms_tui.sim.catalogue import CUSTOMER_BASE, Person, Street
from oms_tui.sim.model import (
    Customer,
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    LineItemGroup,
    Location,
    MailingAddress,
    Order,
    OrderRisk,
    RiskAssessment,
    ShippingLine,
    TrackingInfo,
    Variant,
    gid,
)

ORDER_BASE = 5_801_000_000
ORDER_NUMBER_BASE = 1001
LINE_ITEM_BASE = 13_600_000_000_000
FO_LINE_ITEM_BASE = 15_200_000_000_000
FULFILLMENT_ORDER_BASE = 6_900_000_000
FULFILLMENT_BASE = 5_300_000_000
HOLD_BASE = 2_800_000_000
LINE_ITEM_GROUP_BASE = 3_100_000_000
BUNDLES = [("Starter Kit", "KIT-START"), ("Gift Set", "KIT-GIFT"), ("Weekend Bundle", "KIT-WKND")]
BUNDLE_SHARE = 0.06  # of orders with two lines or more, whose first two lines are sold as a bundle
LINES_PER_ORDER = 512  # id stride: the biggest seeded order has 300 lines
FOS_PER_ORDER = 4  # id stride for seeded fulfillment orders
LAST_TOUCH = timedelta(hours=6)  # an order's last seeded update, after its creation
HISTORY = timedelta(days=45)  # how far back a seeded shop's orders go, unless told
FLOOR_DAYS = 3  # with floor ages, orders older than this have nearly all shipped:
OLD_AGE = 1.074  # their shipped share (0.03 + 0.9 x 1.074 = 0.997): about 3 in 1000 are still open, late
CARRIERS = [
    ("UPS", "https://www.ups.com/track?tracknum={}"),
    ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}"),
    ("DHL Express", "https://www.dhl.com/en/express/tracking.html?AWB={}"),
]
# Where orders come from (Shopify's sourceName): the online store, the shop's tills, invoices made in
# the admin (draft orders), and a wholesale marketplace app.
CHANNELS = [("web", 82), ("pos", 8), ("shopify_draft_order", 6), ("Wholesale Hub", 4)]
# Shipping chosen at checkout; carrier-calculated rates carry their carrier service's id.
DOMESTIC_SHIPPING = [
    (ShippingLine("UPS Ground", "ups-carrier-service"), 45),
    (ShippingLine("USPS Priority Mail", "usps-carrier-service"), 35),
    (ShippingLine("Free shipping"), 20),
]
INTERNATIONAL_SHIPPING = [
    (ShippingLine("DHL Express Worldwide", "dhl-carrier-service"), 55),
    (ShippingLine("UPS Worldwide Saver", "ups-carrier-service"), 45),
]
EXPRESS = ShippingLine("FedEx 2Day", "fedex-carrier-service")  # rush orders at home
HOME_COUNTRY = "US"
PRE_ORDERS, DEADLINES = 0.05, 0.1  # shares of open orders: scheduled for later, due by a set time
GIFT_NOTES = [
    "Gift: happy birthday, love from Sam",
    "Please gift wrap, no invoice in the box",
    "Gift for my sister - please hide the price",
]
FINANCIAL = [
    ("PAID", 80),
    ("AUTHORIZED", 10),
    ("PENDING", 5),
    ("PARTIALLY_REFUNDED", 3),
    ("PARTIALLY_PAID", 2),
]


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def to_ts(moment: datetime) -> int:
    return int(moment.timestamp())


def from_ts(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class OrderFactory:
    """Builds order `index` (0-based) of `count` seeded orders placed within `history` before `now`."""

    def __init__(
        self,
        seed: int,
        count: int,
        now: datetime,
        variants: list[Variant],
        locations: list[Location],
        people: list[Person],
        streets: list[Street],
        history: timedelta = HISTORY,
        floor_ages: bool = False,
    ) -> None:
        """`floor_ages`: open work as a real floor has it (hours to a few days old, a handful late),
        rather than spread over the whole history."""
        self.seed, self.count, self.floor_ages = seed, count, floor_ages
        self.now_ts = to_ts(now)
        self.start_ts = self.now_ts - int(history.total_seconds())
        self.variants, self.people, self.streets = variants, people, streets
        self.shipping_locations = [loc for loc in locations if loc.is_active][:2]

    def created_ts(self, index: int) -> int:
        return self.start_ts + (index * (self.now_ts - 60 - self.start_ts)) // max(self.count, 1)

    def updated_ts(self, index: int) -> int:
        return min(self.created_ts(index) + int(LAST_TOUCH.total_seconds()), self.now_ts)

    def build(self, index: int, created_at: datetime | None = None) -> Order:
        """Order `index`; `created_at` given means a brand-new order (live activity), still untouched."""
        rng = random.Random(self.seed * 1_000_003 + index)
        fresh = created_at is not None
        created = created_at or from_ts(self.created_ts(index))
        updated = created if fresh else from_ts(self.updated_ts(index))
        person = rng.choice(self.people)
        street = self.streets[person.customer_index]
        order = Order(
            id=gid("Order", ORDER_BASE + index),
            number=ORDER_NUMBER_BASE + index,
            created_at=created,
            updated_at=updated,
            email=person.email,
            customer=Customer(
                gid("Customer", CUSTOMER_BASE + person.customer_index),
                person.first_name,
                person.last_name,
                person.email,
            ),
            shipping_address=self._address(rng, index, person, street),
            line_items=self._line_items(rng, index),
            fulfillment_orders=[],
            display_financial_status=_weighted(rng, FINANCIAL),
        )
        self._decorate(rng, order)
        self._sell(index, order)
        self._bundle(index, order)
        self._assign_fulfillment_orders(rng, index, order)
        if not fresh:
            self._advance_lifecycle(rng, index, order)
        self._promise(index, order)
        return order

    def _promise(self, index: int, order: Order) -> None:
        """Returning customers, the store's deadlines and pre-orders, from a generator of their own (so
        every other seeded value stays as it was): a few open orders are due by a date the store set,
        a few are pre-orders scheduled to open days after they were placed."""
        rng = random.Random(f"{self.seed}:{index}:promise")
        if order.customer is not None:
            order.customer.number_of_orders = 1 if rng.random() < 0.3 else rng.randint(2, 12)
        roll = rng.random()
        for fo in order.fulfillment_orders:
            if fo.status != "OPEN" or not self.floor_ages:  # a real floor's shape: the demo's
                continue
            if roll < PRE_ORDERS:
                fo.status, fo.fulfill_at = "SCHEDULED", order.created_at + timedelta(days=rng.randint(3, 10))
            elif roll < PRE_ORDERS + DEADLINES:
                fo.fulfill_by = order.created_at + timedelta(hours=rng.choice((12, 24, 48)))

    def _address(self, rng: random.Random, index: int, person: Person, street: Street) -> MailingAddress:
        address1, zip_code = street.address1, street.zip
        zip_code_or_none: str | None = zip_code
        quirk = rng.random()
        if quirk < 0.02:
            address1 = f"PO Box {rng.randrange(100, 9999)}"
        elif quirk < 0.04:
            zip_code_or_none = None
        return MailingAddress(
            gid("MailingAddress", ORDER_BASE + index) + "?model_name=Address",
            f"{person.first_name} {person.last_name}",
            address1,
            f"Apt {rng.randrange(1, 40)}" if rng.random() < 0.15 else None,
            street.city,
            street.province,
            street.province_code,
            zip_code_or_none,
            street.country,
            street.country_code,
            person.phone,
        )

    def _line_items(self, rng: random.Random, index: int) -> list[LineItem]:
        size = rng.random()
        count = (
            rng.randint(30, 300) if size < 0.02 else rng.randint(5, 12) if size < 0.1 else rng.randint(1, 4)
        )
        chosen = (
            rng.sample(self.variants, count)
            if count <= len(self.variants)
            else rng.choices(self.variants, k=count)
        )
        lines = []
        for k, variant in enumerate(chosen):
            quantity = rng.randint(1, 24) if count >= 30 else rng.choice((1, 1, 1, 2, 3))
            lines.append(
                LineItem(
                    gid("LineItem", LINE_ITEM_BASE + index * LINES_PER_ORDER + k),
                    variant,
                    variant.title,
                    quantity,
                    quantity,
                    quantity,
                )
            )
        return lines

    def _decorate(self, rng: random.Random, order: Order) -> None:
        if rng.random() < 0.1:
            order.tags.append("rush")
        if len(order.line_items) >= 30 or rng.random() < 0.04:
            order.tags.append("wholesale")
        if rng.random() < 0.08:
            order.tags.append("gift")
            order.note = rng.choice(GIFT_NOTES)
        roll = rng.random()
        if roll < 0.03:
            order.risk = OrderRisk(rng.choice(("CANCEL", "INVESTIGATE")), [RiskAssessment("HIGH")])
        elif roll < 0.08:
            order.risk = OrderRisk("INVESTIGATE", [RiskAssessment("MEDIUM")])

    def _sell(self, index: int, order: Order) -> None:
        """The channel and the shipping line, from a generator of their own: adding them left every
        other seeded value as it was."""
        rng = random.Random(f"{self.seed}:{index}:sale")
        wholesale = "wholesale" in order.tags
        order.source_name = "shopify_draft_order" if wholesale else _weighted(rng, CHANNELS)
        address = order.shipping_address
        abroad = address is not None and address.country_code_v2 not in (None, HOME_COUNTRY)
        if "rush" in order.tags and not abroad:
            order.shipping_line = EXPRESS
            return
        lines = INTERNATIONAL_SHIPPING if abroad else DOMESTIC_SHIPPING
        order.shipping_line = rng.choices([s for s, _ in lines], weights=[w for _, w in lines])[0]

    def _bundle(self, index: int, order: Order) -> None:
        """Some orders bought a bundle: their first two lines are its components. A generator of its
        own: adding bundles left every other seeded value as it was."""
        rng = random.Random(f"{self.seed}:{index}:bundle")
        if len(order.line_items) < 2 or len(order.line_items) >= 30 or rng.random() >= BUNDLE_SHARE:
            return
        title, sku = rng.choice(BUNDLES)
        group = LineItemGroup(gid("LineItemGroup", LINE_ITEM_GROUP_BASE + index), title, 1, sku)
        for line in order.line_items[:2]:
            line.line_item_group = group

    def _assign_fulfillment_orders(self, rng: random.Random, index: int, order: Order) -> None:
        """One fulfillment order per shipping location; a few orders are split over two warehouses."""
        split = len(order.line_items) >= 2 and rng.random() < 0.15
        groups: dict[int, list[int]] = {}
        for k in range(len(order.line_items)):
            groups.setdefault(k % 2 if split else 0, []).append(k)
        for slot, lines in groups.items():
            fo = FulfillmentOrder(
                gid("FulfillmentOrder", FULFILLMENT_ORDER_BASE + index * FOS_PER_ORDER + slot),
                order.id,
                "OPEN",
                order.created_at,
                order.updated_at,
                self.shipping_locations[slot],
                [
                    FulfillmentOrderLineItem(
                        gid("FulfillmentOrderLineItem", FO_LINE_ITEM_BASE + index * LINES_PER_ORDER + k),
                        order.line_items[k],
                        order.line_items[k].quantity,
                        order.line_items[k].quantity,
                    )
                    for k in lines
                ],
            )
            order.fulfillment_orders.append(fo)

    def _advance_lifecycle(self, rng: random.Random, index: int, order: Order) -> None:
        """Older orders have mostly shipped; the newest are the floor's open work."""
        age = self._age(index)
        roll = rng.random()
        if roll < 0.03:
            order.cancelled_at, order.cancel_reason = (
                order.updated_at,
                rng.choice(("CUSTOMER", "INVENTORY", "FRAUD")),
            )
            for li in order.line_items:
                li.current_quantity = li.unfulfilled_quantity = 0
            for fo in order.fulfillment_orders:
                fo.status = "CLOSED"
                for fol in fo.line_items:
                    fol.remaining_quantity = 0
        elif roll < 0.03 + 0.9 * age:
            for slot, fo in enumerate(order.fulfillment_orders):
                self._fulfil(rng, index, slot, order, fo, partial=False)
        elif roll < 0.08 + 0.9 * age:
            self._fulfil(rng, index, 0, order, order.fulfillment_orders[0], partial=True)
        elif roll < 0.14 + 0.9 * age:
            self._hold(index, order)

    def _age(self, index: int) -> float:
        """How far the order is along its life: 0 just placed (open), 1 the oldest (mostly shipped)."""
        if not self.floor_ages:
            return 1 - index / max(self.count, 1)  # open work spread over the whole history
        days_old = (self.now_ts - self.created_ts(index)) / 86_400
        return OLD_AGE * min(days_old / FLOOR_DAYS, 1)

    def _fulfil(
        self, rng: random.Random, index: int, slot: int, order: Order, fo: FulfillmentOrder, partial: bool
    ) -> None:
        lines = fo.line_items[: max(1, len(fo.line_items) // 2)] if partial else fo.line_items
        if partial and lines[0].remaining_quantity > 1:
            shipped = {lines[0].id: lines[0].remaining_quantity - 1}
        else:
            shipped = {fol.id: fol.remaining_quantity for fol in lines}
        for fol in fo.line_items:
            quantity = shipped.get(fol.id, 0)
            fol.remaining_quantity -= quantity
            fol.line_item.unfulfilled_quantity -= quantity
        fo.status = "IN_PROGRESS" if any(fol.remaining_quantity for fol in fo.line_items) else "CLOSED"
        company, url = rng.choice(CARRIERS)
        number = f"1Z{rng.randrange(10**15):015d}"
        order.fulfillments.append(
            Fulfillment(
                gid("Fulfillment", FULFILLMENT_BASE + index * FOS_PER_ORDER + slot),
                "SUCCESS",
                order.updated_at,
                [TrackingInfo(company, number, url.format(number))],
                fo.location.id,
                {fol.line_item.id: q for fol in fo.line_items if (q := shipped.get(fol.id, 0))},
                [fo.id],
            )
        )

    def _hold(self, index: int, order: Order) -> None:
        if order.display_financial_status == "PENDING":
            reason, notes = "AWAITING_PAYMENT", "Waiting for bank transfer"
        elif order.risk.assessments[0].risk_level == "HIGH":
            reason, notes = "HIGH_RISK_OF_FRAUD", "Fraud check"
        elif order.shipping_address is not None and order.shipping_address.zip is None:
            reason, notes = "INCORRECT_ADDRESS", "Postcode missing"
        else:
            return
        fo = order.fulfillment_orders[0]
        fo.status = "ON_HOLD"
        fo.holds.append(FulfillmentHold(gid("FulfillmentHold", HOLD_BASE + index), reason, notes, None))
