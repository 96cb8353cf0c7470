"""What labels cost, summed by the UTC day they were bought, carrier, service and currency.

A label counts on the day it was bought, whatever happens to it later: voiding moves its cost into
"refund pending" and the carrier's confirmed refund into "refunded", on that same day's row, so a day's
net spend is what its labels finally cost. Amounts are in cents (the carriers price to the cent).

Every change of a bought label's state moves its cost (`counting_spend`, `count_change`: the purchase,
the void, the refund) in the transaction that changes it, once however many stations make it at the
same moment; `rebuild` recomputes the table from the labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, delete, select
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel

from oms_tui.cache.enums import LabelState
from oms_tui.cache.label_state import ShippingLabel
from oms_tui.cache.report_tables import add_to

PAID = (LabelState.BOUGHT, LabelState.VOIDING, LabelState.VOIDED)
REFUSED = "rejected"  # the carrier's refund status when it keeps the money


class ReportLabelSpend(SQLModel, table=True):
    __tablename__ = "report_label_spend"

    day: date = Field(primary_key=True, sa_type=Date)
    carrier: str = Field(primary_key=True)
    service: str = Field(primary_key=True)
    currency: str = Field(primary_key=True)
    bought: int = 0
    bought_cents: int = 0
    voided: int = 0  # refund asked: pending, refunded or refused
    refunded: int = 0  # the carrier confirmed the refund: no longer spent
    refunded_cents: int = 0
    pending: int = 0  # refund asked, not yet confirmed (nor refused): still spent
    pending_cents: int = 0


COUNTS = ("bought", "bought_cents", "voided", "refunded", "refunded_cents", "pending", "pending_cents")


def cents(price: str) -> int:
    return int((Decimal(price) * 100).to_integral_value(ROUND_HALF_UP))


@dataclass(frozen=True)
class LabelCost:
    """What one label adds to its day's row."""

    key: tuple[tuple[str, Any], ...]
    counts: tuple[int, ...]  # in the order of `COUNTS`

    @classmethod
    def of(cls, label: ShippingLabel) -> LabelCost | None:
        return cls.of_row(
            label.state,
            label.refund_status,
            label.bought_at,
            label.price,
            label.carrier,
            label.service,
            label.currency,
        )

    @classmethod
    def of_row(
        cls,
        state: LabelState,
        refund_status: str | None,
        bought_at: datetime | None,
        price: str | None,
        carrier: str | None,
        service: str | None,
        currency: str | None,
    ) -> LabelCost | None:
        if state not in PAID or bought_at is None or not price:
            return None
        paid = cents(price)
        refunded = state == LabelState.VOIDED
        pending = state == LabelState.VOIDING and refund_status != REFUSED
        voided = state != LabelState.BOUGHT
        key = (
            ("day", bought_at.date()),
            ("carrier", carrier or ""),
            ("service", service or ""),
            ("currency", currency or ""),
        )
        counts = (1, paid, int(voided), int(refunded), paid * refunded, int(pending), paid * pending)
        return cls(key, counts)


def count_change(connection: Connection, was: LabelCost | None, now: LabelCost | None) -> None:
    if was == now:
        return
    if was is not None:
        add_to(
            connection,
            ReportLabelSpend,
            dict(was.key),
            dict(zip(COUNTS, (-n for n in was.counts), strict=True)),
        )
    if now is not None:
        add_to(connection, ReportLabelSpend, dict(now.key), dict(zip(COUNTS, now.counts, strict=True)))


@contextmanager
def counting_spend(session: Session, label: ShippingLabel) -> Iterator[None]:
    """The label's cost moves between the figures as the block changes it (nothing when it raises).
    The block must change the label once only, whoever else changes it at the same moment (a
    conditional update, or the label's row locked)."""
    was = LabelCost.of(label)
    yield
    count_change(session.connection(), was, LabelCost.of(label))


def rebuild(connection: Connection) -> int:
    """Empty and refill the table from the labels; how many labels were paid for."""
    connection.execute(delete(ReportLabelSpend.__table__))  # type: ignore[attr-defined]
    labels = ShippingLabel.__table__.c  # type: ignore[attr-defined]
    rows = connection.execute(
        select(
            labels.state,
            labels.refund_status,
            labels.bought_at,
            labels.price,
            labels.carrier,
            labels.service,
            labels.currency,
        ).where(labels.state.in_(PAID))
    )
    days: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    paid = 0
    for row in rows:
        cost = LabelCost.of_row(*row)
        if cost is not None:
            days[cost.key] = [
                a + b for a, b in zip(days.get(cost.key, [0] * len(COUNTS)), cost.counts, strict=True)
            ]
            paid += 1
    for key, counts in days.items():
        add_to(connection, ReportLabelSpend, dict(key), dict(zip(COUNTS, counts, strict=True)))
    return paid
