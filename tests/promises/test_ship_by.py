"""Ship-by times: the store's deadline first, then the method's cut-off in the warehouse's calendar,
then the default SLA; written by sync's own writers and read by the queues in that order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from oms_tui.cache.models import Order
from oms_tui.cache.ship_by import MethodPromise, ShipByPolicy, ShipBySource
from oms_tui.config import Settings
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from oms_tui.floor_settings import FloorSettings
from oms_tui.store.payloads import FulfillmentOrderNode, OrderNode
from oms_tui.store.sync_writes import write_fulfillment_orders, write_orders

BERLIN = "Europe/Berlin"
UPS = MethodPromise("UPS", "Standard", time(15, 0), delivery_days=2)
# Friday 4 Dec 2026; Monday 7 Dec made a holiday for the test
POLICY = ShipByPolicy(24.0, BERLIN, frozenset({5, 6}), frozenset({date(2026, 12, 7)}), {"ups standard": UPS})


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A December 2026 moment in Berlin (CET, UTC+1), in UTC."""
    return datetime(2026, 12, day, hour - 1, minute, tzinfo=UTC)


def test_the_store_deadline_wins_over_the_method_and_the_sla() -> None:
    deadline = berlin(4, 10)
    due, source = POLICY.ship_by(berlin(3, 9), "UPS Standard", [None, berlin(5, 12), deadline])
    assert (due, source) == (deadline, ShipBySource.FULFILL_BY)


def test_before_the_cut_off_an_order_ships_today() -> None:
    assert POLICY.ship_by(berlin(4, 14, 59), "UPS Standard") == (berlin(4, 15), ShipBySource.METHOD)


def test_after_friday_cut_off_it_waits_for_the_weekend_and_the_holiday() -> None:
    due, source = POLICY.ship_by(berlin(4, 15, 1), "ups standard")  # the store's name, any case
    assert (due, source) == (berlin(8, 15), ShipBySource.METHOD)  # Tuesday: Sat, Sun, holiday Monday
    assert POLICY.delivery_by(due, "UPS Standard") == berlin(10, 15)  # two working days on


def test_cut_off_is_in_the_warehouse_time_zone() -> None:
    new_york = ShipByPolicy(timezone="America/New_York", methods={"ups standard": UPS})
    due, _ = new_york.ship_by(datetime(2026, 12, 4, 19, 0, tzinfo=UTC), "UPS Standard")  # 14:00 there
    assert due == datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # 15:00 EST


def test_handling_days_move_the_cut_off_on_by_working_days() -> None:
    slow = ShipByPolicy(
        timezone=BERLIN, methods={"freight": MethodPromise("DHL", "Freight", time(12, 0), 5, 1)}
    )
    assert slow.ship_by(berlin(4, 9), "Freight")[0] == berlin(7, 12)  # Friday's, one working day on


def test_an_unknown_method_falls_back_to_the_sla() -> None:
    created = berlin(4, 9)
    assert POLICY.ship_by(created, "Pigeon") == (created + timedelta(hours=24), ShipBySource.SLA)
    assert POLICY.ship_by(created, None)[1] is ShipBySource.SLA


def test_settings_make_the_policy(tmp_path: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/c.sqlite3",
        warehouse_timezone=BERLIN,
        holidays=[date(2026, 12, 7)],
        shipping_methods={"UPS Standard": {"carrier": "UPS", "service": "Standard", "cutoff": "15:00"}},
    )
    policy = FloorSettings(settings).ship_by
    assert policy.ship_by(berlin(4, 15, 1), "UPS Standard")[0] == berlin(8, 15)


def _order(number: int, created: datetime, method: str | None) -> OrderNode:
    return OrderNode.model_validate(
        {
            "id": f"gid://shopify/Order/{number}",
            "name": f"#{number}",
            "createdAt": created.isoformat(),
            "updatedAt": created.isoformat(),
            "displayFulfillmentStatus": "UNFULFILLED",
            "shippingLine": {"title": method} if method else None,
            "lineItems": {"nodes": []},
        }
    )


