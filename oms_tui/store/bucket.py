"""A local model of the store's cost bucket, so the client waits before sending instead of being throttled.

The store reports `throttleStatus` (maximumAvailable, currentlyAvailable, restoreRate) with every
response; between responses the bucket refills linearly at restoreRate up to maximumAvailable.
Requests still in flight are subtracted from what the store reported, because the report may predate
them: this can only make the model more cautious than the store, never less.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Float rounding can leave a shortfall so small that sleeping it would not move the clock.
_NEGLIGIBLE = 1e-6


@dataclass
class CostBucket:
    maximum: float | None = None  # unknown until the first response
    available: float = 0.0
    restore_rate: float = 0.0
    as_of: float = 0.0
    in_flight: float = 0.0
    margin: float = 0.0  # extra points to wait for, against rounding and clock drift

    def available_at(self, now: float) -> float:
        if self.maximum is None:
            return float("inf")
        return min(self.maximum, self.available + (now - self.as_of) * self.restore_rate)

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until `cost` (plus the margin, within the bucket's size) is available."""
        if self.maximum is None:
            return 0.0
        needed = min(cost + self.margin, self.maximum) - self.available_at(now)
        if needed <= _NEGLIGIBLE:
            return 0.0
        return needed / self.restore_rate if self.restore_rate > 0 else float("inf")

    def spend(self, cost: float, now: float) -> None:
        """A request of `cost` is being sent."""
        if self.maximum is not None:
            self.available = self.available_at(now) - cost
            self.as_of = now
        self.in_flight += cost

    def settle(self, cost: float, now: float, throttle_status: Mapping[str, Any] | None) -> None:
        """A request of `cost` finished; `throttle_status` is the store's report, if it sent one."""
        self.in_flight -= cost
        if throttle_status is None:
            return  # keep the modelled deduction: assuming the points were spent is the safe side
        self.maximum = float(throttle_status["maximumAvailable"])
        self.restore_rate = float(throttle_status["restoreRate"])
        self.available = float(throttle_status["currentlyAvailable"]) - self.in_flight
        self.as_of = now
