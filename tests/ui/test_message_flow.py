"""From an exception, one key writes to the customer: the template filled in, edited, sent by SMTP (a
real server in this process), on the order's timeline and noted at the store through the outbox. A
lost answer is an exception a person settles on purpose; the mailbox password shows nowhere."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from oms_tui.cache.enums import ActionKind, ExceptionKind, MessageState
from oms_tui.cache.models import CustomerMessage, FloorException, Order, Role
from oms_tui.floor.orders.order_detail import load_order_detail
from oms_tui.runtime import Runtime
from oms_tui.screens.choice_modal import ChoiceModal
from oms_tui.screens.exceptions_screen import ExceptionsScreen
from oms_tui.screens.message_modal import MessageModal
from tests.mail.smtp_server import PASSWORD, USER, Keeper, smtp_server
from tests.ui.floor_app import open_order_screen, outbox, settle, signed_in
from tests.ui.shown_within import shown_within
from tests.writer_busy import writer_busy

SIZE = (120, 36)


def with_mail(runtime: Runtime, port: int, **more: Any) -> Runtime:
    settings = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
        | more
        | {"smtp_from": "Brand Shop <shop@brand.test>"}
    )
    return dataclasses.replace(runtime, settings=settings)


def short_stock_exception(runtime: Runtime) -> Order:
    """One open exception, about an order whose customer has an email address."""
    with runtime.cache.sessions() as session:
        order = session.exec(select(Order).where(Order.email.is_not(None)).order_by(Order.name)).first()  # type: ignore[union-attr]
        assert order is not None
        session.add(
            FloorException(
                kind=ExceptionKind.SHORT_STOCK,
                severity="warning",
                order_id=order.id,
                subject=order.id,
                message=f"{order.name}: short of stock",
            )
        )
        session.commit()
        return order


async def open_pane(pilot: Pilot[Any]) -> ExceptionsScreen:
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExceptionsScreen)
    return pilot.app.screen


async def test_one_key_from_an_exception_to_a_message_sent_and_recorded(runtime: Runtime) -> None:
    order = short_stock_exception(runtime)
    keeper = Keeper()
    with smtp_server(keeper) as (port, _):
        app = signed_in(with_mail(runtime, port), "S01", "Sue Support", Role.SUPPORT)
        async with app.run_test(size=SIZE) as pilot:
            await open_pane(pilot)
            await pilot.press("e")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, MessageModal)
            assert modal.query_one(Select).value == "out_of_stock"  # as the exception's kind calls for
            assert app.focused is modal.query_one(TextArea)
            await pilot.press(*"PS ", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ExceptionsScreen)
    [received] = keeper.received
    assert received["To"] == order.email
    assert received["Subject"] == f"Your order {order.name}: an item is out of stock"
    body = received.get_body().get_content()
    assert body.startswith("PS Dear ") and order.name in body
    with runtime.cache.sessions() as session:
        [message] = session.exec(select(CustomerMessage)).all()
        assert (message.state, message.message_id) == (MessageState.SENT, received["Message-ID"])
        timeline = load_order_detail(session, order.id).timeline
    said = [(event.who, event.what) for event in timeline if "emailed" in event.what]
    assert said[-1] == ("Sue Support @ pack-1", f"emailed the customer (out_of_stock): {received['Subject']}")
    [note] = outbox(runtime)
    assert note.kind == ActionKind.MESSAGE_NOTE and received["Message-ID"] in note.payload["line"]


async def test_a_lost_answer_waits_for_a_person_who_resends_the_same_message(runtime: Runtime) -> None:
    short_stock_exception(runtime)
    keeper = Keeper(hang_up_after_data=True)
    with smtp_server(keeper) as (port, _):
        app = signed_in(with_mail(runtime, port), "S01", "Sue Support", Role.SUPPORT)
        async with app.run_test(size=SIZE) as pilot:
            await open_pane(pilot)
            await pilot.press("e")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            with runtime.cache.sessions() as session:
                [problem] = session.exec(
                    select(FloorException).where(FloorException.kind == ExceptionKind.MESSAGE_UNKNOWN)
                ).all()
            assert len(keeper.received) == 1 and not outbox(runtime)  # no note: it may not have gone
            screen = app.screen
            assert isinstance(screen, ExceptionsScreen)
            screen.load()
            await settle(pilot)
            table = screen.query_one("#exceptions")
            table.move_cursor(row=table.get_row_index(str(problem.id)))  # type: ignore[attr-defined]
            keeper.hang_up_after_data = False
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceModal)
            await pilot.press("enter")  # the first choice: send it again
            await settle(pilot)
    first, second = keeper.received
    assert first["Message-ID"] == second["Message-ID"]
    with runtime.cache.sessions() as session:
        [message] = session.exec(select(CustomerMessage)).all()
        assert message.state == MessageState.SENT and message.attempts == 2
        assert session.get_one(FloorException, problem.id).state == "resolved"
    assert [action.kind for action in outbox(runtime)] == [ActionKind.MESSAGE_NOTE]


async def test_the_mailbox_password_shows_nowhere(
    runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    short_stock_exception(runtime)
    said: list[str] = []
    with smtp_server(Keeper(), tls_folder=tmp_path) as (port, cert):
        wrong = "wrong-" + PASSWORD
        mailing = with_mail(runtime, port, smtp_starttls=True, smtp_user=USER, smtp_ca_file=cert)
        mailing.settings.smtp_password = SecretStr(wrong)
        app = signed_in(mailing, "S01", "Sue Support", Role.SUPPORT)
        async with app.run_test(size=SIZE) as pilot:
            app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
            await open_pane(pilot)
            await pilot.press("e")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            screen_text = app.export_screenshot()
    assert any("refused the login of shop@brand.test: 535" in text for text in said), said
    shown = "\n".join(
        [*said, screen_text, caplog.text, repr(mailing.settings), str(mailing.settings.masked())]
    )
    assert wrong not in shown and PASSWORD not in shown
    dump = "\n".join(runtime.cache.engine.raw_connection().driver_connection.iterdump())  # type: ignore[union-attr]
    assert wrong not in dump and "shop@brand.test" in dump


async def test_e_on_an_order_opens_its_message_and_escape_sends_nothing(runtime: Runtime) -> None:
    order = short_stock_exception(runtime)
    keeper = Keeper()
    with smtp_server(keeper) as (port, _):
        app = signed_in(with_mail(runtime, port), "S01", "Sue Support", Role.SUPPORT)
        async with app.run_test(size=SIZE) as pilot:
            await open_order_screen(app, pilot, order.name)
            await pilot.press("e")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, MessageModal) and modal.title_text == f"{order.name} → {order.email}"
            assert modal.query_one(Select).value in ("delayed", "split_shipment")  # by what has shipped
            modal.query_one(Select).value = "address_problem"  # another template fills it in anew
            await settle(pilot)
            assert "delivery address" in modal.query_one("#subject", Input).value
            await pilot.press("escape")
            await settle(pilot)
    assert keeper.received == [] and not outbox(runtime)
    with runtime.cache.sessions() as session:
        assert not session.exec(select(CustomerMessage)).all()


async def test_the_message_opens_while_another_station_writes(runtime: Runtime) -> None:
    # Drafting reads the order only: it does not wait for a sync writing a page (SQLite's write lock).
    short_stock_exception(runtime)
    app = signed_in(with_mail(runtime, 2525), "S01", "Sue Support", Role.SUPPORT)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        with writer_busy(runtime.cache):
            await pilot.press("e")
            assert await shown_within(pilot, lambda app: isinstance(app.screen, MessageModal))
