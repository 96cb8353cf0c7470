"""The exception rules: what needs a person, with a suggested fix. Pure functions over cached rows.

`floor.exceptions` loads the rows, runs these rules and keeps their findings in the cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import (
    ApiNotice,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    SyncState,
)
from oms_tui.cache.ship_by import ShipByPolicy

CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITY_RANK = {CRITICAL: 0, WARNING: 1, INFO: 2}

# What a person sees in the pane's kind filter and the board, in this order.
KIND_LABELS: dict[str, str] = {
    ExceptionKind.FRAUD_RISK: "fraud risk",
    ExceptionKind.PAYMENT: "payment",
    ExceptionKind.ADDRESS_INCOMPLETE: "address incomplete",
    ExceptionKind.ADDRESS_PO_BOX: "PO box",
    ExceptionKind.ADDRESS_UNDELIVERABLE: "address undeliverable",
    ExceptionKind.SHORT_STOCK: "short stock",
    ExceptionKind.SLA_BREACHED: "SLA breached",
    ExceptionKind.SLA_AT_RISK: "SLA at risk",
    ExceptionKind.INTERRUPTED: "cancelled/held in work",
    ExceptionKind.STORE_REJECTED: "store rejected",
    ExceptionKind.SYNC_FAILING: "sync failing",
    ExceptionKind.SYNC_MALFORMED: "sync malformed",
    ExceptionKind.API_DEPRECATED: "API deprecated",
    ExceptionKind.PRINT_FAILED: "printer failed",
    ExceptionKind.RETURN_MISSING: "return: items missing",
    ExceptionKind.RETURN_UNEXPECTED: "return: unexpected items",
    ExceptionKind.RETURN_LATE: "return: past its window",
    ExceptionKind.MESSAGE_FAILED: "message not sent",
    ExceptionKind.MESSAGE_UNKNOWN: "message: sent?",
    ExceptionKind.CUTOFF_AT_RISK: "misses cut-off",
    ExceptionKind.RULE: "rule",
    ExceptionKind.RECONCILE_DIFFERENCE: "reconcile: store differs",
    ExceptionKind.LABEL_UNUSED: "label: refund pending",
}
# Fixes for rows raised outside the rules (the outbox pusher, sync), which carry none of their own.
DEFAULT_FIXES: dict[str, str] = {
    ExceptionKind.STORE_REJECTED: (
        "Read the store's message, correct the order in Shopify, then `oms-tui outbox retry`"
    ),
    ExceptionKind.SYNC_MALFORMED: (
        "Check the object in Shopify's admin; sync reads it again when it next changes"
    ),
    ExceptionKind.PRINT_FAILED: (
        "Check the printer (`lpstat -p`), then print the kept PDF or print the order again"
    ),
    ExceptionKind.MESSAGE_FAILED: "Check the mail settings or the address, then e: resend it",
    ExceptionKind.MESSAGE_UNKNOWN: (
        "Look in the mailbox's Sent folder: e marks it sent, or resends it (same Message-ID)"
    ),
    ExceptionKind.RECONCILE_DIFFERENCE: (
        "Compare the order in Shopify's admin with the floor; `oms-tui reconcile --since DAY` checks again"
    ),
}

OPEN_WORK = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")
AT_RISK_SHARE = 0.25  # the last quarter of the SLA window counts as at risk
SYNC_GRACE = timedelta(minutes=5)  # a blip is not an exception; failing for this long is
API_NOTICE_SHOWN_FOR = timedelta(days=1)  # as the status line: a notice not seen for a day is dealt with

# Countries whose carriers need a postcode (most do; these are the shop's usual markets and neighbours).
POSTCODE_REQUIRED = frozenset(
    {"US", "CA", "GB", "DE", "FR", "NL", "BE", "AT", "CH", "ES", "PT", "IT", "DK", "SE", "NO", "FI"}
    | {"PL", "CZ", "AU", "NZ", "JP", "KR", "CN", "IN", "BR", "MX", "SG"}
)
PO_BOX_REFUSED = frozenset({"UPS", "FEDEX", "DHL", "DHL EXPRESS"})  # they deliver to street addresses only
PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|postfach|boîte\s+postale)\b", re.I)


@dataclass(frozen=True)
class RuleSettings:
    sla_hours: float = 24.0
    carrier: str = "UPS"  # the carrier the floor ships with
    return_window_days: float = 30.0  # from shipment to the parcel's arrival back
    ship_by: ShipByPolicy = field(default_factory=ShipByPolicy)  # the carriers' cut-offs

    @property
    def sla(self) -> timedelta:
        return timedelta(hours=self.sla_hours)

    @property
    def at_risk_after(self) -> timedelta:
        return self.sla * (1 - AT_RISK_SHARE)


@dataclass(frozen=True)
class Finding:
    kind: ExceptionKind
    subject: str  # an order, a fulfillment order, a sync stream, an API notice
    severity: str
    message: str
    fix: str
    order_id: str | None = None

    @property
    def cause(self) -> str:
        return f"{self.kind} {self.subject}"


@dataclass
class OrderFacts:
    """What the rules need to know about one order, loaded in bulk by `floor.exceptions`."""

    order: Order
    fulfillment_orders: list[FulfillmentOrder]
    lines: dict[str, list[FulfillmentOrderLineItem]] = field(default_factory=dict)  # by fulfillment order
    busy: dict[str, str] = field(default_factory=dict)  # fulfillment order -> "ALI picking it"
    needs_shipping: bool = True
    not_shipped: set[str] = field(default_factory=set)  # lines (of `lines`) that need no shipping
    # (fulfillment order, SKU) -> (units allotted, units needed, the allocation's summary), for the
    # work the stock at its location does not cover (`floor.allocation.short_stock`)
    short: dict[tuple[str, str], tuple[int, int, str]] = field(default_factory=dict)

    def shipping_lines(self, fo: FulfillmentOrder) -> list[FulfillmentOrderLineItem]:
        """The fulfillment order's lines that ship: a gift card or a download is no floor work."""
        return [line for line in self.lines.get(fo.id, []) if line.id not in self.not_shipped]

    def nothing_to_ship(self, fo: FulfillmentOrder) -> bool:
        """Units left, none of which ship (gift cards alone, or the goods shipped already)."""
        left = [line for line in self.lines.get(fo.id, []) if line.remaining_quantity > 0]
        return bool(left) and all(line.id in self.not_shipped for line in left)

    @property
    def open_work(self) -> bool:
        return self.order.cancelled_at is None and any(
            fo.status in OPEN_WORK and not self.nothing_to_ship(fo) for fo in self.fulfillment_orders
        )


