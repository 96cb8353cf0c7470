"""Rate shopping by rule: the cheapest rate that keeps the order's promise.

The promise is the number of delivery days the customer's shipping method stands for: the first entry
of the `label_delivery_days` table whose name the method's title holds, in any case ("UPS Ground" = 5
names "UPS Ground" and "UPS Ground (signature)"); a method no entry names is promised `label_max_days`.
A rate whose delivery days the carrier does not say never counts as keeping a promise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oms_tui.carriers.base import Rate


@dataclass(frozen=True)
class Promise:
    days: int
    why: str  # "FedEx 2Day: 2 days", for the screen and the timeline


def promise_for(method: str | None, table: Mapping[str, int], default: int) -> Promise:
    title = (method or "").casefold()
    for pattern, days in table.items():
        if pattern.casefold() in title:
            return Promise(days, f"{method}: {days} day{'s' if days != 1 else ''}")
    shown = method or "no shipping method"
    return Promise(default, f"{shown}: {default} day{'s' if default != 1 else ''} (the default)")


def keeps(rate: Rate, promise: Promise) -> bool:
    return rate.delivery_days is not None and rate.delivery_days <= promise.days


def cheapest_kept(rates: Sequence[Rate], promise: Promise) -> Rate | None:
    """The cheapest rate delivering within the promise (the faster one when two cost the same);
    None when none does: the packer chooses."""
    kept = [rate for rate in rates if keeps(rate, promise)]
    return min(kept, key=lambda rate: (rate.price, rate.delivery_days or 0, rate.id), default=None)


def listed(rates: Sequence[Rate]) -> list[Rate]:
    """The rates as the packer chooses among them: cheapest first."""
    return sorted(rates, key=lambda rate: (rate.price, rate.delivery_days or 99, rate.id))
