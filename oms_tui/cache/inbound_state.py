"""A shipment being received at the dock: what was scanned into which bin, accepted or rejected.

Kept in the cache, as a return's receiving is, so a receipt survives a restart or a change of station.
Each line is one decision: units of one shipment line into one bin (accepted), or set aside
(rejected, with the reason the receiver gave). `approved_by` names the manager who let units in
beyond what the shipment says (an over-receipt).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import EnumText, ReceivingState
from oms_tui.cache.types import UTCDateTime, utcnow

OPEN_RECEIPT = text("state = 'open'")


class InboundReceipt(SQLModel, table=True):
    __tablename__ = "inbound_receipts"
    # One open receipt per shipment: a second station is told who has it instead of counting apart.
    __table_args__ = (
        Index(
            "uq_inbound_receipts_open",
            "shipment_id",
            unique=True,
            sqlite_where=OPEN_RECEIPT,
            postgresql_where=OPEN_RECEIPT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: str = Field(index=True)
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False))
    station: str | None = None
    state: ReceivingState = Field(default=ReceivingState.OPEN, sa_type=EnumText(ReceivingState))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    action_id: int | None = None  # the outbox action that tells the store


class InboundReceiptLine(SQLModel, table=True):
    __tablename__ = "inbound_receipt_lines"

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("inbound_receipts.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    shipment_line_id: str
    sku: str | None = None
    accepted: bool = True  # False: rejected, set aside
    quantity: int
    bin_code: str | None = None  # where accepted units went
    reason: str | None = None  # why rejected: damaged, wrong item, ...
    approved_by: str | None = None  # the manager who accepted units beyond the shipment's
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