def order_findings(facts: OrderFacts, settings: RuleSettings, now: datetime) -> list[Finding]:
    found = list(interrupted(facts))
    if facts.open_work:
        for rule in (payment, fraud_risk, address, short_stock):
            found += rule(facts, settings)
        found += sla(facts, settings, now)
    return found


def payment(facts: OrderFacts, _settings: RuleSettings) -> Iterable[Finding]:
    order, status = facts.order, facts.order.financial_status
    if status == "PENDING":
        yield _order_finding(
            ExceptionKind.PAYMENT,
            order,
            WARNING,
            "payment pending",
            "Do not ship yet: hold it for AWAITING_PAYMENT until the payment arrives",
        )
    elif status == "AUTHORIZED":
        yield _order_finding(
            ExceptionKind.PAYMENT,
            order,
            WARNING,
            "payment only authorised, not captured",
            "Capture the payment in Shopify before it ships (an authorisation expires)",
        )


def fraud_risk(facts: OrderFacts, _settings: RuleSettings) -> Iterable[Finding]:
    order = facts.order
    if order.risk_recommendation == "CANCEL":
        text = "high fraud risk: Shopify recommends cancelling"
    elif order.risk_level == "HIGH":
        text = "high fraud risk"
    elif order.risk_recommendation == "INVESTIGATE":
        text = "fraud risk: Shopify recommends investigating"
    else:
        return
    severity = (
        WARNING if order.risk_recommendation == "INVESTIGATE" and order.risk_level != "HIGH" else CRITICAL
    )
    yield _order_finding(
        ExceptionKind.FRAUD_RISK,
        order,
        severity,
        text,
        "Hold it (HIGH_RISK_OF_FRAUD) for a manager to review; cancel it if the review confirms fraud",
    )


