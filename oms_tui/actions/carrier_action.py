"""Kinds whose actions go to the carrier service (labels) rather than to the store.

The outbox delivers them like store actions, exactly once: marked `sending` before they go out, and
after an unknown outcome (no answer, a killed station) `look()` reads the carrier's own record by id
before anything is sent again. The carrier calls block: the outbox runs them in a thread.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from oms_tui.actions.base import Declaration, P, Target, Verdict
from oms_tui.carriers.base import Carrier


class CarrierActionType(Declaration[P]):
    target = Target.CARRIER

    @abstractmethod
    def send(self, carrier: Carrier, payload: P) -> dict[str, Any]:
        """Do it at the carrier; what is kept of the answer (raises `CarrierError`)."""

    @abstractmethod
    def look(self, carrier: Carrier, payload: P) -> Verdict:
        """After an unknown outcome: did the carrier do it? Only its record counts."""

    def duplicate_of_applied(self, code: str) -> bool:
        """Whether the carrier refused it (error `code`) only because an earlier attempt got through."""
        return False
