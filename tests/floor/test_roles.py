"""Who may do what: pickers and packers neither cancel, release fraud holds nor take over or reassign
others' claims; managers do."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from oms_tui.actions.permissions import NotPermitted, Permission, allowed
from oms_tui.cache.models import AuditEvent, FulfillmentOrder, Order, OutboxAction, Role, Staff
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.actions.store_actions import Refund
from tests.floor.order_nodes import T0, order_node, write

ORDER, FO = "gid://shopify/Order/1001", "gid://shopify/FulfillmentOrder/1"
MANAGERS_ONLY = {
    Permission.CANCEL,
    Permission.RELEASE_FRAUD_HOLD,
    Permission.TAKE_OVER,
    Permission.REASSIGN,
    Permission.MANAGE_STAFF,
    Permission.ACCEPT_OVER_RECEIPT,
    Permission.SET_BINS,
}
PICKER = Staff(code="P1", name="Pia", role=Role.PICKER)
PACKER = Staff(code="K1", name="Kai", role=Role.PACKER)
MANAGER = Staff(code="M1", name="Maya", role=Role.MANAGER)
SUPPORT = Staff(code="S1", name="Sam", role=Role.SUPPORT)


@pytest.mark.parametrize(
    ("staff", "may"),
    [
        (MANAGER, set(Permission)),
        (PICKER, set(Permission) - MANAGERS_ONLY - {Permission.VIEW_REPORTS}),
        (PACKER, set(Permission) - MANAGERS_ONLY - {Permission.VIEW_REPORTS}),
        (
            SUPPORT,
            {Permission.NOTE, Permission.TAG, Permission.HOLD, Permission.MESSAGE, Permission.VIEW_REPORTS},
        ),
        (None, {Permission.NOTE, Permission.TAG, Permission.HOLD}),
    ],
    ids=["manager", "picker", "packer", "support", "nobody"],
)
def test_what_each_role_may_do(staff: Staff | None, may: set[Permission]) -> None:
    assert {permission for permission in Permission if allowed(staff, permission)} == may


@pytest.fixture
def shop(session: Session) -> Session:
    write(session, order_node(1001, "Jane Smith", lines=[("TEE-BLK-M", None)]))
    session.add(
        FulfillmentOrder(id=FO, order_id=ORDER, status="OPEN", created_at=T0, updated_at=T0, synced_at=T0)
    )
    session.add_all(Staff(code=p.code, name=p.name, role=p.role) for p in (PICKER, PACKER, MANAGER, SUPPORT))
    session.commit()
    return session


def outbox(session: Session) -> list[tuple[str, str | None]]:
    return [(a.kind, a.staff_code) for a in session.exec(select(OutboxAction).order_by(OutboxAction.id))]  # type: ignore[arg-type]


def test_a_picker_cannot_cancel_and_nothing_changes(shop: Session) -> None:
    with pytest.raises(NotPermitted, match=r"Pia \(picker\) may not cancel orders: ask a manager"):
        OrderDesk("pick-1", PICKER).cancel(shop, ORDER, "CUSTOMER", Refund.ORIGINAL, restock=True)
    shop.rollback()
    assert shop.get(Order, ORDER).cancelled_at is None  # type: ignore[union-attr]
    assert outbox(shop) == []


def test_a_fraud_hold_is_released_by_a_manager_only(shop: Session) -> None:
    OrderDesk("office", MANAGER).hold(shop, FO, "HIGH_RISK_OF_FRAUD", "card country differs")
    shop.commit()
    for person in (PICKER, PACKER, SUPPORT, None):
        with pytest.raises(NotPermitted, match="fraud holds"):
            OrderDesk("pack-1", person).release(shop, FO)
    OrderDesk("office", MANAGER).release(shop, FO)
    shop.commit()
    assert shop.get(FulfillmentOrder, FO).status == "OPEN"  # type: ignore[union-attr]
    assert outbox(shop) == [("hold", "M1"), ("release_hold", "M1")]


def test_a_picker_releases_an_ordinary_hold_and_support_may_not(shop: Session) -> None:
    OrderDesk("pick-1", PICKER).hold(shop, FO, "INVENTORY_OUT_OF_STOCK")
    shop.commit()
    with pytest.raises(
        NotPermitted, match=r"Sam \(support\) may not release holds: ask a manager, picker or packer"
    ):
        OrderDesk("desk-1", SUPPORT).release(shop, FO)
    OrderDesk("pick-1", PICKER).release(shop, FO)
    shop.commit()
    assert outbox(shop) == [("hold", "P1"), ("release_hold", "P1")]


def test_every_action_is_audited_with_station_and_staff(shop: Session) -> None:
    desk = OrderDesk("desk-1", SUPPORT)
    desk.note(shop, ORDER, "Customer called")
    desk.tag(shop, ORDER, "vip, callback")
    OrderDesk("office", MANAGER).cancel(shop, ORDER, "CUSTOMER", Refund.STORE_CREDIT, restock=False)
    shop.commit()
    events = shop.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.station, e.staff_code) for e in events] == [
        ("store.note", "desk-1", "S1"),
        ("store.tags", "desk-1", "S1"),
        ("store.cancel", "office", "M1"),
    ]
    assert shop.get(Order, ORDER).tags == ["vip", "callback"]  # type: ignore[union-attr]