def _fo(
    number: int, created: datetime, fulfill_by: datetime | None, status: str = "OPEN"
) -> FulfillmentOrderNode:
    return FulfillmentOrderNode.model_validate(
        {
            "id": f"gid://shopify/FulfillmentOrder/{number}",
            "orderId": f"gid://shopify/Order/{number}",
            "status": status,
            "fulfillBy": fulfill_by.isoformat() if fulfill_by else None,
            "createdAt": created.isoformat(),
            "updatedAt": created.isoformat(),
            "lineItems": {"nodes": []},
        }
    )


def test_sync_writes_each_source_and_the_queue_reads_in_ship_by_order(session: Session) -> None:
    now = berlin(4, 9)
    created = now - timedelta(hours=1)
    orders = [
        _order(1, created, None),  # the SLA: tomorrow 08:00
        _order(2, created, "UPS Standard"),  # today's cut-off, 15:00
        _order(3, created + timedelta(minutes=5), None),  # the store's deadline, below
    ]
    write_orders(session, orders, {}, now, POLICY)
    fos = [_fo(1, created, None), _fo(2, created, None), _fo(3, created, berlin(4, 11))]
    write_fulfillment_orders(session, fos, {}, now, POLICY)
    session.commit()
    due = {order.name: order.ship_by for order in session.exec(select(Order))}
    assert due == {"#1": created + timedelta(hours=24), "#2": berlin(4, 15), "#3": berlin(4, 11)}
    rows = window(session, Stage.READY_TO_PICK, QueueFilter(), now, limit=10)
    assert [row.order_name for row in rows] == ["#3", "#2", "#1"]  # oldest first would be #1, #2, #3
    assert rows[0].urgency(now, timedelta(hours=3)) == "due soon"
    assert rows[2].urgency(created + timedelta(hours=25), timedelta(hours=3)) == "late"
    # the same version read again (a sync's overlap) leaves the deadline as it is
    write_orders(session, orders, {}, now, POLICY)
    assert session.get(Order, "gid://shopify/Order/3").ship_by == berlin(4, 11)  # type: ignore[union-attr]


def test_scheduled_work_stays_out_of_the_queue_until_it_opens(session: Session) -> None:
    now = berlin(4, 9)
    write_orders(session, [_order(5, now, None), _order(6, now, None)], {}, now, POLICY)
    later = FulfillmentOrderNode.model_validate(
        {
            **_fo(5, now, None, "SCHEDULED").model_dump(by_alias=True, mode="json"),
            "fulfillAt": berlin(10, 9).isoformat(),
        }
    )
    write_fulfillment_orders(session, [later, _fo(6, now, None)], {}, now, POLICY)
    session.commit()
    names = [row.order_name for row in window(session, Stage.READY_TO_PICK, QueueFilter(), now, limit=10)]
    assert names == ["#6"]
    opened = _fo(5, now + timedelta(days=6), None)  # the store opens it when it is due
    write_fulfillment_orders(session, [opened], {}, now + timedelta(days=6), POLICY)
    session.commit()
    names = [row.order_name for row in window(session, Stage.READY_TO_PICK, QueueFilter(), now, limit=10)]
    assert sorted(names) == ["#5", "#6"]


def test_promises_refresh_recomputes_after_the_settings_change(
    db_url: str, tmp_path: Any, monkeypatch: Any
) -> None:
    from oms_tui.cache.database import open_cache
    from tests.cli_shop import oms

    cache = open_cache(db_url)
    created = berlin(4, 9)
    with cache.sessions() as session:
        write_orders(session, [_order(1, created, "UPS Standard"), _order(2, created, None)], {}, created)
        session.commit()
    config = tmp_path / "config.toml"
    config.write_text(
        'warehouse_timezone = "Europe/Berlin"\n\n[shipping_methods."UPS Standard"]\n'
        'carrier = "UPS"\nservice = "Standard"\ncutoff = "15:00"\n'
    )
    monkeypatch.setenv("OMS_CONFIG_FILE", str(config))
    result = oms("promises", "refresh")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 orders got a new ship-by time"
    with cache.sessions() as session:
        due = {order.name: order.ship_by for order in session.exec(select(Order))}
    cache.close()
    assert due == {"#1": berlin(4, 15), "#2": created + timedelta(hours=24)}
