"""Send a message to a customer exactly once, and record it on the order.

1. `record` keeps the message (its Message-ID made now, by `email.utils.make_msgid`) in the cache and
   commits, before anything is sent: a station that dies mid-send leaves a row that says so.
2. `deliver` hands it to the mail server (`oms_tui.mail.smtp`) and settles the row by the outcome:
   - sent: on the order's timeline (who, when, which template, subject) and as a line added to the
     order's note at the store, through the outbox;
   - refused or not reached: an exception, the message kept to be sent again;
   - answer lost after the message went: "unknown", an exception, never sent again by itself (SMTP
     cannot be asked afterwards; see `mail.smtp`). A person resends it (`resend`: the same Message-ID,
     so the customer's mail system can drop a duplicate) or marks it sent (`mark_sent`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from oms_tui.actions.permissions import ActionRefused, Permission, require
from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind, ExceptionState, MessageState
from oms_tui.cache.models import CustomerMessage, FloorException, Order, Staff
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor, append_note
from oms_tui.floor.messages.order_data import order_data
from oms_tui.floor.messages.templates import Rendered, render
from oms_tui.mail.server import MailServer
from oms_tui.mail.smtp import Delivery, Outcome, compose, send

STALE_AFTER = timedelta(minutes=10)  # a row still "sending" this long after: its station died mid-send
RETRYABLE = (MessageState.UNKNOWN, MessageState.FAILED)


class MessageRefused(ActionRefused):
    """The message cannot be made or sent as asked (nothing was sent, nothing recorded)."""


class NoEmail(MessageRefused):
    """The cache has no email address for the order's customer (the store may: `customer_email`)."""


@dataclass(frozen=True)
class Draft:
    order_id: str
    order_name: str
    to: str
    template: str
    subject: str
    body: str


@dataclass(frozen=True)
class Settled:
    message: int  # the row's id
    state: MessageState
    detail: str
    to: str = ""


def draft(session: Session, order_id: str, template: str, *, folder: Path | None, shop: str) -> Draft:
    """The template filled in with the order's data, to the customer's address in the cache."""
    order = session.get(Order, order_id)
    if order is None:
        raise MessageRefused(f"unknown order {order_id}")
    if not order.email or "@" not in order.email:
        raise NoEmail(f"{order.name} has no customer email address to write to")
    rendered: Rendered = render(template, order_data(session, order, shop), folder)
    return Draft(order.id, order.name, order.email, template, rendered.subject, rendered.body)


def record(session: Session, actor: Actor, message: Draft, sender: str) -> CustomerMessage:
    """Keep the message, with its Message-ID, in the caller's transaction (commit it before `deliver`)."""
    staff = session.get(Staff, actor.staff_code) if actor.staff_code else None
    if actor.staff_code and staff is None:
        raise MessageRefused(f"unknown staff code {actor.staff_code!r}")
    require(staff, Permission.MESSAGE)
    subject = " ".join(message.subject.split())
    if not subject:
        raise MessageRefused("the message needs a subject")
    if not message.body.strip():
        raise MessageRefused("the message is empty")
    if "@" not in parseaddr(message.to)[1]:
        raise MessageRefused(f"{message.to!r} is not an email address")
    row = CustomerMessage(
        order_id=message.order_id,
        message_id=make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None),
        template=message.template,
        to_address=message.to,
        from_address=sender,
        subject=subject,
        body=message.body,
        attempts=1,
        station=actor.station,
        staff_code=actor.staff_code,
    )
    session.add(row)
    return row


def send_new(
    cache: Cache,
    actor: Actor,
    message: Draft,
    server: MailServer,
    now: Callable[[], datetime],
) -> Settled:
    """Record the message (committed), then send it once and settle it."""
    with cache.sessions() as session:
        row = record(session, actor, message, server.sender)
        session.commit()
        assert row.id is not None
        ident = row.id
    return deliver(cache, actor, ident, server, now)


def deliver(
    cache: Cache,
    actor: Actor,
    ident: int,
    server: MailServer,
    now: Callable[[], datetime],
) -> Settled:
    """Send the recorded message `ident` (state `sending`, claimed by the caller) and settle it."""
    with cache.sessions() as session:
        row = session.get_one(CustomerMessage, ident)
        mail = compose(
            row.from_address,
            row.to_address,
            row.subject,
            row.body,
            row.message_id,
            format_datetime(row.created_at),
        )
    return settle(cache, actor, ident, send(server, mail), now())


def resend(
    cache: Cache,
    actor: Actor,
    ident: int,
    server: MailServer,
    now: Callable[[], datetime],
) -> Settled:
    """Send again, on purpose, a message that failed or whose outcome is unknown: the same message,
    Message-ID and all. Two stations never resend it at once (the row is claimed first)."""
    _claim(cache, actor, ident, now(), MessageState.SENDING)
    return deliver(cache, actor, ident, server, now)


def mark_sent(cache: Cache, actor: Actor, ident: int, now: datetime) -> Settled:
    """A person checked (the mailbox's Sent folder, the customer) that a message did go."""
    _claim(cache, actor, ident, now, MessageState.SENDING, attempt=False)
    return settle(cache, actor, ident, Outcome(Delivery.SENT, "marked sent by a person"), now, marked=True)


