"""Receiving rules: what a scan opens and counts, what each decision becomes at the store, and the
exceptions a return raises when it does not add up."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from oms_tui.actions.permissions import NotPermitted
from oms_tui.cache.engine import session_factory
from oms_tui.cache.models import (
    FloorException,
    Fulfillment,
    InventoryLevel,
    LineItem,
    Order,
    OutboxAction,
    Return,
    ReturnLineItem,
    ReturnReceiving,
    ReverseDelivery,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
    Role,
    Staff,
)
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import ActionRefused, Disposal
from oms_tui.floor.exceptions.rules import ReturnFacts, RuleSettings, return_findings
from oms_tui.floor.orders.lookup import NotFound
from oms_tui.floor.returns.receiving import ReceivedElsewhere, decide, finish, leave, open_receiving, scan
from oms_tui.floor.returns.returns import (
    DAMAGED,
    MISSING,
    RESTOCK,
    WrongItem,
    choose,
    count_unit,
    disposals,
    find_return,
    open_returns,
)

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
ORDER, RETURN, RFO = (
    "gid://shopify/Order/1",
    "gid://shopify/Return/1",
    "gid://shopify/ReverseFulfillmentOrder/1",
)
WAREHOUSE = "gid://shopify/Location/1"


def line(n: int) -> str:
    return f"gid://shopify/ReverseFulfillmentOrderLineItem/{n}"


@pytest.fixture
def shop(session: Session) -> Session:
    """#1001 shipped 40 days ago; its open return expects 2 x TEE-M (barcode 400...) and 1 x CAP."""
    session.add(
        Order(
            id=ORDER,
            name="#1001",
            fulfillment_status="FULFILLED",
            created_at=NOW - timedelta(days=41),
            updated_at=NOW - timedelta(days=2),
            synced_at=NOW,
            customer_name="Ada Lovelace",
        )
    )
    session.add(
        Return(
            id=RETURN,
            order_id=ORDER,
            name="#1001-R1",
            status="OPEN",
            total_quantity=3,
            created_at=NOW - timedelta(days=2),
            version=NOW,
            synced_at=NOW,
        )
    )
    session.flush()
    session.add(
        Fulfillment(
            id="gid://shopify/Fulfillment/1",
            order_id=ORDER,
            status="SUCCESS",
            created_at=NOW - timedelta(days=40),
        )
    )
    session.add(ReverseFulfillmentOrder(id=RFO, return_id=RETURN, status="OPEN"))
    for n, (sku, barcode, quantity, reason) in enumerate(
        (("TEE-M", "4006381333931", 2, "Size was too small"), ("CAP", None, 1, "Color")), start=1
    ):
        item = f"gid://shopify/LineItem/{n}"
        session.add(
            LineItem(
                id=item,
                order_id=ORDER,
                sku=sku,
                barcode=barcode,
                title=f"{sku} title",
                quantity=quantity,
                current_quantity=quantity,
                unfulfilled_quantity=0,
            )
        )
        session.add(
            ReturnLineItem(
                id=f"gid://shopify/ReturnLineItem/{n}",
                return_id=RETURN,
                line_item_id=item,
                sku=sku,
                quantity=quantity,
                reason=reason,
            )
        )
        session.flush()
        session.add(
            ReverseFulfillmentOrderLineItem(
                id=line(n), rfo_id=RFO, return_id=RETURN, line_item_id=item, total_quantity=quantity
            )
        )
    session.add(
        ReverseDelivery(
            id="gid://shopify/ReverseDelivery/1",
            rfo_id=RFO,
            return_id=RETURN,
            tracking_number="9400111",
            carrier="USPS",
        )
    )
    session.add(
        InventoryLevel(
            inventory_item_id="gid://shopify/InventoryItem/1",
            location_id=WAREHOUSE,
            sku="TEE-M",
            available=5,
            on_hand=5,
            synced_at=NOW,
        )
    )
    session.add(Staff(code="P01", name="Pat", role=Role.PACKER))
    session.add(Staff(code="S01", name="Sue", role=Role.SUPPORT))
    session.commit()
    return session


def desk(session: Session, code: str = "P01") -> OrderDesk:
    return OrderDesk("returns-1", session.get(Staff, code))


