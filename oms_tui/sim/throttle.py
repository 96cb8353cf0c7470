"""Shopify's leaky bucket: a request needs its requested cost available, and the unused part is refunded."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# plan -> (restore rate in points/s, bucket size); the bucket holds 20 seconds of restore.
PLANS: dict[str, tuple[float, float]] = {
    "standard": (100.0, 2000.0),
    "advanced": (200.0, 4000.0),
    "plus": (1000.0, 20000.0),
    "enterprise": (2000.0, 40000.0),
}


@dataclass
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def as_json(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.currently_available,
            "restoreRate": self.restore_rate,
        }


class LeakyBucket:
    """Points available to one access token; `clock` is a monotonic clock in seconds (injectable)."""

    def __init__(self, restore_rate: float, size: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.restore_rate = restore_rate
        self.size = size
        self._clock = clock
        self._available = size
        self._at = clock()

    @classmethod
    def for_plan(cls, plan: str, clock: Callable[[], float] = time.monotonic) -> LeakyBucket:
        rate, size = PLANS[plan]
        return cls(rate, size, clock)

    def available(self) -> float:
        now = self._clock()
        self._available = min(self.size, self._available + (now - self._at) * self.restore_rate)
        self._at = now
        return self._available

    def try_take(self, cost: int) -> bool:
        """Take `cost` points if available now; False means the request is throttled."""
        if self.available() < cost:
            return False
        self._available -= cost
        return True

    def refund(self, points: int) -> None:
        self._available = min(self.size, self.available() + max(points, 0))

    def status(self) -> ThrottleStatus:
        return ThrottleStatus(self.size, round(self.available(), 1), self.restore_rate)