def _claim(
    cache: Cache, actor: Actor, ident: int, now: datetime, to: MessageState, attempt: bool = True
) -> None:
    with cache.sessions() as session:
        row = session.get(CustomerMessage, ident)
        if row is None:
            raise MessageRefused(f"no message {ident}")
        staff = session.get(Staff, actor.staff_code) if actor.staff_code else None
        require(staff, Permission.MESSAGE)
        claimed = session.connection().execute(
            update(CustomerMessage)
            .where(col(CustomerMessage.id) == ident, col(CustomerMessage.state).in_(RETRYABLE))
            .values(state=to, updated_at=now, attempts=row.attempts + int(attempt))
        )
        session.commit()
        if claimed.rowcount != 1:
            raise MessageRefused(
                f"message {ident} is {row.state.value}: only a failed or unknown one is sent again"
            )


def settle(
    cache: Cache, actor: Actor, ident: int, outcome: Outcome, now: datetime, *, marked: bool = False
) -> Settled:
    """Record what became of the message (`marked`: a person says it went, nothing was sent now)."""
    with cache.sessions() as session:
        row = session.get_one(CustomerMessage, ident)
        details = {"template": row.template, "emailSubject": row.subject, "to": row.to_address}
        details["messageId"] = row.message_id
        row.updated_at = now
        if outcome.delivery == Delivery.SENT:
            row.state, row.sent_at, row.last_error = MessageState.SENT, now, None
            event = "message.marked_sent" if marked else "message.sent"
            record_by(session, actor, action=event, subject=row.order_id, **details)
            append_note(session, actor, row.order_id, note_line(row, actor, now))
            _close_exceptions(session, ident, now, actor.staff_code)
        elif outcome.delivery == Delivery.REFUSED:
            row.state, row.last_error = MessageState.FAILED, outcome.detail
            record_by(
                session, actor, action="message.failed", subject=row.order_id, error=outcome.detail, **details
            )
            _raise_exception(
                session, row, ExceptionKind.MESSAGE_FAILED, "warning", f"not sent: {outcome.detail}"
            )
        else:
            row.state, row.last_error = MessageState.UNKNOWN, outcome.detail
            record_by(
                session,
                actor,
                action="message.unknown",
                subject=row.order_id,
                error=outcome.detail,
                **details,
            )
            why = f"sent or not is unknown: {outcome.detail}; not resent by itself"
            _raise_exception(session, row, ExceptionKind.MESSAGE_UNKNOWN, "critical", why)
        session.commit()
        return Settled(ident, row.state, outcome.detail, row.to_address)


def settle_stale(cache: Cache, now: datetime) -> int:
    """Messages left `sending` by a station that stopped mid-send: their outcome is unknown. Each is
    taken by one station (a conditional update), so two stations never raise its exception twice."""
    why = "its station stopped while sending it"
    with cache.sessions() as session:
        stale = session.exec(
            select(CustomerMessage.id).where(
                CustomerMessage.state == MessageState.SENDING,
                col(CustomerMessage.updated_at) < now - STALE_AFTER,
            )
        ).all()
        taken = 0
        for ident in stale:
            changed = session.connection().execute(
                update(CustomerMessage)
                .where(col(CustomerMessage.id) == ident, col(CustomerMessage.state) == MessageState.SENDING)
                .values(state=MessageState.UNKNOWN, last_error=why, updated_at=now)
            )
            if changed.rowcount == 1:
                row = session.get_one(CustomerMessage, ident)
                _raise_exception(
                    session, row, ExceptionKind.MESSAGE_UNKNOWN, "critical", f"sent or not: {why}"
                )
                taken += 1
        session.commit()
        return taken


def note_line(row: CustomerMessage, actor: Actor, now: datetime) -> str:
    who = actor.staff_code or f"station {actor.station}"
    what = f"emailed the customer ({row.template}): {row.subject}"
    return f"{now:%Y-%m-%d %H:%M} UTC {who} {what} {row.message_id}"


def _raise_exception(
    session: Session, row: CustomerMessage, kind: ExceptionKind, severity: str, why: str
) -> None:
    """One open exception per message: a later failure of the same message refreshes it."""
    subject = f"message:{row.id}"
    problem = session.exec(
        select(FloorException).where(
            FloorException.subject == subject, FloorException.state != ExceptionState.RESOLVED
        )
    ).first()
    if problem is None:
        problem = FloorException(
            kind=kind, severity=severity, order_id=row.order_id, subject=subject, message=""
        )
    problem.kind, problem.severity, problem.state = kind, severity, ExceptionState.OPEN
    problem.message = f"message {row.id} to {row.to_address} ({row.subject}): {why}"
    session.add(problem)


def _close_exceptions(session: Session, ident: int, now: datetime, staff_code: str | None) -> None:
    for problem in session.exec(
        select(FloorException).where(
            FloorException.subject == f"message:{ident}", FloorException.state != ExceptionState.RESOLVED
        )
    ):
        problem.state, problem.resolution, problem.resolved_at = ExceptionState.RESOLVED, "sent", now
        problem.resolved_by = staff_code


def message_for(session: Session, exception: FloorException) -> CustomerMessage | None:
    """The message an exception is about (a failed or unknown one), if it is about one."""
    subject = exception.subject or ""
    if not subject.startswith("message:") or not subject.removeprefix("message:").isdigit():
        return None
    return session.get(CustomerMessage, int(subject.removeprefix("message:")))