def test_the_label_or_the_order_number_opens_the_open_return(shop: Session) -> None:
    assert find_return(shop, "9400111").return_id == RETURN
    for said in ("#1001", "1001"):
        receiving = find_return(shop, said)
        assert [(i.sku, i.expected, i.reason) for i in receiving.items] == [
            ("TEE-M", 2, "Size was too small"),
            ("CAP", 1, "Color"),
        ]
    assert [q.name for q in open_returns(shop)] == ["#1001-R1"]
    shop.get_one(Return, RETURN).status = "CLOSED"
    shop.commit()
    with pytest.raises(NotFound, match="no open return"):
        find_return(shop, "#1001")
    with pytest.raises(NotFound, match="neither a return label nor an order"):
        find_return(shop, "XYZ")


def test_scans_count_items_by_sku_or_barcode_and_wrong_ones_are_refused(shop: Session) -> None:
    receiving = find_return(shop, "#1001")
    assert count_unit(receiving, "tee-m").sku == "TEE-M"  # scanners may send lower case
    assert count_unit(receiving, "4006381333931").received == 2
    with pytest.raises(WrongItem, match="all 2 expected already counted"):
        count_unit(receiving, "TEE-M")
    with pytest.raises(WrongItem, match="not on return #1001-R1"):
        count_unit(receiving, "SOCKS")
    assert receiving.unexpected == ["SOCKS"]


def test_decisions_become_dispositions_and_what_did_not_come_is_missing(shop: Session) -> None:
    receiving = find_return(shop, "#1001")
    tee, cap = receiving.items
    with pytest.raises(ActionRefused, match="scan it first"):
        choose(receiving, tee.line_id, DAMAGED)
    count_unit(receiving, "TEE-M")
    with pytest.raises(ActionRefused, match="not missing"):
        choose(receiving, tee.line_id, MISSING)
    with pytest.raises(ActionRefused, match="decide first"):
        disposals(receiving)
    choose(receiving, tee.line_id, RESTOCK, "A-01-1", WAREHOUSE)
    choose(receiving, cap.line_id, MISSING)
    assert tee.shown_outcome == "1 restock to A-01-1, 1 missing"
    assert disposals(receiving) == [
        Disposal(line(1), 1, "RESTOCKED", WAREHOUSE),
        Disposal(line(1), 1, "MISSING"),
        Disposal(line(2), 1, "MISSING"),
    ]


def test_finishing_queues_the_disposal_and_the_close_and_raises_exceptions_once(shop: Session) -> None:
    here = desk(shop)
    receiving = open_receiving(shop, here, "9400111")
    scan(shop, here, RETURN, "TEE-M")
    assert scan(shop, here, RETURN, "SOCKS").wrong == "SOCKS is not on return #1001-R1"
    decide(shop, here, RETURN, line(1), RESTOCK, None, WAREHOUSE)
    decide(shop, here, RETURN, line(2), MISSING)
    shop.commit()
    with pytest.raises(NotPermitted):
        finish(shop, OrderDesk("returns-1", shop.get(Staff, "S01")), RETURN, RuleSettings(), NOW)
    assert shop.exec(select(OutboxAction)).all() == []
    finish(shop, here, RETURN, RuleSettings(), NOW)
    shop.commit()
    actions = shop.exec(select(OutboxAction).order_by(OutboxAction.id)).all()  # type: ignore[arg-type]
    assert [a.kind for a in actions] == ["return_dispose", "return_close"]
    assert actions[0].payload["dispositions"] == [
        {
            "reverseFulfillmentOrderLineItemId": line(1),
            "quantity": 1,
            "dispositionType": "RESTOCKED",
            "locationId": WAREHOUSE,
        },
        {
            "reverseFulfillmentOrderLineItemId": line(1),
            "quantity": 1,
            "dispositionType": "MISSING",
            "locationId": None,
        },
        {
            "reverseFulfillmentOrderLineItemId": line(2),
            "quantity": 1,
            "dispositionType": "MISSING",
            "locationId": None,
        },
    ]
    assert shop.get_one(Return, RETURN).status == "CLOSED"
    level = shop.exec(select(InventoryLevel)).one()
    assert (level.available, level.on_hand) == (6, 6), "the restocked unit is back in the cached stock"
    kinds = sorted(row.kind for row in shop.exec(select(FloorException)))
    assert kinds == ["return_late", "return_missing", "return_unexpected"]
    assert shop.exec(select(ReturnReceiving.state)).all() == ["finished"]
    with pytest.raises(NotFound, match="closed"):
        finish(shop, here, RETURN, RuleSettings(), NOW)
    assert receiving.name == "#1001-R1"


