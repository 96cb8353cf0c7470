"""`sku_demand` (what open work needs of each SKU at each location, for short-stock allocation) stays
equal to what the orders, fulfillment orders and lines say, whatever writes them: after every kind
of change it is compared with the demand worked out here in Python from the rows themselves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, SQLModel, select

from oms_tui.cache.engine import session_factory
from oms_tui.cache.migrate import upgrade
from oms_tui.cache.models import FulfillmentOrder, FulfillmentOrderLineItem, LineItem, Order, SkuDemand
from oms_tui.cache.sku_demand import drop_demand_triggers, rebuild_demand
from oms_tui.cache.upsert import upsert_all

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MAIN, EAST = "gid://shopify/Location/1", "gid://shopify/Location/2"


def expected(session: Session) -> set[tuple[Any, ...]]:
    orders = {o.id: o for o in session.exec(select(Order))}
    fos = {fo.id: fo for fo in session.exec(select(FulfillmentOrder))}
    no_shipping = {li.id for li in session.exec(select(LineItem)) if not li.requires_shipping}
    needed: dict[tuple[str, str], int] = defaultdict(int)
    for line in session.exec(select(FulfillmentOrderLineItem)):
        fo = fos[line.fulfillment_order_id]
        order = orders[fo.order_id]
        if (
            fo.status in ("OPEN", "IN_PROGRESS")
            and fo.location_id
            and order.cancelled_at is None
            and line.sku
            and line.remaining_quantity > 0
            and line.line_item_id not in no_shipping
        ):
            needed[(fo.id, line.sku)] += line.remaining_quantity
    return {
        (fo_id, sku, fos[fo_id].location_id, units, orders[fos[fo_id].order_id].priority,
         orders[fos[fo_id].order_id].ship_by, fos[fo_id].order_id)
        for (fo_id, sku), units in needed.items()
    }  # fmt: skip


def kept(session: Session) -> set[tuple[Any, ...]]:
    session.expire_all()
    return {
        (
            d.fulfillment_order_id,
            d.sku,
            d.location_id,
            d.needed,
            d.priority,
            d.ship_by,
            d.order_id,
        )
        for d in session.exec(select(SkuDemand))
    }


def order(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Order/{n}",
        "name": f"#{1000 + n}",
        "fulfillment_status": "UNFULFILLED",
        "priority": 0,
        "created_at": T0 + timedelta(minutes=n),
        "updated_at": T0,
        "ship_by": T0 + timedelta(hours=24, minutes=n),
        "synced_at": T0,
    } | fields


def fulfillment_order(n: int, order_n: int, location: str = MAIN, status: str = "OPEN") -> dict[str, Any]:
    return {
        "id": f"gid://shopify/FulfillmentOrder/{n}",
        "order_id": f"gid://shopify/Order/{order_n}",
        "status": status,
        "location_id": location,
        "created_at": T0,
        "updated_at": T0,
        "synced_at": T0,
    }


def line(n: int, fo_n: int, sku: str | None, remaining: int) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/FulfillmentOrderLineItem/{n}",
        "fulfillment_order_id": f"gid://shopify/FulfillmentOrder/{fo_n}",
        "line_item_id": f"gid://shopify/LineItem/{n}",
        "sku": sku,
        "total_quantity": remaining,
        "remaining_quantity": remaining,
    }


def item(n: int, order_n: int, requires_shipping: bool = True) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/LineItem/{n}",
        "order_id": f"gid://shopify/Order/{order_n}",
        "position": n,
        "title": "item",
        "quantity": 1,
        "current_quantity": 1,
        "unfulfilled_quantity": 1,
        "requires_shipping": requires_shipping,
    }


FO, LINE, ORDER, ITEM = FulfillmentOrder, FulfillmentOrderLineItem, Order, LineItem
STEPS: list[tuple[str, Callable[[Session], Any]]] = [
    ("sync writes orders, their lines, then fulfillment orders and lines", lambda s: (
        upsert_all(s, ORDER, [order(1), order(2, priority=-1), order(3)]),
        upsert_all(s, ITEM, [item(n, (n + 1) // 2) for n in range(1, 7)]),
        upsert_all(s, FO, [fulfillment_order(1, 1), fulfillment_order(2, 2), fulfillment_order(3, 3, EAST)]),
        upsert_all(s, LINE, [line(1, 1, "TEE", 2), line(2, 1, "TEE", 1), line(3, 2, "TEE", 3),
                             line(4, 2, "MUG", 1), line(5, 3, "TEE", 4), line(6, 3, None, 1)]),
    )),
    ("the same sync again changes nothing", lambda s: (
        upsert_all(s, ORDER, [order(1), order(2, priority=-1), order(3)]),
        upsert_all(s, LINE, [line(1, 1, "TEE", 2), line(2, 1, "TEE", 1)]),
    )),
    ("units shipped off a line", lambda s: s.execute(
        update(LINE).where(LINE.id == "gid://shopify/FulfillmentOrderLineItem/1").values(remaining_quantity=0))),
    ("a line's SKU corrected", lambda s: s.execute(
        update(LINE).where(LINE.id == "gid://shopify/FulfillmentOrderLineItem/4").values(sku="CUP"))),
    ("a line moved to another fulfillment order", lambda s: s.execute(
        update(LINE).where(LINE.id == "gid://shopify/FulfillmentOrderLineItem/2")
        .values(fulfillment_order_id="gid://shopify/FulfillmentOrder/3"))),
    ("a fulfillment order held", lambda s: s.execute(
        update(FO).where(FO.id == "gid://shopify/FulfillmentOrder/2").values(status="ON_HOLD"))),
    ("and released, in progress", lambda s: s.execute(
        update(FO).where(FO.id == "gid://shopify/FulfillmentOrder/2").values(status="IN_PROGRESS"))),
    ("a fulfillment order moved to another location", lambda s: s.execute(
        update(FO).where(FO.id == "gid://shopify/FulfillmentOrder/1").values(location_id=EAST))),
    ("an order made rush", lambda s: s.execute(
        update(ORDER).where(ORDER.id == "gid://shopify/Order/3").values(priority=-5))),
    ("an order's ship-by moved", lambda s: s.execute(
        update(ORDER).where(ORDER.id == "gid://shopify/Order/3").values(ship_by=T0))),
    ("a line found to need no shipping", lambda s: s.execute(
        update(ITEM).where(ITEM.id == "gid://shopify/LineItem/5").values(requires_shipping=False))),
    ("a gift card line arriving after its fulfillment order line", lambda s: (
        upsert_all(s, ORDER, [order(4)]),
        upsert_all(s, FO, [fulfillment_order(4, 4)]),
        upsert_all(s, LINE, [line(7, 4, "CARD", 1), line(8, 4, "TEE", 1)]),
        upsert_all(s, ITEM, [item(7, 4, requires_shipping=False)]),
    )),
    ("that line's item gone: read as one that ships", lambda s: s.execute(
        delete(ITEM).where(ITEM.id == "gid://shopify/LineItem/7"))),
    ("an order cancelled", lambda s: s.execute(
        update(ORDER).where(ORDER.id == "gid://shopify/Order/2").values(cancelled_at=T0))),
    ("a line deleted", lambda s: s.execute(
        delete(LINE).where(LINE.id == "gid://shopify/FulfillmentOrderLineItem/5"))),
    ("a fulfillment order closed", lambda s: s.execute(
        update(FO).where(FO.id == "gid://shopify/FulfillmentOrder/4").values(status="CLOSED"))),
    ("a fulfillment order and its lines deleted", lambda s: (
        s.execute(delete(LINE).where(LINE.fulfillment_order_id == "gid://shopify/FulfillmentOrder/3")),
        s.execute(delete(FO).where(FO.id == "gid://shopify/FulfillmentOrder/3")),
    )),
]  # fmt: skip


@pytest.fixture(params=["create_all", "migrations"])
def made(request: pytest.FixtureRequest, empty_engine: Engine) -> Engine:
    """The cache as tests make it (`create_all`) and as a station does (Alembic, 0023 on an old cache)."""
    if request.param == "create_all":
        SQLModel.metadata.create_all(empty_engine)
    else:
        upgrade(empty_engine)
    return empty_engine


def test_the_demand_follows_every_change_of_what_it_comes_from(made: Engine) -> None:
    with session_factory(made)() as session:
        sizes = []
        for said, step in STEPS:
            step(session)
            session.commit()
            assert kept(session) == expected(session), said
            sizes.append(len(kept(session)))
    assert sizes[0] == 4  # TEE at three fulfillment orders (3, 3 and 4 units), MUG at one of them


def test_an_existing_cache_gets_its_demand_when_rebuilt(made: Engine) -> None:
    with session_factory(made)() as session:
        STEPS[0][1](session)
        session.execute(delete(SkuDemand))
        rebuild_demand(session.connection())
        session.commit()
        assert kept(session) == expected(session) and kept(session)


def test_a_cache_upgraded_past_0026_keeps_its_demand_with_the_new_triggers(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0025")
    with empty_engine.begin() as connection:
        drop_demand_triggers(connection)  # whatever an older cache had is replaced
    upgrade(empty_engine)
    with session_factory(empty_engine)() as session:
        STEPS[0][1](session)
        session.commit()
        assert kept(session) == expected(session) and len(kept(session)) == 4