def address(facts: OrderFacts, settings: RuleSettings) -> Iterable[Finding]:
    if not facts.needs_shipping:
        return
    order, shipping = facts.order, facts.order.shipping_address or {}
    country = (shipping.get("countryCodeV2") or "").upper()
    missing = [name for name, key in (("street", "address1"), ("city", "city")) if not shipping.get(key)]
    if not country:
        missing.append("country")
    if country in POSTCODE_REQUIRED and not (shipping.get("zip") or "").strip():
        missing.append(f"postcode (required in {country})")
    if not shipping:
        missing = ["the whole shipping address"]
    if missing:
        yield _order_finding(
            ExceptionKind.ADDRESS_INCOMPLETE,
            order,
            WARNING,
            f"address incomplete: no {', '.join(missing)}",
            "Ask the customer, correct the address in Shopify; hold it for INCORRECT_ADDRESS meanwhile",
        )
    street = " ".join(shipping.get(key) or "" for key in ("address1", "address2"))
    if PO_BOX.search(street) and settings.carrier.upper() in PO_BOX_REFUSED:
        yield _order_finding(
            ExceptionKind.ADDRESS_PO_BOX,
            order,
            WARNING,
            f"PO box address: {settings.carrier} does not deliver to PO boxes",
            "Ship it with a postal service, or ask the customer for a street address",
        )


def short_stock(facts: OrderFacts, _settings: RuleSettings) -> Iterable[Finding]:
    """Work the stock at its location does not cover once the units go in queue order."""
    for fo in facts.fulfillment_orders:
        if fo.status not in ("OPEN", "IN_PROGRESS") or fo.location_id is None:
            continue
        skus = dict.fromkeys(line.sku for line in facts.shipping_lines(fo) if line.sku)
        found = [(sku, facts.short[(fo.id, sku)]) for sku in skus if (fo.id, sku) in facts.short]
        if found:
            where = fo.location_name or "its location"
            lines = ", ".join(f"{sku} {allotted} of {needed}" for sku, (allotted, needed, _) in found)
            at = f" at {where}" if len(found) == 1 else ""  # a line the pane can show whole
            yield Finding(
                ExceptionKind.SHORT_STOCK,
                fo.id,
                WARNING,
                f"{facts.order.name}: {found[0][1][2]} ({lines}{at})",
                "s: hold it as INVENTORY_OUT_OF_STOCK, move it to a location with stock, or ship it partial",
                facts.order.id,
            )


def sla(facts: OrderFacts, settings: RuleSettings, now: datetime) -> Iterable[Finding]:
    """Late once past its ship-by time (`cache.ship_by`: the SLA unless the store or the method says
    otherwise), at risk in the last quarter of an SLA before it."""
    order = facts.order
    due = order.ship_by
    basis = f" ({settings.sla_hours:g} h SLA)" if due == order.created_at + settings.sla else ""
    if now >= due:
        yield _order_finding(
            ExceptionKind.SLA_BREACHED,
            order,
            WARNING,  # a backlog is common; fraud, rejections and interrupted work come first
            f"late: was due {due:%d %b %H:%M} UTC{basis}",
            "Pick and pack it next; tell the customer if it cannot leave today",
        )
    elif now >= due - settings.sla + settings.at_risk_after:
        yield _order_finding(
            ExceptionKind.SLA_AT_RISK,
            order,
            INFO,
            f"at risk: due {due:%d %b %H:%M} UTC{basis}",
            "Move it up: pick it before newer orders",
        )


