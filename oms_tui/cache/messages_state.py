"""Messages to customers: one row per message, written before it is handed to the mail server.

The Message-ID is made and kept before the first attempt, so every attempt of one message carries the
same one (a resend after a lost answer is recognisable as the same message by the customer's mail
system), and a message whose outcome is unknown is never sent again by itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import EnumText, MessageState
from oms_tui.cache.types import UTCDateTime, utcnow


class CustomerMessage(SQLModel, table=True):
    __tablename__ = "customer_messages"
    __table_args__ = (Index("ix_customer_messages_order", "order_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str
    message_id: str = Field(unique=True)  # the Message-ID header, "<...@host>"
    template: str
    to_address: str
    from_address: str
    subject: str
    body: str = Field(sa_type=Text)
    state: MessageState = Field(default=MessageState.SENDING, index=True, sa_type=EnumText(MessageState))
    attempts: int = 0
    last_error: str | None = None
    station: str
    staff_code: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
