"""What a scanned code names when no screen took it, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from oms_tui.cache.models import FulfillmentOrder, PackSession, Role, Staff
from oms_tui.floor.orders.scan_codes import Named, ScanTarget, identify
from tests.floor.order_nodes import T0, order_node, write

SHIPPED, PACKED = "gid://shopify/Order/1001", "gid://shopify/Order/1002"


@pytest.fixture
def shop(session: Session) -> Session:
    parcel = ["1Z999AA10123456784"]
    write(
        session,
        order_node(1001, "Jane Smith", lines=[("TEE-BLK-M", "0123456789012")], tracking=parcel),
        order_node(1002, "Bo Chen", lines=[("MUG-WHT-S", "")]),
    )
    fo = "gid://shopify/FulfillmentOrder/2"
    session.add(
        FulfillmentOrder(id=fo, order_id=PACKED, status="OPEN", created_at=T0, updated_at=T0, synced_at=T0)
    )
    session.add(Staff(code="K1", name="Kai", role=Role.PACKER))
    session.flush()
    # packed and confirmed here, the shipment not yet at the store: its parcel is known only locally
    session.add(
        PackSession(fulfillment_order_id=fo, staff_code="K1", station="pack-1", tracking_number="9400111899")
    )
    session.commit()
    return session


@pytest.mark.parametrize(
    ("code", "target"),
    [
        ("#1001", ScanTarget(Named.ORDER, SHIPPED)),
        ("1002", ScanTarget(Named.ORDER, PACKED)),
        ("gid://shopify/Order/1001", ScanTarget(Named.ORDER, SHIPPED)),
        ("1Z999AA10123456784", ScanTarget(Named.PARCEL, SHIPPED)),
        ("9400111899", ScanTarget(Named.PARCEL, PACKED)),
        ("TEE-BLK-M", ScanTarget(Named.ITEM)),
        ("0123456789012", ScanTarget(Named.ITEM)),
        ("MUG-WHT-S", ScanTarget(Named.ITEM)),
        ("#9999", ScanTarget(Named.UNKNOWN)),
        ("tee-blk-m ", ScanTarget(Named.UNKNOWN)),  # codes are scanned exactly
        ("\u0661\u0660\u0660\u0661", ScanTarget(Named.UNKNOWN)),  # Arabic-Indic digits: no order number
    ],
)
def test_a_code_names_an_order_a_parcel_or_an_item(shop: Session, code: str, target: ScanTarget) -> None:
    assert identify(shop, code) == target