def test_return_rules() -> None:
    shipped = NOW - timedelta(days=30)
    facts = ReturnFacts(RETURN, "#1001-R1", ORDER, shipped, {}, [])
    assert return_findings(facts, RuleSettings(), NOW) == []  # on the window's last day: in time
    late = return_findings(facts, RuleSettings(return_window_days=29), NOW)
    assert [(f.kind, f.severity) for f in late] == [("return_late", "info")]
    assert "30 days after shipment" in late[0].message
    short = ReturnFacts(RETURN, "#1001-R1", ORDER, None, {"CAP": 1, "TEE-M": 2}, ["SOCKS", "SOCKS"])
    found = {f.kind: f for f in return_findings(short, RuleSettings(), NOW)}
    assert found["return_missing"].message == "return #1001-R1 arrived without 1 x CAP, 2 x TEE-M"
    assert found["return_unexpected"].message == "return #1001-R1 held items not on it: SOCKS"
    assert {f.order_id for f in found.values()} == {ORDER}


def test_what_was_counted_and_decided_is_resumed_by_the_next_person(shop: Session) -> None:
    """Progress lives in the cache: a new session (a restarted station, another person) resumes it."""
    shop.add(Staff(code="P02", name="Pia", role=Role.PACKER))
    shop.commit()
    open_receiving(shop, desk(shop), "#1001")
    scan(shop, desk(shop), RETURN, "TEE-M")
    scan(shop, desk(shop), RETURN, "SOCKS")
    decide(shop, desk(shop), RETURN, line(2), MISSING)
    shop.commit()
    shop.expunge_all()  # nothing carried over in memory
    resumed = open_receiving(shop, desk(shop, "P02"), "9400111")
    progress = [(i.sku, i.received, i.outcome) for i in resumed.items]
    assert progress == [("TEE-M", 1, None), ("CAP", 0, MISSING)]
    assert resumed.unexpected == ["SOCKS"]
    shop.commit()
    assert shop.exec(select(ReturnReceiving.staff_code)).all() == ["P02"], "who has it now"


def test_one_station_at_a_time_receives_a_return(shop: Session) -> None:
    shop.add(Staff(code="P02", name="Pia", role=Role.PACKER))
    shop.commit()
    there = OrderDesk("returns-2", shop.get(Staff, "P02"))
    open_receiving(shop, desk(shop), "#1001")
    scan(shop, desk(shop), RETURN, "TEE-M")
    shop.commit()
    with pytest.raises(ReceivedElsewhere, match="#1001-R1 is being received by P01 at returns-1"):
        open_receiving(shop, there, "#1001")
    with pytest.raises(ReceivedElsewhere, match="by P01 at returns-1"):
        scan(shop, there, RETURN, "TEE-M")
    leave(shop, desk(shop), RETURN)  # put down: anyone may take it up, with its counts
    shop.commit()
    assert [i.received for i in open_receiving(shop, there, "#1001").items] == [1, 0]
    shop.commit()
    with pytest.raises(ReceivedElsewhere, match="by P02 at returns-2"):
        open_receiving(shop, desk(shop), "#1001")


def test_the_cache_holds_one_open_receiving_per_return(shop: Session) -> None:
    shop.add(ReturnReceiving(return_id=RETURN, staff_code="P01", station="returns-1", state="finished"))
    shop.add(ReturnReceiving(return_id=RETURN, staff_code="P01", station="returns-1"))
    shop.commit()  # one open, any number finished
    shop.add(ReturnReceiving(return_id=RETURN, staff_code="P01", station="returns-2"))
    with pytest.raises(IntegrityError):
        shop.commit()


def test_two_stations_opening_a_return_at_the_same_moment_get_one_receiving(
    shop: Session, engine: Engine
) -> None:
    """The second station's open waits for the first one's transaction, then is told who has it."""
    shop.add(Staff(code="P02", name="Pia", role=Role.PACKER))
    shop.commit()
    first_open, refused = threading.Event(), []

    def second_station() -> None:
        first_open.wait()
        with session_factory(engine)() as other:
            try:
                open_receiving(other, OrderDesk("returns-2", other.get(Staff, "P02")), "#1001")
                other.commit()
            except ReceivedElsewhere as exc:
                refused.append(str(exc))

    with session_factory(engine)() as first:
        open_receiving(first, desk(first), "#1001")  # not committed yet
        other = threading.Thread(target=second_station)
        other.start()
        first_open.set()
        other.join(0.5)  # the second blocks on the first's transaction (or has not started yet)
        first.commit()
    other.join()
    assert len(refused) == 1
    assert "#1001-R1 is being received by P01 at returns-1" in refused[0] or "just now" in refused[0]
    assert shop.exec(select(ReturnReceiving.station)).all() == ["returns-1"]
