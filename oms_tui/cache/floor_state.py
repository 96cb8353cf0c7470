"""The floor's own state: what the warehouse knows that the store does not."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import EnumText, ExceptionKind, ExceptionState, PackState, PickListState
from oms_tui.cache.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    PICKER = "picker"
    PACKER = "packer"
    MANAGER = "manager"
    SUPPORT = "support"


def _values(enum_type: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_type]


class BinLocation(SQLModel, table=True):
    """Where a SKU sits in one warehouse (`A-03-2`); several bins per SKU are allowed."""

    __tablename__ = "bin_locations"

    location_id: str = Field(primary_key=True)
    sku: str = Field(primary_key=True)
    code: str = Field(primary_key=True, index=True)


class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    code: str = Field(primary_key=True)
    name: str
    role: Role = Field(sa_type=Enum(Role, native_enum=False, length=16, values_callable=_values))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Station(SQLModel, table=True):
    __tablename__ = "stations"

    name: str = Field(primary_key=True)
    location_id: str | None = None
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Claim(SQLModel, table=True):
    """One person's lease on one fulfillment order; an expired lease may be taken over."""

    __tablename__ = "claims"

    fulfillment_order_id: str = Field(primary_key=True)
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False, index=True))
    station: str
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime = Field(sa_type=UTCDateTime, index=True)


class PickList(SQLModel, table=True):
    __tablename__ = "pick_lists"

    id: int | None = Field(default=None, primary_key=True)
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False, index=True))
    station: str
    location_id: str
    state: PickListState = Field(default=PickListState.OPEN, index=True, sa_type=EnumText(PickListState))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PickListLine(SQLModel, table=True):
    __tablename__ = "pick_list_lines"
    __table_args__ = (UniqueConstraint("pick_list_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    pick_list_id: int = Field(
        sa_column=Column(Integer, ForeignKey("pick_lists.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    sequence: int  # walking order
    fulfillment_order_id: str = Field(index=True)
    fulfillment_order_line_item_id: str
    sku: str | None = None
    bin_code: str | None = None
    needed: int  # units this list hands to packing (less the short once "ship the rest" is chosen)
    picked: int = 0
    short: int = 0  # units the picker could not find
    stop: int = 0  # the pick plan's line: rows of one SKU fetched together share it
    tote: str | None = None  # where the units go (T1, T2, ...: one tote per order)
    withdrawn: str | None = None  # why the order left the list mid-pick: cancelled, on hold
    put_back: int = 0  # picked units to return to the bin (the order left the list); 0 once returned
    shipped: int = 0  # picked units that have left in a shipment: the rest of a partial is picked again


OPEN_PACK = text("state = 'open'")


class PackSession(SQLModel, table=True):
    __tablename__ = "pack_sessions"
    # Two stations never pack the same fulfillment order at once.
    __table_args__ = (
        Index(
            "uq_pack_sessions_open",
            "fulfillment_order_id",
            unique=True,
            sqlite_where=OPEN_PACK,
            postgresql_where=OPEN_PACK,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    fulfillment_order_id: str = Field(index=True)
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False))
    station: str
    state: PackState = Field(default=PackState.OPEN, sa_type=EnumText(PackState))
    verified: dict[str, int] = Field(default_factory=dict, sa_type=JSON)  # FO line item id -> quantity
    tracking_company: str | None = None
    tracking_number: str | None = Field(default=None, index=True)
    tracking_url: str | None = None  # only where Shopify builds no link for the company
    notify_customer: bool = True
    partial_reason: str | None = None  # set when what was verified ships and the rest stays open
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FloorException(SQLModel, table=True):
    """Something that went wrong and needs a person: a short pick, a rejected store action, ...

    Rows raised by the exception rules (`floor.exceptions`) carry `cause` ("kind subject") while their
    cause lasts: one row per cause, emptied when the cause is gone, so a cause that comes back later is
    a new row. Rows raised elsewhere (the outbox pusher, sync) have no `cause`.
    """

    __tablename__ = "exceptions"
    __table_args__ = (Index("ix_exceptions_state_kind_age", "state", "kind", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: ExceptionKind = Field(index=True, sa_type=EnumText(ExceptionKind))
    severity: str  # info, warning, critical
    state: ExceptionState = Field(default=ExceptionState.OPEN, index=True, sa_type=EnumText(ExceptionState))
    order_id: str | None = Field(default=None, index=True)
    subject: str | None = None  # the object it is about (a gid or an outbox action)
    message: str
    owner: str | None = None
    resolution: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cause: str | None = Field(default=None, unique=True)
    fix: str | None = None  # the suggested fix
    resolved_by: str | None = None  # a staff code; empty when it closed by itself


class ExceptionScan(SQLModel, table=True):
    """Where the exception rules' passes stand (one row): what of the change feed, the audit log and
    inventory they have seen, and how far the first full pass over every order has come."""

    __tablename__ = "exception_scan"

    id: int = Field(default=1, primary_key=True)
    feed_seen: int = 0
    audit_seen: int = 0
    inventory_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)
    backfill_after: str = ""  # the last order id the first full pass reached
    backfill_done: bool = False
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what, where, when. Rows are never updated or deleted (see `audit.py`)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    station: str
    staff_code: str | None = None
    action: str = Field(index=True)
    subject: str | None = Field(default=None, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_log_is_append_only(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise PermissionError(f"the audit log is append-only (event {target.id})")
