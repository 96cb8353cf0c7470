"""Helpers for driving the app as a signed-in person: staff, orders by name, waiting for workers."""

from __future__ import annotations

from sqlmodel import Session, select
from textual.pilot import Pilot

from oms_tui.app import OmsApp
from oms_tui.cache.models import FulfillmentOrder, Order, OutboxAction, Role, Staff
from oms_tui.runtime import Runtime
from oms_tui.screens.order_screen import OrderScreen
from tests.ui.conftest import NOW


def signed_in(runtime: Runtime, code: str, name: str, role: Role) -> OmsApp:
    """The app with this person signed in (registered in the cache, as the sign-in would need)."""
    with runtime.cache.sessions() as session:
        session.add(Staff(code=code, name=name, role=role, created_at=NOW))
        session.commit()
        staff = session.get(Staff, code)
    return OmsApp(runtime, live=False, clock=lambda: NOW, staff=staff)


def order_named(session: Session, name: str) -> Order:
    return session.exec(select(Order).where(Order.name == name)).one()


def fulfillment_order_of(session: Session, name: str) -> FulfillmentOrder:
    return session.exec(
        select(FulfillmentOrder).where(FulfillmentOrder.order_id == order_named(session, name).id)
    ).one()


def outbox(runtime: Runtime) -> list[OutboxAction]:
    with runtime.cache.sessions() as session:
        return list(session.exec(select(OutboxAction).order_by(OutboxAction.id)))  # type: ignore[arg-type]


async def settle(pilot: Pilot) -> None:
    """Until no worker runs (a worker may start another: an action reloads the order)."""
    for _ in range(20):
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            await pilot.pause()
            return
        await pilot.app.workers.wait_for_complete()
    raise AssertionError("workers kept running")


async def open_order_screen(app: OmsApp, pilot: Pilot, name: str) -> OrderScreen:
    """The order named `name` on the order screen, loaded."""
    with app.runtime.cache.sessions() as session:
        order_id = order_named(session, name).id
    app.open_order(order_id)
    await settle(pilot)
    assert isinstance(app.screen, OrderScreen)
    return app.screen
