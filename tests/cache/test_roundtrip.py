"""Every table stores and returns what was written, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlmodel import Session, SQLModel, select

from oms_tui.cache import enums as e
from oms_tui.cache import models as m

T0 = datetime(2026, 11, 20, 8, 30, 15, tzinfo=UTC)
ORDER_ID = "gid://shopify/Order/5801"
FO_ID = "gid://shopify/FulfillmentOrder/7001"
LOC_ID = "gid://shopify/Location/11"


def samples() -> list[SQLModel]:
    """One full row per table, fresh each call; parents come first, as rows are inserted in order."""
    return [
        m.Location(id=LOC_ID, name="Main warehouse", is_active=True, synced_at=T0),
        m.Order(
            id=ORDER_ID,
            name="#1001",
            customer_name="Zoë Ångström",
            email="zoe@example.com",
            shipping_address={"address1": "PO Box 12", "city": "Malmö", "zip": None, "countryCode": "SE"},
            financial_status="AUTHORIZED",
            fulfillment_status="UNFULFILLED",
            risk_level="HIGH",
            risk_recommendation="INVESTIGATE",
            tags=["rush", "gift"],
            priority=0,
            note="Gift: no prices on the slip",
            closed=False,
            created_at=T0,
            updated_at=T0 + timedelta(minutes=5),
            cancelled_at=T0 + timedelta(hours=1),
            cancel_reason="CUSTOMER",
            ship_by=T0 + timedelta(hours=6),
            total=Decimal("512.40"),
            currency="EUR",
            customer_orders=1,
            synced_at=T0,
        ),
        m.LineItem(
            id="gid://shopify/LineItem/1",
            order_id=ORDER_ID,
            position=0,
            sku="TEE-BLK-M",
            barcode="4006381333931",
            title="Tee, black, M",
            quantity=3,
            current_quantity=3,
            unfulfilled_quantity=2,
            requires_shipping=True,
            bundle_id="gid://shopify/LineItemGroup/7",
            bundle_title="Starter Kit",
            bundle_quantity=1,
        ),
        m.FulfillmentOrder(
            id=FO_ID,
            order_id=ORDER_ID,
            status="ON_HOLD",
            request_status="UNSUBMITTED",
            location_id=LOC_ID,
            location_name="Main warehouse",
            fulfill_at=T0,
            fulfill_by=T0 + timedelta(days=2),
            created_at=T0,
            updated_at=T0,
            synced_at=T0,
        ),
        m.FulfillmentHold(
            id="gid://shopify/FulfillmentHold/3",
            fulfillment_order_id=FO_ID,
            reason="HIGH_RISK_OF_FRAUD",
            reason_notes="check the card",
            handle="oms-hold-1",
        ),
        m.FulfillmentOrderLineItem(
            id="gid://shopify/FulfillmentOrderLineItem/9",
            fulfillment_order_id=FO_ID,
            line_item_id="gid://shopify/LineItem/1",
            sku="TEE-BLK-M",
            total_quantity=3,
            remaining_quantity=2,
        ),
        m.Fulfillment(
            id="gid://shopify/Fulfillment/4",
            order_id=ORDER_ID,
            status="SUCCESS",
            tracking_company="DHL Express",
            tracking_number="JD014600003SE",
            tracking_url="https://example.com/track/JD014600003SE",
            created_at=T0,
        ),
        m.OrderSearch(id=5801, order_id=ORDER_ID, document="#1001 1001 zoë ångström tee-blk-m"),
        m.OrderTag(order_id=ORDER_ID, tag="rush"),
        m.RuleFiring(
            rule="review big first orders", order_id=ORDER_ID, order_version=T0, fired_at=T0, actions=["hold"]
        ),
        m.OrderWave(order_id=ORDER_ID, wave="morning", added_at=T0),
        m.InventoryLevel(
            inventory_item_id="gid://shopify/InventoryItem/8",
            location_id=LOC_ID,
            sku="TEE-BLK-M",
            available=12,
            committed=3,
            on_hand=18,
            incoming=20,
            damaged=1,
            reserved=0,
            quality_control=2,
            safety_stock=0,
            synced_at=T0,
        ),
        m.InventoryItem(
            id="gid://shopify/InventoryItem/8", sku="TEE-BLK-M", tracked=True, updated_at=T0, synced_at=T0
        ),
        m.BinLocation(location_id=LOC_ID, sku="TEE-BLK-M", code="A-03-2"),
        m.BinStock(
            location_id=LOC_ID,
            code="A-03-2",
            sku="TEE-BLK-M",
            quantity=14,
            role=e.BinRole.RESERVE,
            minimum=4,
            counted_at=T0,
            updated_at=T0,
        ),
        m.BoxUsed(contents="9f2c" * 16, box="M", used_at=T0),
        m.Return(
            id="gid://shopify/Return/91",
            order_id=ORDER_ID,
            name="#1001-R1",
            status="OPEN",
            total_quantity=2,
            created_at=T0,
            closed_at=T0 + timedelta(days=3),
            version=T0 + timedelta(minutes=5),
            synced_at=T0,
        ),
        m.ReturnLineItem(
            id="gid://shopify/ReturnLineItem/92",
            return_id="gid://shopify/Return/91",
            position=0,
            line_item_id="gid://shopify/LineItem/1",
            sku="TEE-BLK-M",
            title="Tee, black, M",
            quantity=2,
            reason="Size was too small",
            reason_note="Runs small, größer bitte",
            customer_note=None,
        ),
        m.ReverseFulfillmentOrder(
            id="gid://shopify/ReverseFulfillmentOrder/93", return_id="gid://shopify/Return/91", status="OPEN"
        ),
        m.ReverseFulfillmentOrderLineItem(
            id="gid://shopify/ReverseFulfillmentOrderLineItem/94",
            rfo_id="gid://shopify/ReverseFulfillmentOrder/93",
            return_id="gid://shopify/Return/91",
            line_item_id="gid://shopify/LineItem/1",
            total_quantity=2,
            disposed_quantity=1,
            dispositions=[{"type": "RESTOCKED", "quantity": 1, "locationId": LOC_ID}],
        ),
        m.ReverseDelivery(
            id="gid://shopify/ReverseDelivery/95",
            rfo_id="gid://shopify/ReverseFulfillmentOrder/93",
            return_id="gid://shopify/Return/91",
            carrier="USPS",
            tracking_number="9400111",
        ),
        m.Staff(code="P01", name="Ana Pick", role=m.Role.PICKER, active=True, created_at=T0),
        m.Station(name="pack-2", location_id=LOC_ID, last_seen=T0),
        m.ReconcileRun(
            id=1,
            started_at=T0,
            finished_at=T0 + timedelta(seconds=42),
            trigger="schedule",
            station="pack-1",
            first_day="2026-01-01",
            last_day="2026-03-01",
            deep=True,
            dry_run=False,
            days_checked=60,
            found=2,
            repaired=1,
            left=1,
            points=640,
            seconds=41.5,
            differences=[{"kind": "missing", "subject": ORDER_ID, "detail": "#1001", "repaired": True}],
            error=None,
        ),
        m.ReturnReceiving(
            id=1,
            return_id="gid://shopify/Return/91",
            staff_code="P01",
            station="returns-1",
            state=e.ReceivingState.OPEN,
            unexpected=["SOCK-WHT-L", "9400111"],
            started_at=T0,
            finished_at=None,
        ),
        m.ReturnReceivingLine(
            receiving_id=1,
            rfo_line_item_id="gid://shopify/ReverseFulfillmentOrderLineItem/94",
            received=1,
            outcome="restock",
            bin_code="A-03-2",
            location_id=LOC_ID,
        ),
        m.StockCount(
            id=1,
            location_id=LOC_ID,
            scope="zone A",
            state=e.CountState.FINISHED,
            staff_code="P01",
            station="pack-2",
            created_at=T0,
            finished_at=T0,
        ),
        m.StockCountLine(
            count_id=1,
            code="A-03-2",
            sku="TEE-BLK-M",
            inventory_item_id="gid://shopify/InventoryItem/8",
            expected=14,
            base_on_hand=18,
            counted=13,
            first_count=11,
            state=e.CountLineState.REBASED,
            note="the store's stock moved during the count",
            counted_at=T0,
        ),
        m.InventoryShipment(
            id="gid://shopify/InventoryShipment/5",
            transfer_id="gid://shopify/InventoryTransfer/4",
            transfer_name="#T0004",
            name="#T0004-S1",
            status="PARTIALLY_RECEIVED",
            origin_name="Knitwear Ltd",
            destination_location_id=LOC_ID,
            destination_name="Main warehouse",
            tracking_company="DHL",
            tracking_number="JD0001",
            arrives_at=T0,
            created_at=T0,
            synced_at=T0,
        ),
        m.InventoryShipmentLine(
            id="gid://shopify/InventoryShipmentLineItem/6",
            shipment_id="gid://shopify/InventoryShipment/5",
            position=0,
            inventory_item_id="gid://shopify/InventoryItem/8",
            sku="TEE-BLK-M",
            title="Tee, black, M",
            quantity=24,
            accepted_quantity=20,
            rejected_quantity=1,
            unreceived_quantity=3,
        ),
        m.InboundReceipt(
            id=1,
            shipment_id="gid://shopify/InventoryShipment/5",
            staff_code="P01",
            station="dock-1",
            state=e.ReceivingState.FINISHED,
            started_at=T0,
            finished_at=T0,
            action_id=9,
        ),
        m.InboundReceiptLine(
            id=1,
            receipt_id=1,
            shipment_line_id="gid://shopify/InventoryShipmentLineItem/6",
            sku="TEE-BLK-M",
            accepted=False,
            quantity=1,
            bin_code="A-03-2",
            reason="damaged",
            approved_by="M01",
            at=T0,
        ),
        m.Claim(fulfillment_order_id=FO_ID, staff_code="P01", station="pack-2", since=T0, lease_until=T0),
        m.PickList(
            id=1,
            staff_code="P01",
            station="pack-2",
            location_id=LOC_ID,
            state=e.PickListState.OPEN,
            created_at=T0,
        ),
        m.PickListLine(
            id=1,
            pick_list_id=1,
            sequence=1,
            fulfillment_order_id=FO_ID,
            fulfillment_order_line_item_id="gid://shopify/FulfillmentOrderLineItem/9",
            sku="TEE-BLK-M",
            bin_code="A-03-2",
            needed=2,
            picked=1,
            short=1,
        ),
        m.PackSession(
            id=1,
            fulfillment_order_id=FO_ID,
            staff_code="P01",
            station="pack-2",
            state=e.PackState.CONFIRMED,
            verified={"gid://shopify/FulfillmentOrderLineItem/9": 2},
            tracking_company="DHL Express",
            tracking_number="JD014600003SE",
            started_at=T0,
            finished_at=T0 + timedelta(minutes=2),
        ),
        m.ShippingLabel(
            id=1,
            order_id=ORDER_ID,
            station="pack-2",
            staff_code="P01",
            state=e.LabelState.BOUGHT,
            box="medium",
            weight_g=650.0,
            label_format="ZPL",
            shipment_id="shp_0a1b",
            rates=[{"id": "rate_1", "carrier": "USPS", "service": "Priority", "price": "12.25"}],
            rate_id="rate_1",
            carrier="USPS",
            service="Priority",
            price="12.25",
            currency="USD",
            delivery_days=2,
            tracking_number="9400100000000000000005",
            label_url="https://easypost-files.s3.amazonaws.com/pl_1.zpl",
            created_at=T0,
            bought_at=T0 + timedelta(minutes=1),
        ),
        m.FloorException(
            id=1,
            kind=e.ExceptionKind.SHORT_PICK,
            severity="warning",
            state=e.ExceptionState.OPEN,
            order_id=ORDER_ID,
            subject=FO_ID,
            message="1 of 2 TEE-BLK-M missing at A-03-2",
            owner="P01",
            created_at=T0,
            cause=f"short_stock {FO_ID}",
            fix="Move it to a location with stock",
        ),
        m.ExceptionScan(
            feed_seen=7,
            audit_seen=3,
            inventory_seen=T0,
            backfill_after="o",
            backfill_done=True,
            checked_at=T0,
        ),
        m.AuditEvent(
            id=1,
            at=T0,
            station="pack-2",
            staff_code="P01",
            action="pick.short",
            subject=FO_ID,
            details={"sku": "X"},
        ),
        m.OutboxAction(
            id=1,
            order_id=ORDER_ID,
            kind=e.ActionKind.FULFILL,
            payload={"fulfillmentOrderId": FO_ID, "tracking": {"number": "JD014600003SE"}},
            state=e.OutboxState.FAILED,
            attempts=3,
            last_error="Invalid fulfillment order line item quantity requested",
            station="pack-2",
            staff_code="P01",
            created_at=T0,
            updated_at=T0,
        ),
        m.CustomerMessage(
            id=1,
            order_id=ORDER_ID,
            message_id="<177.1.2@brand.test>",
            template="out_of_stock",
            to_address="zoe@example.com",
            from_address="Brand <shop@brand.test>",
            subject="Din order #1001: en vara är slut",
            body="Hej Zoë,\n\nTyvärr ...\n",
            state=e.MessageState.UNKNOWN,
            attempts=2,
            last_error="the mail server's answer was lost (timed out)",
            station="desk-1",
            staff_code="S01",
            created_at=T0,
            sent_at=None,
            updated_at=T0 + timedelta(minutes=1),
        ),
        m.SyncState(
            stream="orders", watermark=T0, cursor="abc", last_success=T0, last_error="boom", last_error_at=T0
        ),
        m.ChangeFeedEntry(id=1, at=T0, stream="orders", object_id=ORDER_ID, change="updated"),
        m.HeldBack(object_id=FO_ID, stream="fulfillment_orders", order_id=ORDER_ID),
        m.ApiNotice(
            id=1, kind="version", message="asked for 2025-01, served 2025-04", first_seen=T0, last_seen=T0
        ),
        m.ReportHour(
            hour=T0,
            staff_code="P01",
            station="pack-2",
            orders_picked=3,
            units_picked=7,
            orders_packed=2,
            units_packed=5,
            pick_mis_scans=1,
            pack_mis_scans=2,
            short_picks=1,
            pick_seconds=612.5,
            pack_seconds=300.25,
        ),
        m.ReportDay(
            day=T0.date(),
            staff_code="",
            station="pack-2",
            orders_packed=40,
            units_packed=95,
            pack_mis_scans=3,
            pack_seconds=7200.0,
        ),
        m.ReportShipment(day=T0.date(), lead_hours=26, shipments=4),
        m.ReportException(day=(T0 - timedelta(days=1)).date(), kind="payment", opened=2, closed=1),
        m.StaffActivity(staff_code="P01", last_at=T0),
        m.ReportLabelSpend(
            day=T0.date(),
            carrier="USPS",
            service="Priority",
            currency="USD",
            bought=3,
            bought_cents=2575,
            voided=1,
            refunded=0,
            refunded_cents=0,
            pending=1,
            pending_cents=565,
        ),
        m.SkuDemand(  # the triggers' own rows: the sample order is cancelled, so it has none
            fulfillment_order_id="gid://shopify/FulfillmentOrder/7002",
            sku="TEE-BLK-M",
            location_id=LOC_ID,
            needed=2,
            priority=-1,
            ship_by=T0 + timedelta(hours=6),
            order_id=ORDER_ID,
        ),
    ]


def test_samples_cover_every_table() -> None:
    assert {type(row).__tablename__ for row in samples()} == set(SQLModel.metadata.tables)  # type: ignore[attr-defined]


def test_every_table_round_trips(session: Session) -> None:
    for row in samples():
        session.add(row)
        session.flush()  # insert in the listed order, parents before children
    session.commit()
    session.expunge_all()
    for row in samples():
        # the exception sample also adds to the day's report row (`cache.report_tables`)
        stored = [stored.model_dump() for stored in session.exec(select(type(row)))]
        assert row.model_dump() in stored and len(stored) == (2 if isinstance(row, m.ReportException) else 1)


def test_times_come_back_aware_in_utc(session: Session) -> None:
    plus_two = timezone(timedelta(hours=2))
    session.add(m.SyncState(stream="orders", watermark=datetime(2026, 11, 20, 10, 30, tzinfo=plus_two)))
    session.commit()
    session.expunge_all()
    stored = session.exec(select(m.SyncState)).one()
    assert stored.watermark == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert stored.watermark is not None and stored.watermark.tzinfo is not None


def test_naive_times_are_refused(session: Session) -> None:
    session.add(m.SyncState(stream="orders", watermark=datetime(2026, 11, 20, 10, 30)))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()
