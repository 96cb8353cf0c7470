"""Messages to customers go through a real SMTP server (aiosmtpd, in this process) and are read back:
sent once, recorded on the order, a failure or a lost answer is an exception, never a blind resend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ActionKind, ExceptionKind, ExceptionState, MessageState
from oms_tui.cache.models import AuditEvent, CustomerMessage, FloorException, Order, OutboxAction
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.messages.sending import (
    MessageRefused,
    draft,
    mark_sent,
    record,
    resend,
    send_new,
    settle_stale,
)
from oms_tui.mail.server import MailServer
from oms_tui.sim.server import free_port
from tests.mail.shop import EMAIL, ORDER, seed_order
from tests.mail.smtp_server import PASSWORD, USER, Keeper, smtp_server

SUPPORT = Actor(station="desk-1", staff_code="S01")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
SENDER = "Brand Shop <shop@brand.test>"


def clock() -> datetime:
    return NOW


def plain(port: int) -> MailServer:
    return MailServer("127.0.0.1", port, SENDER, starttls=False, timeout=5)


@pytest.fixture
def cache(any_cache: Cache) -> Cache:
    seed_order(any_cache)
    return any_cache


def delayed(cache: Cache) -> object:
    with cache.sessions() as session:
        return draft(session, ORDER, "delayed", folder=None, shop="Brand Shop")


def exceptions(cache: Cache) -> list[FloorException]:
    with cache.sessions() as session:
        return list(session.exec(select(FloorException).order_by(col(FloorException.id))))


def test_a_message_is_sent_once_read_back_and_recorded_on_the_order(cache: Cache) -> None:
    keeper = Keeper()
    with smtp_server(keeper) as (port, _):
        settled = send_new(cache, SUPPORT, delayed(cache), plain(port), clock)  # type: ignore[arg-type]
    assert settled.state == MessageState.SENT
    [received] = keeper.received
    with cache.sessions() as session:
        row = session.get_one(CustomerMessage, settled.message)
        assert received["To"] == EMAIL and keeper.envelopes == [("shop@brand.test", [EMAIL])]
        assert received["Subject"] == "Your order #1001 is delayed" == row.subject
        assert received["Message-ID"] == row.message_id and row.message_id.endswith("@brand.test>")
        body = received.get_body().get_content()
        assert "Dear Ana," in body and "#1001" in body and "1 x Cap black" in body and "UPS Standard" in body
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "message.sent")).all()
        assert (event.subject, event.staff_code, event.station) == (ORDER, "S01", "desk-1")
        assert event.details["template"] == "delayed" and event.details["emailSubject"] == row.subject
        [note] = session.exec(select(OutboxAction)).all()
        assert note.kind == ActionKind.MESSAGE_NOTE and row.message_id in note.payload["line"]
        order = session.get_one(Order, ORDER)
        assert order.note is not None and order.note.startswith("Leave at the back door\n")  # kept
        assert order.note.endswith(note.payload["line"])


def test_starttls_and_login_with_a_trusted_certificate(cache: Cache, tmp_path: Path) -> None:
    keeper = Keeper()
    with smtp_server(keeper, tls_folder=tmp_path) as (port, cert):
        server = MailServer(
            "127.0.0.1", port, SENDER, user=USER, password=SecretStr(PASSWORD), ca_file=cert, timeout=5
        )
        settled = send_new(cache, SUPPORT, delayed(cache), server, clock)  # type: ignore[arg-type]
        assert settled.state == MessageState.SENT and len(keeper.received) == 1
        wrong = MailServer(
            "127.0.0.1", port, SENDER, user=USER, password=SecretStr("nope"), ca_file=cert, timeout=5
        )
        refused = send_new(cache, SUPPORT, delayed(cache), wrong, clock)  # type: ignore[arg-type]
        untrusted = MailServer("127.0.0.1", port, SENDER, user=USER, password=SecretStr(PASSWORD), timeout=5)
        unverified = send_new(cache, SUPPORT, delayed(cache), untrusted, clock)  # type: ignore[arg-type]
    assert len(keeper.received) == 1
    assert refused.state == MessageState.FAILED and "refused the login" in refused.detail
    assert unverified.state == MessageState.FAILED and "STARTTLS" in unverified.detail
    assert PASSWORD not in repr(server) and "nope" not in repr(wrong)


def test_a_lost_answer_is_unknown_and_only_a_person_sends_it_again(cache: Cache) -> None:
    keeper = Keeper(hang_up_after_data=True)
    with smtp_server(keeper) as (port, _):
        settled = send_new(cache, SUPPORT, delayed(cache), plain(port), clock)  # type: ignore[arg-type]
        assert settled.state == MessageState.UNKNOWN and len(keeper.received) == 1  # it did arrive
        [problem] = exceptions(cache)
        assert problem.kind == ExceptionKind.MESSAGE_UNKNOWN and problem.severity == "critical"
        assert settle_stale(cache, NOW.replace(year=2027)) == 0  # nothing resends it by itself
        with cache.sessions() as session:
            assert not session.exec(select(OutboxAction)).all()  # no note: it may not have gone
        keeper.hang_up_after_data = False
        again = resend(cache, SUPPORT, settled.message, plain(port), clock)
    assert again.state == MessageState.SENT
    first, second = keeper.received
    assert first["Message-ID"] == second["Message-ID"] and first["Date"] == second["Date"]
    [problem] = exceptions(cache)
    assert problem.state == ExceptionState.RESOLVED
    with pytest.raises(MessageRefused, match="only a failed or unknown one"):
        resend(cache, SUPPORT, settled.message, plain(port), clock)


def test_a_person_may_mark_an_unknown_message_sent(cache: Cache) -> None:
    keeper = Keeper(hang_up_after_data=True)
    with smtp_server(keeper) as (port, _):
        settled = send_new(cache, SUPPORT, delayed(cache), plain(port), clock)  # type: ignore[arg-type]
    assert mark_sent(cache, Actor("desk-2", "M01"), settled.message, NOW).state == MessageState.SENT
    with cache.sessions() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "message.marked_sent")).all()
        assert event.staff_code == "M01"
        assert len(session.exec(select(OutboxAction)).all()) == 1
    assert [p.state for p in exceptions(cache)] == [ExceptionState.RESOLVED]
    assert len(keeper.received) == 1


def test_a_refused_recipient_or_a_dead_server_is_an_exception_with_the_message_kept(cache: Cache) -> None:
    keeper = Keeper(refused={EMAIL})
    with smtp_server(keeper) as (port, _):
        refused = send_new(cache, SUPPORT, delayed(cache), plain(port), clock)  # type: ignore[arg-type]
    dead = send_new(cache, SUPPORT, delayed(cache), plain(free_port()), clock)  # type: ignore[arg-type]
    assert refused.state == dead.state == MessageState.FAILED
    assert "refused the recipient ana.lima@example.org: 550" in refused.detail
    assert "could not reach the mail server" in dead.detail
    kinds = {(p.kind, p.subject) for p in exceptions(cache)}
    assert kinds == {
        (ExceptionKind.MESSAGE_FAILED, f"message:{refused.message}"),
        (ExceptionKind.MESSAGE_FAILED, f"message:{dead.message}"),
    }
    with cache.sessions() as session:
        kept = session.get_one(CustomerMessage, refused.message)
        assert kept.body.startswith("Dear Ana,") and kept.state == MessageState.FAILED
        assert not session.exec(select(OutboxAction)).all()
    keeper.refused.clear()
    with smtp_server(keeper) as (port, _):
        assert resend(cache, SUPPORT, refused.message, plain(port), clock).state == MessageState.SENT
    assert len(keeper.received) == 1


def test_nobody_signed_in_sends_nothing_and_an_order_without_email_is_refused(any_cache: Cache) -> None:
    seed_order(any_cache, email=None)
    with any_cache.sessions() as session, pytest.raises(MessageRefused, match="no customer email"):
        draft(session, ORDER, "delayed", folder=None, shop="Brand Shop")


def test_a_station_that_died_mid_send_leaves_an_unknown_message_not_a_resend(cache: Cache) -> None:
    with cache.sessions() as session:
        message = delayed(cache)
        row = record(session, SUPPORT, message, SENDER)  # type: ignore[arg-type]
        row.updated_at = NOW
        session.commit()
        ident = row.id
    assert settle_stale(cache, NOW + timedelta(minutes=5)) == 0  # it may still be on its way
    assert settle_stale(cache, NOW + timedelta(minutes=11)) == 1
    assert settle_stale(cache, NOW + timedelta(minutes=12)) == 0  # once
    with cache.sessions() as session:
        assert session.get_one(CustomerMessage, ident).state == MessageState.UNKNOWN
    [problem] = exceptions(cache)
    assert (problem.kind, problem.subject) == (ExceptionKind.MESSAGE_UNKNOWN, f"message:{ident}")
