"""A return being received at the desk: what was counted and decided so far, and where.

Kept in the cache, not in a screen, so leaving the return, switching staff or a station that dies
mid-return loses nothing: opening the return again, at any station, resumes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import EnumText, ReceivingState
from oms_tui.cache.types import UTCDateTime, utcnow

OPEN_RECEIVING = text("state = 'open'")


class ReturnReceiving(SQLModel, table=True):
    """One receiving of one return; `station` is who has it open now (None: put down, anyone may
    take it up)."""

    __tablename__ = "return_receivings"
    # One set of counts per return: a second station is told who has it instead of counting apart.
    __table_args__ = (
        Index(
            "uq_return_receivings_open",
            "return_id",
            unique=True,
            sqlite_where=OPEN_RECEIVING,
            postgresql_where=OPEN_RECEIVING,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    return_id: str = Field(index=True)
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False))
    station: str | None = None
    state: ReceivingState = Field(default=ReceivingState.OPEN, sa_type=EnumText(ReceivingState))
    unexpected: list[str] = Field(default_factory=list, sa_type=JSON)  # codes scanned that are not on it
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReturnReceivingLine(SQLModel, table=True):
    """Per reverse fulfillment order line: units counted, and the decision taken for them."""

    __tablename__ = "return_receiving_lines"

    receiving_id: int = Field(
        sa_column=Column(Integer, ForeignKey("return_receivings.id", ondelete="CASCADE"), primary_key=True)
    )
    rfo_line_item_id: str = Field(primary_key=True)
    received: int = 0
    outcome: str | None = None  # restock, damaged, missing
    bin_code: str | None = None
    location_id: str | None = None
