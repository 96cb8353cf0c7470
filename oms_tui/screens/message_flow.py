"""One key from an exception or an order to a message sent: fill the template in with the order's data
(a worker), let the person edit it (`MessageModal`), send it once (a worker), say what became of it.
A message whose outcome is unknown or that failed is resent, or marked sent, only on purpose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from textual.screen import Screen

from oms_tui.actions.permissions import Permission, allowed, refusal
from oms_tui.cache.enums import MessageState
from oms_tui.cache.models import LineItem
from oms_tui.floor.messages.customer_email import ensure_email
from oms_tui.floor.messages.sending import Draft, Settled, draft, mark_sent, resend, send_new
from oms_tui.floor.messages.templates import default_template, template_names
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.floor_app import floor_app
from oms_tui.screens.message_modal import MessageEdit, MessageModal

DEFAULT_SIGNATURE = "Customer service"
SAID = {
    MessageState.SENT: ("information", "sent to {to}"),
    MessageState.FAILED: ("error", "not sent: {detail} (kept: e on its exception sends it again)"),
    MessageState.UNKNOWN: ("error", "sent or not is unknown: {detail}; not resent by itself"),
    MessageState.SENDING: ("warning", "still sending"),
}


def _nothing() -> None:
    return None


def write_message(
    screen: Screen[Any],
    order_id: str,
    exception_kind: str | None = None,
    then: Callable[[], object] = _nothing,
) -> None:
    """Open the message for this order (the template the exception's kind calls for), send it when
    the person does; `then` runs on the UI thread once it is settled (the screen reads again)."""
    app = floor_app(screen.app)
    desk = app.desk
    if not allowed(desk.staff, Permission.MESSAGE):
        screen.notify(refusal(desk.staff, Permission.MESSAGE), title="Not allowed", severity="error")
        return
    settings = app.runtime.settings
    folder, shop = settings.message_templates, settings.shop_name or DEFAULT_SIGNATURE

    def fill(template: str) -> Draft:
        with app.runtime.cache.reads() as session:
            return draft(session, order_id, template, folder=folder, shop=shop)

    def prepare() -> None:
        try:
            ensure_email(app.runtime.cache, app.runtime.client, order_id)  # from the store, if not cached
            with app.runtime.cache.reads() as session:
                shipped = session.exec(
                    select(LineItem.id).where(
                        LineItem.order_id == order_id,
                        col(LineItem.unfulfilled_quantity) < LineItem.current_quantity,
                    )
                ).first()
            first = fill(default_template(exception_kind, shipped is not None))
            names = template_names(folder)
        except (ValueError, SQLAlchemyError) as exc:  # no email, a broken template, the cache away
            screen.app.call_from_thread(_say, screen, str(exc).splitlines()[0], "error")
            return
        modal = MessageModal(
            f"{first.order_name} → {first.to}",
            names,
            first.template,
            first.subject,
            first.body,
            lambda template: _subject_and_body(fill(template)),
        )
        screen.app.call_from_thread(screen.app.push_screen, modal, lambda edit: edited(first, edit))

    def edited(first: Draft, edit: MessageEdit | None) -> None:
        if edit is None:
            return
        message = Draft(first.order_id, first.order_name, first.to, edit.template, edit.subject, edit.body)
        runtime = app.runtime
        _in_thread(
            screen,
            lambda: send_new(runtime.cache, desk.actor, message, runtime.mail_server(), app.clock),
            then,
        )

    screen.run_worker(prepare, thread=True, exit_on_error=False, group="messages")


def follow_up(screen: Screen[Any], message_id: int, then: Callable[[], object] = _nothing) -> None:
    """A failed or unknown message: send it again (the same Message-ID), or mark it sent."""
    app = floor_app(screen.app)
    desk = app.desk

    def chosen(choice: Choice | None) -> None:
        if choice is None:
            return
        runtime = app.runtime
        if choice.value == "resend":
            act = lambda: resend(runtime.cache, desk.actor, message_id, runtime.mail_server(), app.clock)  # noqa: E731
        else:
            act = lambda: mark_sent(runtime.cache, desk.actor, message_id, app.clock())  # noqa: E731
        _in_thread(screen, act, then)

    options = [
        ("Send it again (the same message and Message-ID: a duplicate can be dropped)", "resend"),
        ("Mark it sent (it is in the mailbox's Sent folder, or the customer has it)", "mark"),
    ]
    screen.app.push_screen(ChoiceModal(f"Message {message_id}: sent or not?", options), chosen)


def _in_thread(screen: Screen[Any], act: Callable[[], Settled], then: Callable[[], object]) -> None:
    def run() -> None:
        try:
            settled = act()
        except (ValueError, SQLAlchemyError) as exc:  # refused, not permitted, no mail server set
            screen.app.call_from_thread(_say, screen, str(exc).splitlines()[0], "error")
            return
        severity, text = SAID[settled.state]
        screen.app.call_from_thread(_say, screen, text.format(to=settled.to, detail=settled.detail), severity)
        screen.app.call_from_thread(then)

    screen.run_worker(run, thread=True, exit_on_error=False, group="messages")


def _subject_and_body(made: Draft) -> tuple[str, str]:
    return made.subject, made.body


def _say(screen: Screen[Any], text: str, severity: str) -> None:
    screen.notify(text, title="Message", severity=severity)  # type: ignore[arg-type]
