"""Bookkeeping for talking to the store: the outbox, sync watermarks, the change feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, func
from sqlmodel import Field, Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from oms_tui.cache.enums import OUTBOX_WAITING, ActionKind, EnumText, OutboxState
from oms_tui.cache.types import UTCDateTime, utcnow


class OutboxAction(SQLModel, table=True):
    """A floor action for the store, written in the same transaction as its local effect.

    Pushed in `id` order per order. After an unknown outcome the pusher looks for the action at the
    store (a hold by its handle, a shipment by its lines and tracking made after `first_sent_at`).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "order_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True)
    kind: ActionKind = Field(sa_type=EnumText(ActionKind))
    payload: dict[str, Any] = Field(sa_type=JSON)  # the kind's payload model, as JSON (`oms_tui.actions`)
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=EnumText(OutboxState))
    attempts: int = 0
    last_error: str | None = None
    station: str
    staff_code: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # what the store made after
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)


def pending_outbox(session: Session) -> int:
    """How many actions are not yet known to be at the store."""
    return session.exec(pending_outbox_count()).one()


def pending_outbox_count() -> SelectOfScalar[int]:
    return select(func.count()).select_from(OutboxAction).where(col(OutboxAction.state).in_(OUTBOX_WAITING))


class SyncState(SQLModel, table=True):
    __tablename__ = "sync_state"

    stream: str = Field(primary_key=True)  # locations, orders, fulfillment_orders, inventory
    watermark: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cursor: str | None = None  # a bulk operation or page walk in progress, to resume after a crash
    last_success: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChangeFeedEntry(SQLModel, table=True):
    """What sync changed, for screens to follow by `id` (higher id = later)."""

    __tablename__ = "change_feed"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    stream: str
    object_id: str = Field(index=True)
    change: str  # created, updated


class HeldBack(SQLModel, table=True):
    """A store object that sync left alone while its order had actions on their way to the store.

    It is read again by id once nothing of its order waits any more (see `store.outbox`).
    """

    __tablename__ = "held_back"

    object_id: str = Field(primary_key=True)
    stream: str  # orders, fulfillment_orders
    order_id: str = Field(index=True)


class ApiNotice(SQLModel, table=True):
    """What the store said about the API itself: a deprecation, or another version served than asked."""

    __tablename__ = "api_notices"

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # deprecated, version
    message: str = Field(unique=True)
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
