"""What a label is bought for: the addresses, the parcel, and the rate the rule picks."""

from __future__ import annotations

import re
from collections.abc import Sequence

from oms_tui.carriers.base import Address, Rate
from oms_tui.config import Settings

# Delivery promises read from a shipping method's title when the settings do not list it.
PROMISES = ((re.compile(r"overnight|next.?day", re.I), 1), (re.compile(r"2.?day|two.?day|express", re.I), 2))


class LabelProblem(ValueError):
    """A label step that cannot be done; the message is one line (nothing was bought)."""


def max_days(settings: Settings, shipping_method: str | None) -> int:
    """The most delivery days the order's shipping method promises."""
    method = (shipping_method or "").strip()
    if method in settings.label_delivery_days:
        return settings.label_delivery_days[method]
    return next((days for pattern, days in PROMISES if pattern.search(method)), settings.label_max_days)


def choose_rate(rates: Sequence[Rate], days: int) -> Rate:
    """The cheapest rate that arrives within `days`; when none does, the fastest (then cheapest)."""
    if not rates:
        raise LabelProblem("the carrier offered no rates for this parcel")
    keeping = [rate for rate in rates if rate.delivery_days is not None and rate.delivery_days <= days]
    if keeping:
        return min(keeping, key=lambda rate: (rate.price, rate.delivery_days or 0))
    return min(rates, key=lambda rate: (rate.delivery_days or 99, rate.price))


def box_size(settings: Settings, name: str | None) -> tuple[str, tuple[float, float, float]]:
    """The named box preset (None: the first one)."""
    if not settings.boxes:
        raise LabelProblem("no box presets: set [boxes] in the settings")
    chosen = name or next(iter(settings.boxes))
    size = settings.boxes.get(chosen)
    if size is None:
        raise LabelProblem(f"unknown box {chosen!r}: one of {', '.join(settings.boxes)}")
    return chosen, (size[0], size[1], size[2])


def ship_to(order_name: str, address: dict[str, object] | None) -> Address:
    """The order's shipping address (Shopify's MailingAddress fields)."""
    found = {key: str(value) for key, value in (address or {}).items() if value}
    if not found.get("address1") or not found.get("zip"):
        raise LabelProblem(f"{order_name} has no full shipping address")
    return Address(
        name=found.get("name", ""),
        company=found.get("company", ""),
        street1=found["address1"],
        street2=found.get("address2", ""),
        city=found.get("city", ""),
        state=found.get("provinceCode", ""),
        zip=found["zip"],
        country=found.get("countryCodeV2", "US"),
        phone=found.get("phone", ""),
    )


def ship_from(settings: Settings, location: str | None) -> Address:
    """The return address for the location (`ship_from` by location name, or "default")."""
    fields = settings.ship_from.get(location or "") or settings.ship_from.get("default")
    if not fields:
        where = f'[ship_from."{location}"]' if location else '[ship_from."default"]'
        raise LabelProblem(f"no ship-from address for this station: set {where} in the settings")
    try:
        return Address(**fields)
    except TypeError as exc:
        raise LabelProblem(f"ship_from for {location or 'default'}: {exc}") from None
