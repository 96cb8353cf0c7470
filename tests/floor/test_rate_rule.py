"""Rate shopping by rule: the cheapest rate that keeps the promise of the order's shipping method."""

from __future__ import annotations

from decimal import Decimal

from oms_tui.carriers.base import Rate
from oms_tui.floor.packing.rate_rule import cheapest_kept, listed, promise_for

TABLE = {"Ground": 5, "2Day": 2, "Express": 1}


def rate(ident: str, price: str, days: int | None) -> Rate:
    return Rate(ident, "X", ident, Decimal(price), "USD", days)


RATES = [
    rate("ground", "9.20", 4),
    rate("priority", "8.10", 2),
    rate("express", "28.50", 1),
    rate("economy", "4.75", 6),
    rate("unknown", "3.00", None),
]


def test_the_promise_comes_from_the_methods_title_or_the_default() -> None:
    assert promise_for("UPS Ground", TABLE, 5).days == 5
    assert promise_for("FedEx 2day", TABLE, 5).days == 2  # any case
    assert promise_for("DHL Express Worldwide", TABLE, 5).days == 1
    default = promise_for("Free shipping", TABLE, 7)
    assert default.days == 7 and default.why == "Free shipping: 7 days (the default)"


def test_the_cheapest_rate_within_the_promise_wins() -> None:
    assert cheapest_kept(RATES, promise_for("UPS Ground", TABLE, 5)).id == "priority"  # cheaper and sooner
    assert cheapest_kept(RATES, promise_for("Free", TABLE, 7)).id == "economy"  # days unknown never count
    assert cheapest_kept(RATES, promise_for("Express", TABLE, 5)).id == "express"
    assert cheapest_kept(RATES[:2], promise_for("Express", TABLE, 5)) is None  # the packer chooses


def test_the_packers_list_is_cheapest_first() -> None:
    assert [r.id for r in listed(RATES)] == ["unknown", "economy", "priority", "ground", "express"]
