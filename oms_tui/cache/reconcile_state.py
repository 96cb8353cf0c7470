"""What each reconcile run found: the proof that the cache holds what the store holds, kept per run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from oms_tui.cache.types import UTCDateTime, utcnow


class ReconcileRun(SQLModel, table=True):
    """One comparison of the cache with the store over a span of days (`oms-tui reconcile`, the
    nightly run, or the palette). `differences` lists what was found (capped; the counts are whole)."""

    __tablename__ = "reconcile_runs"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    trigger: str  # cli, palette, schedule
    station: str | None = None
    first_day: str | None = None  # YYYY-MM-DD (UTC), the span checked
    last_day: str | None = None
    deep: bool = False
    dry_run: bool = False
    days_checked: int = 0
    found: int = 0
    repaired: int = 0
    left: int = 0
    points: int = 0  # API cost, in the store's query points
    seconds: float = 0.0
    differences: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    error: str | None = None  # why it stopped before the end
