"""How long the client keeps trying before it reports the store unavailable."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # sends per call, the first included
    base_delay: float = 0.5
    max_delay: float = 30.0
    give_up_after: float = 120.0  # seconds of fault waits per call; the sync/outbox retries later

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Capped exponential delay before retry number `retry` (0-based), jittered into [d/2, d]."""
        delay = min(self.max_delay, self.base_delay * 2**retry)
        return delay / 2 + rng.uniform(0, delay / 2)