def interrupted(facts: OrderFacts) -> Iterable[Finding]:
    """Cancelled or held while someone is picking or packing it: they must stop and put it aside."""
    order = facts.order
    for fo in facts.fulfillment_orders:
        who = facts.busy.get(fo.id)
        if who is None:
            continue
        if order.cancelled_at is not None or fo.status == "CANCELLED":
            what, fix = "cancelled", "Stop: put the items back in their bins"
        elif fo.status == "ON_HOLD":
            what, fix = "put on hold", "Stop: set the items aside with the order until the hold is released"
        else:
            continue
        yield Finding(
            ExceptionKind.INTERRUPTED, fo.id, CRITICAL, f"{order.name} was {what} while {who}", fix, order.id
        )


def sync_failing(states: Iterable[SyncState], now: datetime) -> Iterable[Finding]:
    for state in states:
        if state.last_error is None:
            continue
        since = state.last_success or state.last_error_at or now
        if now - since < SYNC_GRACE:
            continue
        yield Finding(
            ExceptionKind.SYNC_FAILING,
            state.stream,
            CRITICAL,
            f"sync of {state.stream.replace('_', ' ')} failing: {state.last_error}",
            "Check the network and the store's status; the cache keeps working offline meanwhile",
        )


def api_deprecated(notices: Iterable[ApiNotice], now: datetime) -> Iterable[Finding]:
    for notice in notices:
        if now - notice.last_seen > API_NOTICE_SHOWN_FOR:
            continue
        yield Finding(
            ExceptionKind.API_DEPRECATED,
            f"notice {notice.id}",
            WARNING,
            notice.message,
            "Change api_version in the settings (or upgrade oms-tui) as the notice says",
        )


@dataclass(frozen=True)
class ReturnFacts:
    """What arrived of one return, as the receiving desk counted it."""

    return_id: str
    name: str  # "#1004-R1"
    order_id: str
    shipped_at: datetime | None  # the order's last shipment
    missing: dict[str, int]  # SKU (or title) -> units expected that did not come back
    unexpected: list[str]  # codes scanned that are not on the return


def return_findings(facts: ReturnFacts, settings: RuleSettings, now: datetime) -> list[Finding]:
    found = []

    def add(kind: ExceptionKind, severity: str, text: str, fix: str) -> None:
        text = f"return {facts.name} {text}"
        found.append(Finding(kind, facts.return_id, severity, text, fix, facts.order_id))

    if facts.missing:
        what = ", ".join(f"{count} x {sku}" for sku, count in sorted(facts.missing.items()))
        add(
            ExceptionKind.RETURN_MISSING,
            WARNING,
            f"arrived without {what}",
            "Ask the customer or the carrier about the missing units before refunding them",
        )
    if facts.unexpected:
        what = ", ".join(sorted(set(facts.unexpected)))
        add(
            ExceptionKind.RETURN_UNEXPECTED,
            WARNING,
            f"held items not on it: {what}",
            "Set the items aside; contact the customer (wrong parcel or a mix-up)",
        )
    if facts.shipped_at is not None and now - facts.shipped_at > timedelta(days=settings.return_window_days):
        add(
            ExceptionKind.RETURN_LATE,
            INFO,
            f"arrived {(now - facts.shipped_at).days} days after shipment "
            f"(window {settings.return_window_days:g} days)",
            "Check the shop's return policy before refunding",
        )
    return found


def missed_cutoff(order_id: str, name: str, carrier: str, cutoff: datetime, rate: float, due: int) -> Finding:
    """An order the floor will not pick before its carrier's cut-off at the rate it picks now."""
    return Finding(
        ExceptionKind.CUTOFF_AT_RISK,
        order_id,
        WARNING,
        f"{name}: will miss {carrier}'s {cutoff:%H:%M} UTC cut-off at {rate:g} orders/h ({due} due by it)",
        "Pick it now (move it up), or tell the customer it leaves with the next collection",
        order_id,
    )


def fix_for(kind: str, fix: str | None) -> str:
    return fix or DEFAULT_FIXES.get(kind, "")


def label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def rank(severity: str) -> int:
    return SEVERITY_RANK.get(severity, len(SEVERITY_RANK))


def _order_finding(kind: ExceptionKind, order: Order, severity: str, text: str, fix: str) -> Finding:
    return Finding(kind, order.id, severity, f"{order.name}: {text}", fix, order.id)
