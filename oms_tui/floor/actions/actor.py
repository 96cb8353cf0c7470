"""Who acts on the floor: apart from `store_actions`, so that the app and its first screen name an
actor without importing the actions (their payload models and the store client's types)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (or nobody signed in) at a station; `approved_by`, a manager who approved,
    with their badge, what the person may not do alone."""

    station: str
    staff_code: str | None = None
    approved_by: str | None = None
