"""Which box the bench last packed a given set of items in, so the next pack of the same items is
offered that box first."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from oms_tui.cache.types import UTCDateTime, utcnow


class BoxUsed(SQLModel, table=True):
    __tablename__ = "boxes_used"

    contents: str = Field(primary_key=True)  # a digest of the SKUs and their quantities
    box: str  # the preset's name
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
