"""The imitation's carriers, services and prices: deterministic from the parcel and the distance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True)
class Service:
    carrier: str
    service: str
    days: int
    base: Decimal
    per_lb: Decimal


SERVICES = (
    Service("USPS", "GroundAdvantage", 5, Decimal("4.75"), Decimal("0.90")),
    Service("USPS", "Priority", 2, Decimal("8.10"), Decimal("1.40")),
    Service("USPS", "Express", 1, Decimal("28.50"), Decimal("3.00")),
    Service("UPS", "Ground", 4, Decimal("9.20"), Decimal("1.10")),
    Service("UPS", "2ndDayAir", 2, Decimal("18.40"), Decimal("2.60")),
    Service("UPS", "NextDayAir", 1, Decimal("34.90"), Decimal("4.20")),
    Service("FedEx", "FEDEX_GROUND", 4, Decimal("9.05"), Decimal("1.05")),
    Service("FedEx", "FEDEX_2_DAY", 2, Decimal("19.10"), Decimal("2.50")),
)


def number(value: Any, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def billed_pounds(parcel: dict[str, Any]) -> int:
    """Whole pounds billed: the actual weight (ounces) or the dimensional weight, whichever is more."""
    actual = number(parcel.get("weight")) / 16
    volume = number(parcel.get("length")) * number(parcel.get("width")) * number(parcel.get("height"))
    return max(1, math.ceil(max(actual, volume / 139)))


def far(sender: dict[str, Any], to: dict[str, Any]) -> bool:
    """Across the country: ZIP codes whose first digits are 5 or more apart (a day more by ground)."""
    a, b = str(sender.get("zip") or "0")[:1], str(to.get("zip") or "0")[:1]
    return a.isdigit() and b.isdigit() and abs(int(a) - int(b)) >= 5


def quote(
    service: Service, parcel: dict[str, Any], sender: dict[str, Any], to: dict[str, Any]
) -> dict[str, Any]:
    pounds = billed_pounds(parcel)
    distant = far(sender, to)
    price = service.base + service.per_lb * (pounds - 1) + (Decimal("1.35") if distant else 0)
    days = service.days + (1 if distant and service.days >= 4 else 0)
    return {
        "carrier": service.carrier,
        "service": service.service,
        "rate": str(price.quantize(Decimal("0.01"), ROUND_HALF_UP)),
        "currency": "USD",
        "delivery_days": days,
        "est_delivery_days": days,
        "delivery_date_guaranteed": service.days <= 2,
    }
