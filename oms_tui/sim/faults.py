"""Injected faults: seeded, so a given seed produces the same sequence of failures on every run.

Profiles draw a fault per request: 5xx with an HTML body, 503 with Retry-After, a slow answer, a
connection dropped mid-response, an extra THROTTLED. Manual switches for sync and outbox tests:
`outage` (every request fails while on) and `drop_after_mutations` (the next N mutations are applied,
then the connection drops before the response: the client cannot know it succeeded). Deprecation
switches: `deprecated_reason` (sent as the `X-Shopify-API-Deprecated-Reason` header on every answer)
and `deprecation_notes` (in every body's `extensions.deprecations`).
`fired` counts the faults injected so far by kind (KINDS, and "dropped_after_mutation"), so a test can
check that the faults it relies on happened.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultProfile:
    server_error: float = 0.0
    unavailable: float = 0.0
    slow: float = 0.0
    dropped: float = 0.0
    throttled: float = 0.0
    drop_after_mutation: float = 0.0
    slow_seconds: float = 0.0
    search_lag_seconds: float = 0.0


PROFILES = {
    "none": FaultProfile(),
    "mild": FaultProfile(
        server_error=0.01,
        unavailable=0.01,
        slow=0.03,
        dropped=0.01,
        throttled=0.02,
        drop_after_mutation=0.01,
        slow_seconds=0.5,
        search_lag_seconds=5,
    ),
    "hostile": FaultProfile(
        server_error=0.05,
        unavailable=0.05,
        slow=0.1,
        dropped=0.05,
        throttled=0.08,
        drop_after_mutation=0.05,
        slow_seconds=2.0,
        search_lag_seconds=90,
    ),
}
KINDS = ("server_error", "unavailable", "slow", "dropped", "throttled")
HTML_ERROR = (
    "<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1>"
    "<p>There was a problem loading this website. Please try again.</p></body></html>"
)


class Faults:
    def __init__(self, profile: str | FaultProfile = "none", seed: int = 7) -> None:
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self._rng = random.Random(seed)
        self.outage = False
        self.drop_after_mutations = 0
        self.fired: Counter[str] = Counter()
        self.deprecated_reason: str | None = None
        self.deprecation_notes: list[str] = []

    def before_request(self) -> str | None:
        """The fault to inject before handling a request: one of KINDS, or None."""
        fault = self._draw()
        if fault:
            self.fired[fault] += 1
        return fault

    def _draw(self) -> str | None:
        if self.outage:
            return self._rng.choice(("unavailable", "dropped"))
        roll = self._rng.random()
        for kind in KINDS:
            chance: float = getattr(self.profile, kind)
            if roll < chance:
                return kind
            roll -= chance
        return None

    def error_status(self) -> int:
        return self._rng.choice((500, 502, 504))

    def drop_after_mutation(self) -> bool:
        """Whether to drop the connection after applying this mutation."""
        if self.drop_after_mutations > 0:
            self.drop_after_mutations -= 1
            self.fired["dropped_after_mutation"] += 1
            return True
        if self._rng.random() < self.profile.drop_after_mutation:
            self.fired["dropped_after_mutation"] += 1
            return True
        return False
