"""An order opened, acted on by key through the outbox, within what the signed-in person's role allows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from textual.widget import Widget
from textual.widgets import DataTable, RadioButton, Select

from oms_tui.app import LiveReport
from oms_tui.cache.change_signal import CLAIMS
from oms_tui.cache.models import AuditEvent, BinLocation, FulfillmentHold, OutboxAction, Role, Staff
from oms_tui.floor.actions.order_desk import OrderDesk
from oms_tui.floor.queues import claims
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.cancel_modal import CancelModal
from oms_tui.screens.choice_modal import ChoiceModal
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.text_modal import TextModal
from tests.ui.conftest import NOW
from tests.ui.drawn import count_draws
from tests.ui.floor_app import fulfillment_order_of, open_order_screen, order_named, outbox, settle, signed_in

SIZE = (120, 36)


def timeline_text(screen: OrderScreen) -> str:
    assert screen.detail is not None
    return "\n".join(f"{event.what} | {event.who}" for event in screen.detail.timeline)


async def test_open_an_order_hold_it_and_release_it(runtime: Runtime) -> None:
    app = signed_in(runtime, "K1", "Kai Packer", Role.PACKER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order_screen(app, pilot, "#1050")
        assert screen.title.startswith("#1050")
        assert screen.query_one("#lines", DataTable).row_count == len(screen.detail.lines) > 0  # type: ignore[union-attr]

        await pilot.press("h")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("down", "down", "down", "enter", *"shelf empty", "enter")  # the fourth reason
        await settle(pilot)
        assert app.screen is screen
        (fo,) = screen.detail.fulfillment_orders  # type: ignore[union-attr]
        assert fo.status == "ON_HOLD" and fo.holds[0].reason == "INVENTORY_OUT_OF_STOCK"
        assert "held: inventory out of stock (shelf empty) | Kai Packer @ pack-1" in timeline_text(screen)

        await pilot.press("u")
        await settle(pilot)
        assert screen.detail.fulfillment_orders[0].status == "OPEN"  # type: ignore[union-attr]
        assert "released the hold | Kai Packer @ pack-1" in timeline_text(screen)
    actions = outbox(runtime)
    assert [(a.kind, a.station, a.staff_code) for a in actions] == [
        ("hold", "pack-1", "K1"),
        ("release_hold", "pack-1", "K1"),
    ]
    assert actions[0].payload["reason"] == "INVENTORY_OUT_OF_STOCK"
    assert actions[0].payload["reasonNotes"] == "shelf empty"


async def test_an_open_order_follows_what_sync_brings(runtime: Runtime) -> None:
    app = signed_in(runtime, "K1", "Kai Packer", Role.PACKER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order_screen(app, pilot, "#1050")
        with runtime.cache.sessions() as session:
            order_named(session, "#1050").note = "Leave with the neighbour"  # as sync writes it
            session.commit()
        app.post_message(LiveReport(LiveUpdate("synced", changed=True)))
        await settle(pilot)
        assert screen.detail is not None and screen.detail.order.note == "Leave with the neighbour"


async def test_note_tags_and_move_by_key(runtime: Runtime) -> None:
    app = signed_in(runtime, "K1", "Kai Packer", Role.PACKER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order_screen(app, pilot, "#1050")
        assert screen.detail is not None
        before = screen.detail.fulfillment_orders[0].location
        await pilot.press("n", *"Leave with neighbour", "enter")
        await settle(pilot)
        await pilot.press("t", *"vip, callback", "enter")
        await settle(pilot)
        await pilot.press("m", "enter")  # the first other location
        await settle(pilot)
        assert (screen.detail.order.note, screen.detail.order.tags) == (
            "Leave with neighbour",
            ["vip", "callback"],
        )
        assert screen.detail.fulfillment_orders[0].location not in ("", before)
    assert [(a.kind, a.staff_code) for a in outbox(runtime)] == [
        ("note", "K1"),
        ("tags", "K1"),
        ("move", "K1"),
    ]


async def test_a_picker_may_not_cancel_nor_release_a_fraud_hold_without_a_managers_badge(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(runtime, "P1", "Pia Picker", Role.PICKER)
    shown: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **kw: shown.append(message) or notify(message, **kw))
    with runtime.cache.sessions() as session:  # #1025: high risk
        OrderDesk("office", None).hold(
            session, fulfillment_order_of(session, "#1025").id, "HIGH_RISK_OF_FRAUD"
        )
        session.add(Staff(code="K1", name="Kai Packer", role=Role.PACKER))
        session.commit()
    queued = len(outbox(runtime))
    async with app.run_test(size=SIZE) as pilot:
        await open_order_screen(app, pilot, "#1025")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TextModal)  # a manager's badge, or nothing
        await pilot.press("escape")
        assert isinstance(app.screen, OrderScreen)  # no confirmation was even offered
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("k", "1", "enter")  # a packer's badge approves nothing
        await settle(pilot)
        assert shown == [
            "Pia Picker (picker) may not cancel orders: ask a manager",
            "Pia Picker (picker) may not release fraud holds: ask a manager",
            "Kai Packer may not approve: release fraud holds",
        ]
        assert app.screen.detail.fulfillment_orders[0].status == "ON_HOLD"  # type: ignore[attr-defined]
    assert len(outbox(runtime)) == queued


async def test_a_managers_badge_approves_what_a_picker_may_not_do_and_both_are_recorded(
    runtime: Runtime,
) -> None:
    app = signed_in(runtime, "P1", "Pia Picker", Role.PICKER)
    with runtime.cache.sessions() as session:
        session.add(Staff(code="M1", name="Maya Manager", role=Role.MANAGER))
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await open_order_screen(app, pilot, "#1025")
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("m", "1", "enter")  # the manager scans their badge at the picker's station
        await settle(pilot)
        assert isinstance(app.screen, CancelModal)
        await pilot.press("enter", "down", "enter", "tab", "down", "enter", "tab", "tab", "tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.sub_title.startswith("cancelled")
        timeline = [event.what for event in app.screen.detail.timeline]  # type: ignore[union-attr]
    (action,) = outbox(runtime)
    assert (action.kind, action.staff_code) == ("cancel", "P1")
    with runtime.cache.sessions() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "store.cancel")).one()
    assert (event.staff_code, event.details["approvedBy"]) == ("P1", "M1")
    assert any(what.endswith("(approved by M1)") for what in timeline)


async def test_a_manager_cancels_choosing_the_refund_and_restock(runtime: Runtime) -> None:
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await open_order_screen(app, pilot, "#1025")
        await pilot.press("c")
        modal = app.screen
        assert isinstance(modal, CancelModal)
        await pilot.press("enter", "down", "down", "down", "enter")  # the third reason: fraud
        assert modal.query_one(Select).value == "FRAUD"
        await pilot.press("tab", "down", "enter")  # the refund choices, the second one
        await pilot.press("tab", "space")  # restock is on by default: the manager turns it off
        await pilot.press("tab", "tab", "enter")  # past "Keep the order", to "Cancel the order"
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.sub_title.startswith("cancelled")
    (action,) = outbox(runtime)
    assert (action.kind, action.staff_code) == ("cancel", "M1")
    assert action.payload | {"staffNote": ""} == action.payload
    assert (action.payload["reason"], action.payload["refund"], action.payload["restock"]) == (
        "FRAUD",
        "store-credit",
        False,
    )


async def test_cancel_waits_for_a_refund_choice(runtime: Runtime) -> None:
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await open_order_screen(app, pilot, "#1025")
        await pilot.press("c")
        app.screen.query_one(Select).value = "CUSTOMER"
        await pilot.pause()
        assert app.screen.query_one("#confirm").disabled
        assert not any(button.value for button in app.screen.query(RadioButton))
        await pilot.press("escape")
        await settle(pilot)
    assert outbox(runtime) == []


def seed_floor_history(session: Session) -> None:
    """#1042 as the floor sees it mid-morning: bins, a hold placed here, a note the store confirmed."""
    fo = fulfillment_order_of(session, "#1042")
    order = order_named(session, "#1042")
    for sku, code in (("SHOR-BLA-L", "B-12-3"), ("SHIR-BLA-S", "C-02-1"), ("VEST-SAN-M", "A-01-4")):
        session.add(BinLocation(location_id=fo.location_id or "", sku=sku, code=code))
    session.add(
        FulfillmentHold(
            id="pending:oms-1",
            fulfillment_order_id=fo.id,
            reason="INCORRECT_ADDRESS",
            reason_notes="no flat number",
        )
    )
    fo.status = "ON_HOLD"
    order.note = "Call before delivery"
    hold = {
        "fulfillmentOrderId": fo.id,
        "reason": "INCORRECT_ADDRESS",
        "reasonNotes": "no flat number",
        "handle": "oms-1",
    }
    session.add_all(
        [
            AuditEvent(
                at=NOW - timedelta(minutes=40),
                station="support-2",
                staff_code="M1",
                action="store.note",
                subject=order.id,
                details={"orderId": order.id, "note": "Call before delivery"},
            ),
            OutboxAction(
                order_id=order.id,
                kind="note",
                payload={"orderId": order.id, "note": "Call before delivery"},
                state="done",
                station="support-2",
                staff_code="M1",
                created_at=NOW - timedelta(minutes=40),
                updated_at=NOW - timedelta(minutes=39),
            ),
            AuditEvent(
                at=NOW - timedelta(minutes=5),
                station="pack-1",
                staff_code="M1",
                action="store.hold",
                subject=fo.id,
                details=hold,
            ),
            OutboxAction(
                order_id=order.id,
                kind="hold",
                payload=hold,
                station="pack-1",
                staff_code="M1",
                created_at=NOW - timedelta(minutes=5),
                updated_at=NOW - timedelta(minutes=5),
            ),
        ]
    )
    session.commit()


