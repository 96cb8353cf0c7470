"""What a rule's conditions see of an order, and each condition's verdict with the value it saw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, LineItem, Order
from oms_tui.rules_settings import Money, Rule


@dataclass
class OrderView:
    order: Order
    skus: set[str] = field(default_factory=set)  # folded
    units: int = 0  # units still ordered, of the lines that ship
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)

    @property
    def country(self) -> str:
        return str((self.order.shipping_address or {}).get("countryCodeV2") or "").upper()


def load_view(session: Session, order: Order) -> OrderView:
    view = OrderView(order)
    for sku, quantity, ships in session.exec(
        select(LineItem.sku, LineItem.current_quantity, LineItem.requires_shipping).where(
            LineItem.order_id == order.id
        )
    ):
        if sku:
            view.skus.add(sku.casefold())
        view.units += quantity if ships else 0
    view.fulfillment_orders = list(
        session.exec(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.order_id == order.id)
            .order_by(col(FulfillmentOrder.id))
        )
    )
    return view


@dataclass(frozen=True)
class Check:
    key: str
    wanted: str
    seen: str  # the order's value, as the condition read it
    holds: bool


def _listed(values: tuple[str, ...]) -> str:
    return " or ".join(values)


def _money(view: OrderView) -> str:
    order = view.order
    return f"{order.total} {order.currency}" if order.total is not None else "unknown"


def _over(view: OrderView, money: Money) -> bool:
    order = view.order
    return order.total is not None and order.currency == money.currency and order.total > money.amount


def _under(view: OrderView, money: Money) -> bool:
    order = view.order
    return order.total is not None and order.currency == money.currency and order.total < money.amount


def _customer(view: OrderView) -> str:
    count = view.order.customer_orders
    return "unknown" if count is None else f"{count} order{'s' if count != 1 else ''}"


Reader = tuple[Callable[[OrderView], str], Callable[[OrderView, Any], bool], Callable[[Any], str]]
READERS: dict[str, Reader] = {
    "tags": (
        lambda v: ", ".join(v.order.tags) or "no tags",
        lambda v, w: bool({t.casefold() for t in v.order.tags} & set(w)),
        lambda w: f"any of {_listed(w)}",
    ),
    "channel": (
        lambda v: v.order.channel or "unknown",
        lambda v, w: (v.order.channel or "").casefold() in w,
        _listed,
    ),
    "shipping_method": (
        lambda v: v.order.shipping_method or "none",
        lambda v, w: any(name in (v.order.shipping_method or "").casefold() for name in w),
        lambda w: f"contains {_listed(w)}",
    ),
    "country": (lambda v: v.country or "unknown", lambda v, w: v.country in w, _listed),
    "country_not": (
        lambda v: v.country or "unknown",
        lambda v, w: bool(v.country) and v.country not in w,
        lambda w: f"not {_listed(w)}",
    ),
    "total_over": (_money, _over, lambda w: f"over {w}"),
    "total_under": (_money, _under, lambda w: f"under {w}"),
    "sku": (
        lambda v: ", ".join(sorted(v.skus)) or "no SKUs",
        lambda v, w: any(sku.casefold() in v.skus for sku in w),
        lambda w: f"any of {_listed(w)}",
    ),
    "units_at_least": (lambda v: str(v.units), lambda v, w: v.units >= w, lambda w: f"at least {w}"),
    "units_at_most": (lambda v: str(v.units), lambda v, w: v.units <= w, lambda w: f"at most {w}"),
    "risk": (
        lambda v: v.order.risk_level or "unknown",
        lambda v, w: (v.order.risk_level or "") in w,
        _listed,
    ),
    "customer_orders_at_most": (
        _customer,
        lambda v, w: v.order.customer_orders is not None and v.order.customer_orders <= w,
        lambda w: f"at most {w}",
    ),
    "customer_orders_at_least": (
        _customer,
        lambda v, w: v.order.customer_orders is not None and v.order.customer_orders >= w,
        lambda w: f"at least {w}",
    ),
    "note_contains": (
        lambda v: repr(v.order.note or ""),
        lambda v, w: w.casefold() in (v.order.note or "").casefold(),
        repr,
    ),
}


def checks(rule: Rule, view: OrderView) -> list[Check]:
    """Each of the rule's conditions on this order: what it wants, what it saw, whether it holds."""
    found = []
    for key, wanted in rule.conditions:
        seen, test, shown = READERS[key]
        found.append(Check(key, shown(wanted), seen(view), test(view, wanted)))
    return found


def matches(rule: Rule, view: OrderView) -> bool:
    return all(check.holds for check in checks(rule, view))
