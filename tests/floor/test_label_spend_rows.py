"""Label spend on either database, through the functions that move a label: two purchases settle,
one is voided, the carrier says the refund is submitted, then refunded, and says so twice; the
day's row follows each step, and a rebuild from the labels gives the same rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlmodel import Session

from oms_tui.actions import label_buy
from oms_tui.actions.label_buy import LABEL_BUY
from oms_tui.actions.label_void import refund_seen
from oms_tui.cache import label_spend as spend_table
from oms_tui.cache.enums import ActionKind, LabelState
from oms_tui.cache.models import OutboxAction, ReportLabelSpend, ShippingLabel
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.labels.records import void_label
from oms_tui.floor.reports.spend import SpendRow, label_spend
from tests.team import hire

WED = date(2026, 11, 26)
PACKER = Actor("pack-1", "P01")


def bought(session: Session, order: str, price: str) -> ShippingLabel:
    """A label whose purchase the outbox settles, as the carrier answered it."""
    label = ShippingLabel(
        order_id=order,
        station="pack-1",
        staff_code="P01",
        state=LabelState.BUYING,
        shipment_id=f"shp_{order}",
    )
    session.add(label)
    session.flush()
    assert label.id is not None
    answer = {
        "shipmentId": label.shipment_id,
        "trackingNumber": f"1Z{label.id:016d}",
        "carrier": "UPS",
        "service": "Ground",
        "rateId": "rate_1",
        "price": price,
        "currency": "USD",
        "labelUrl": "https://labels.example/1.pdf",
    }
    payload = {"label_id": label.id, "shipment_id": label.shipment_id, "rate_id": "rate_1"}
    action = OutboxAction(order_id=order, kind=ActionKind.LABEL_BUY, payload=payload, station="pack-1")
    action.result = answer
    LABEL_BUY.settled(session, action)
    session.commit()
    return label


def day(session: Session) -> SpendRow:
    [row] = label_spend(session, WED, WED, "day")
    return row


def test_a_labels_cost_follows_its_purchase_void_and_refund(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(label_buy, "utcnow", lambda: datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    hire(session, "P01")
    kept, unused = (
        bought(session, "gid://shopify/Order/1", "9.20"),
        bought(session, "gid://shopify/Order/2", "12.35"),
    )
    assert day(session) == SpendRow("2026-11-26", "USD", bought=2, bought_cents=2155)

    void_label(session, PACKER, unused, "order cancelled")
    session.commit()
    refund_seen(session, unused, "submitted")
    session.commit()
    assert day(session) == SpendRow(
        "2026-11-26", "USD", bought=2, bought_cents=2155, voided=1, pending=1, pending_cents=1235
    )

    for _ in range(2):  # heard twice: counted once
        refund_seen(session, unused, "refunded")
        session.commit()
    assert unused.state == LabelState.VOIDED and kept.state == LabelState.BOUGHT
    refunded = day(session)
    assert refunded == SpendRow(
        "2026-11-26", "USD", bought=2, bought_cents=2155, voided=1, refunded=1, refunded_cents=1235
    )
    assert (refunded.net_cents, refunded.per_parcel_cents) == (920, 920)

    rows = select(ReportLabelSpend.__table__)  # type: ignore[attr-defined]
    live = sorted(tuple(row) for row in session.execute(rows))
    assert spend_table.rebuild(session.connection()) == 2
    session.commit()
    assert sorted(tuple(row) for row in session.execute(rows)) == live


def test_a_settled_purchase_names_the_shipment_it_paid_for(session: Session) -> None:
    """Rated again at another station while this purchase's answer was lost: the label keeps the
    shipment the carrier charged, not the one rated last."""
    hire(session)
    label = bought(session, "gid://shopify/Order/7", "9.20")
    label.shipment_id = "shp_rated_again"
    label.state = LabelState.BUYING
    payload = {"label_id": label.id, "shipment_id": "shp_gid://shopify/Order/7", "rate_id": "rate_1"}
    action = OutboxAction(
        order_id=label.order_id, kind=ActionKind.LABEL_BUY, payload=payload, station="pack-1"
    )
    action.result = {
        "shipmentId": "shp_gid://shopify/Order/7",
        "trackingNumber": "1Z0000000000000007",
        "carrier": "UPS",
        "service": "Ground",
        "rateId": "rate_1",
        "price": "9.20",
        "currency": "USD",
        "labelUrl": "https://labels.example/7.pdf",
    }
    LABEL_BUY.settled(session, action)
    assert (label.state, label.shipment_id) == (LabelState.BOUGHT, "shp_gid://shopify/Order/7")
