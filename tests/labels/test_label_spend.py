"""Label spend in the reports: three labels bought through the carrier's imitation, one voided; its
cost waits as "refund pending" until the carrier confirms the refund, then no longer counts (once,
however many stations hear of it). The figures stay on the day the labels were bought, and a rebuild
from the labels gives the same table."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlmodel import Session

from oms_tui.actions import label_buy
from oms_tui.actions.label_void import refund_seen
from oms_tui.cache import label_spend as spend_table
from oms_tui.cache.enums import LabelState
from oms_tui.cache.models import ReportLabelSpend, ShippingLabel
from oms_tui.cli import main
from oms_tui.floor.labels.desk import LabelDesk, LabelView
from oms_tui.floor.reports.spend import SpendRow, label_spend, totals
from oms_tui.floor.reports.text_tables import SPEND_COLUMNS
from tests.labels.conftest import PACKER, LabelShop

WED = date(2026, 11, 26)
ORDERS = ("#1016", "#1005", "#1008")  # open in the seeded shop (one in the US, two in Canada)
WEIGHTS = (400, 2500, 900)  # grams: three parcels, three prices


@pytest.fixture
def bought_wednesday(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Labels are bought on Wednesday 26 November, whatever the day the test runs."""
    monkeypatch.setattr(label_buy, "utcnow", lambda: datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    yield


def cents(label: LabelView) -> int:
    assert label.price is not None
    return int(label.price * 100)


def buy_three_void_one(label_shop: LabelShop) -> tuple[LabelDesk, list[LabelView]]:
    desk = label_shop.desk(PACKER)
    bought = [
        asyncio.run(desk.buy(order, weight_g=weight)) for order, weight in zip(ORDERS, WEIGHTS, strict=True)
    ]
    asyncio.run(desk.void(ORDERS[2], "customer changed the address"))
    return desk, bought


def spend(label_shop: LabelShop, by: str = "day") -> list[SpendRow]:
    with label_shop.cache.reads() as session:
        return label_spend(session, WED, WED, by)  # type: ignore[arg-type]


def table(session: Session) -> list[tuple[object, ...]]:
    return sorted(tuple(row) for row in session.execute(select(ReportLabelSpend.__table__)))  # type: ignore[attr-defined]


def test_a_voided_label_is_pending_until_its_refund_then_not_spent(
    label_shop: LabelShop, bought_wednesday: None
) -> None:
    desk, (first, second, voided) = buy_three_void_one(label_shop)
    paid = cents(first) + cents(second) + cents(voided)
    assert spend(label_shop) == [
        SpendRow(
            "2026-11-26", "USD", bought=3, bought_cents=paid, voided=1, pending=1, pending_cents=cents(voided)
        )
    ]
    [waiting] = spend(label_shop)
    assert waiting.net_cents == paid, "a refund not yet confirmed is still spent"

    with label_shop.cache.sessions() as late:  # a station that read the label before the refund
        stale = late.get_one(ShippingLabel, voided.id)
        late.commit()
        assert asyncio.run(desk.confirm_refunds()) == [f"{voided.tracking_number}: refund refunded"]
        refund_seen(late, stale, "refunded")  # hears the carrier too, a moment later
        late.commit()
        assert stale.state == LabelState.VOIDED
    [day] = spend(label_shop)
    assert day == SpendRow(
        "2026-11-26", "USD", bought=3, bought_cents=paid, voided=1, refunded=1, refunded_cents=cents(voided)
    )
    assert day.net_cents == cents(first) + cents(second) and day.parcels == 2
    assert day.per_parcel_cents == (cents(first) + cents(second)) / 2
    assert asyncio.run(desk.confirm_refunds()) == []

    by_service = spend(label_shop, "service")
    assert sum(row.bought for row in by_service) == 3
    assert {row.label for row in by_service} == {
        f"{label.carrier} {label.service}" for label in (first, second, voided)
    }
    assert totals(by_service) == [replace(day, label="total")]

    with label_shop.cache.sessions() as session:
        live = table(session)
        assert spend_table.rebuild(session.connection()) == 3
        assert table(session) == live


def test_a_refund_the_carrier_refuses_is_spent_and_no_longer_pending(
    label_shop: LabelShop, bought_wednesday: None
) -> None:
    _, (first, second, voided) = buy_three_void_one(label_shop)
    with label_shop.cache.sessions() as session:
        refund_seen(session, session.get_one(ShippingLabel, voided.id), "rejected")
        session.commit()
    [day] = spend(label_shop)
    assert (day.voided, day.pending, day.pending_cents, day.refunded) == (1, 0, 0, 0)
    assert day.net_cents == cents(first) + cents(second) + cents(voided)


def report(label_shop: LabelShop, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("OMS_DATABASE_URL", label_shop.settings.database_url)
    result = CliRunner().invoke(
        main, ["report", "label-spend", "--from", "2026-11-26", "--to", "2026-11-26", *args]
    )
    return result.exit_code, result.output


def test_the_command_line_shows_the_spend_by_day_and_by_service_with_the_total(
    label_shop: LabelShop, bought_wednesday: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    desk, _ = buy_three_void_one(label_shop)  # 4.75 + 0.90 a pound over the first (imitation prices)
    assert report(label_shop, monkeypatch) == (
        0,
        "day         labels   cost  voided  refunded  refund pending  net spend  per parcel  currency\n"
        "2026-11-26       3  25.75       1      0.00            5.65      25.75       12.88       USD\n"
        "total            3  25.75       1      0.00            5.65      25.75       12.88       USD\n",
    )
    asyncio.run(desk.confirm_refunds())
    out = tmp_path / "spend.csv"
    assert report(label_shop, monkeypatch, "--by", "service", "--csv", str(out)) == (
        0,
        f"3 rows written to {out}\n",
    )
    with out.open(newline="") as file:
        assert list(csv.reader(file)) == [
            ["service", *SPEND_COLUMNS],
            ["USPS GroundAdvantage", "2", "14.90", "1", "5.65", "0.00", "9.25", "9.25", "USD"],
            ["USPS Priority", "1", "10.85", "0", "0.00", "0.00", "10.85", "10.85", "USD"],
            ["total", "3", "25.75", "1", "5.65", "0.00", "20.10", "10.05", "USD"],
        ]
    assert report(label_shop, monkeypatch, "--by", "hour")[0] == 2
