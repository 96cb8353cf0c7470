"""The kinds and states the cache stores as text, as enums beside the models (one spelling each)."""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import AutoString


class ActionKind(enum.StrEnum):
    """A kind of floor action the store must hear about; each is declared in `oms_tui.actions`."""

    FULFILL = "fulfill"
    HOLD = "hold"
    RELEASE_HOLD = "release_hold"
    MOVE = "move"
    CANCEL = "cancel"
    NOTE = "note"
    TAGS = "tags"
    RETURN_DISPOSE = "return_dispose"
    RETURN_CLOSE = "return_close"


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent
    SENDING = "sending"  # sent, outcome unknown: checked at the store before any resend
    DONE = "done"
    FAILED = "failed"  # the store rejected it: a person decides (retry or discard)
    DISCARDED = "discarded"  # given up: the store will never get it


OUTBOX_WAITING = (OutboxState.PENDING, OutboxState.SENDING)  # not yet known to be at the store


E = TypeVar("E", bound=enum.StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its value in a plain text column, read back as the enum member."""

    impl = AutoString
    cache_ok = True

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)