def test_order_detail_snapshot(runtime: Runtime, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = signed_in(runtime, "M1", "Maya Manager", Role.MANAGER)
    with runtime.cache.sessions() as session:
        seed_floor_history(session)
        order_id = order_named(session, "#1042").id

    async def open_it(pilot) -> None:  # type: ignore[no-untyped-def]
        app.open_order(order_id)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_it)


async def test_a_change_elsewhere_that_leaves_the_order_as_it_was_draws_nothing_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every change on the floor reads the open order again: at sixteen stations, several times a
    # second, and a support person's screen was laid out and drawn again each time for nothing.
    app = signed_in(runtime, "K1", "Kai Packer", Role.PACKER)
    app.hearing.every = 0  # each change told at once, not paced as on a busy floor
    now = [NOW]
    app.clock = lambda: now[0]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order_screen(app, pilot, "#1050")
        drawn = count_draws(monkeypatch)

        def drawn_here() -> list[Widget]:
            return [w for w in drawn if any(node.id in ("summary", "body") for node in w.ancestors_with_self)]

        app.post_message(LiveReport(LiveUpdate("the floor changed", changed=True)))
        await settle(pilot)
        assert drawn_here() == []

        with runtime.cache.sessions() as session:
            order_named(session, "#1050").note = "Fragile"  # as sync writes it
            session.commit()
        app.post_message(LiveReport(LiveUpdate("synced", changed=True)))
        await settle(pilot)
        assert screen.query_one("#payment-panel") in drawn_here()
        assert "Fragile" in app.export_screenshot()

        lease, claimed_by = timedelta(minutes=10), screen.query_one("#fulfillment-orders", DataTable)
        with runtime.cache.sessions() as session:  # a picker claims it at their station
            fo_id = fulfillment_order_of(session, "#1050").id
            claims.claim(session, fo_id, staff_code="K1", station="pick-2", now=NOW, lease=lease)
            session.commit()
        app.post_message(LiveReport(LiveUpdate("claimed", changed=True, kinds=frozenset({CLAIMS}))))
        await settle(pilot)
        assert claimed_by.get_row_at(0)[3] == f"K1 @ pick-2 until {(NOW + lease).astimezone():%H:%M}"
        with runtime.cache.sessions() as session:  # their station renews it (quietly), then a change
            claims.heartbeat(session, staff_code="K1", station="pick-2", now=NOW + lease / 2, lease=lease)
            session.commit()
        app.post_message(LiveReport(LiveUpdate("the floor changed", changed=True)))
        await settle(pilot)
        assert claimed_by.get_row_at(0)[3] == f"K1 @ pick-2 until {(NOW + lease * 1.5).astimezone():%H:%M}"

        del drawn[:]  # a change a minute on: how long ago it was placed is drawn again
        now[0] += timedelta(minutes=1)
        app.post_message(LiveReport(LiveUpdate("the floor changed", changed=True)))
        await settle(pilot)
        assert screen.query_one("#order-panel") in drawn_here()
