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
    MESSAGE_NOTE = "message_note"
    INVENTORY_SHIPMENT_RECEIVE = "inventory_shipment_receive"
    INVENTORY_SET = "inventory_set"
    INVENTORY_ADJUST = "inventory_adjust"
    INVENTORY_MOVE = "inventory_move"
    LABEL_BUY = "label_buy"
    LABEL_VOID = "label_void"


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent
    SENDING = "sending"  # sent, outcome unknown: checked at the store before any resend
    DONE = "done"
    FAILED = "failed"  # the store rejected it: a person decides (retry or discard)
    DISCARDED = "discarded"  # given up: the store will never get it


OUTBOX_WAITING = (OutboxState.PENDING, OutboxState.SENDING)  # not yet known to be at the store


class ExceptionKind(enum.StrEnum):
    """What went wrong; the exception rules' kinds and those raised where the work happens."""

    PAYMENT = "payment"
    FRAUD_RISK = "fraud_risk"
    ADDRESS_INCOMPLETE = "address_incomplete"
    ADDRESS_PO_BOX = "address_po_box"
    ADDRESS_UNDELIVERABLE = "address_undeliverable"  # the carrier cannot deliver there: held at packing
    SHORT_STOCK = "short_stock"
    SLA_AT_RISK = "sla_at_risk"
    SLA_BREACHED = "sla_breached"
    INTERRUPTED = "interrupted"  # cancelled or held while someone worked on it
    SHORT_PICK = "short pick"
    PUT_BACK = "put_back"
    STORE_REJECTED = "store_rejected"
    SYNC_FAILING = "sync_failing"
    SYNC_FAILED = "sync_failed"
    SYNC_MALFORMED = "sync_malformed"
    API_DEPRECATED = "api_deprecated"
    PRINT_FAILED = "print_failed"
    RETURN_MISSING = "return_missing"
    RETURN_UNEXPECTED = "return_unexpected"
    RETURN_LATE = "return_late"
    MESSAGE_FAILED = "message_failed"  # the mail server refused it, or could not be reached
    MESSAGE_UNKNOWN = "message_unknown"  # the answer to the message was lost: sent or not is unknown
    CUTOFF_AT_RISK = "cutoff_at_risk"  # cannot make today's carrier cut-off at the pick rate
    RULE = "rule"  # raised by a manager's rule in the settings
    RECONCILE_DIFFERENCE = "reconcile_difference"  # the store and the cache differ; not mended
    LABEL_UNUSED = "label_unused"  # a bought label that will not ship: voided, until the refund is confirmed


class MessageState(enum.StrEnum):
    """Where a message to a customer stands (`cache.messages_state.CustomerMessage`)."""

    SENDING = "sending"  # handed to the mail server now (a station still at it, or one that died)
    SENT = "sent"  # the mail server accepted it (or a person checked that the customer got it)
    UNKNOWN = "unknown"  # the answer was lost after the message went: a person decides
    FAILED = "failed"  # refused, or the server was not reached: not sent


class ExceptionState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # someone owns it
    RESOLVED = "resolved"


class PickListState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    ABANDONED = "abandoned"


class PackState(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    ABANDONED = "abandoned"


class LabelState(enum.StrEnum):
    """A shipping label's way: claimed for an order, rated at the carrier, bought once, maybe voided."""

    CLAIMED = "claimed"  # the order's label slot is taken; no shipment at the carrier yet
    RATED = "rated"  # the carrier's shipment exists (its id kept) with its rates; nothing paid
    BUYING = "buying"  # the purchase is in the outbox
    BOUGHT = "bought"  # paid: tracking number and label
    VOIDING = "voiding"  # not used: the refund is asked for or submitted
    VOIDED = "voided"  # the refund is confirmed
    DROPPED = "dropped"  # never bought (given up before, or the carrier refused the purchase)


LIVE_LABEL = (LabelState.CLAIMED, LabelState.RATED, LabelState.BUYING, LabelState.BOUGHT)


class ReceivingState(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"


class BinRole(enum.StrEnum):
    """Where pickers take from (pick) or what refills them (reserve)."""

    PICK = "pick"
    RESERVE = "reserve"


class CountState(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"  # every line counted and its result queued for the store
    CANCELLED = "cancelled"


class CountLineState(enum.StrEnum):
    TODO = "todo"
    COUNTED = "counted"
    RECOUNT = "recount"  # beyond the tolerance: counted again before anything is sent
    REBASED = "rebased"  # the store's stock moved during the count: shown, counted again
    SENT = "sent"  # its result is in the outbox


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
