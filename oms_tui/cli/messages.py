"""Messages to customers from a shell.

`oms-tui message ORDER --template NAME` prints the message as it would go (From, To, Subject, body);
with `--send` (and `--staff`, who sends it) it is sent once, recorded on the order and noted at the
store through the outbox. `message-resend ID` sends a failed or unknown message again (the same
Message-ID); `message-mark-sent ID` records that it did go. Bad input is one line and sends nothing.
"""

from __future__ import annotations

import dataclasses

import click

from oms_tui.cache.database import open_cache
from oms_tui.cache.enums import MessageState
from oms_tui.cache.types import utcnow
from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.cli.store import started_runtime
from oms_tui.config import Settings
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.messages.customer_email import ensure_email
from oms_tui.floor.messages.sending import Draft, NoEmail, Settled, draft, mark_sent, resend, send_new
from oms_tui.floor.messages.templates import default_template, template_names
from oms_tui.floor.orders.lookup import NotFound, find_order
from oms_tui.plain_text import visible
from oms_tui.runtime import Runtime

SIGNATURE = "Customer service"
EXIT = {MessageState.SENT: 0, MessageState.FAILED: 1, MessageState.UNKNOWN: 2, MessageState.SENDING: 2}


def _actor(runtime: Runtime, staff_code: str | None) -> Actor:
    if staff_code is None:
        raise click.ClickException("--staff CODE: a message is sent by someone (their role must allow it)")
    with runtime.cache.sessions() as session:
        try:
            return Actor(runtime.settings.station, active_staff(session, staff_code).code)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None


def _said(settled: Settled) -> None:
    """What became of it, and an exit code scripts can use: 0 sent, 1 not sent, 2 unknown."""
    if settled.state == MessageState.SENT:
        click.echo(f"message {settled.message}: sent to {settled.to}")
    elif settled.state == MessageState.FAILED:
        click.echo(f"message {settled.message}: not sent: {settled.detail} (kept: message-resend)", err=True)
    else:
        click.echo(
            f"message {settled.message}: sent or not is unknown: {settled.detail}; not resent by itself "
            f"(check the mailbox's Sent folder: message-resend {settled.message} or message-mark-sent)",
            err=True,
        )
    raise SystemExit(EXIT[settled.state])


@click.command("message")
@click.argument("order")
@click.option("--template", "template", metavar="NAME", help="Which message (default: by the order's state).")
@click.option("--send", is_flag=True, help="Send it (else only print it).")
@click.option("--staff", "staff_code", metavar="CODE", help="Who sends it (an active staff code).")
@click.option("--subject", metavar="TEXT", help="Instead of the template's subject.")
@one_line_errors
def message(
    order: str, template: str | None, send: bool, staff_code: str | None, subject: str | None
) -> None:
    """Print the message to ORDER's customer; with --send, send it once."""
    settings = load_settings()
    if template is not None and template not in template_names(settings.message_templates):
        known = ", ".join(template_names(settings.message_templates))
        raise click.ClickException(f"--template {template!r}: no such template (there are: {known})")
    try:
        made = _draft(settings, order, template)
    except NoEmail:  # the store may know it: asked by id, kept in the cache
        with started_runtime() as runtime:
            try:
                ensure_email(runtime.cache, runtime.client, _order_id(runtime, order))
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        try:
            made = _draft(settings, order, template)
        except NoEmail as exc:
            raise click.ClickException(f"{exc} (nor has the store)") from None
    if subject is not None:
        made = dataclasses.replace(made, subject=subject)
    if not send:
        click.echo(
            f"To: {made.to}\nSubject: {visible(made.subject)}\nTemplate: {made.template}\n\n{made.body}",
            nl=False,
        )
        return
    with started_runtime() as runtime:
        actor = _actor(runtime, staff_code)
        try:
            settled = send_new(runtime.cache, actor, made, runtime.mail_server(), utcnow)
        except ValueError as exc:  # not permitted, no mail server set
            raise click.ClickException(str(exc).splitlines()[0]) from None
    _said(settled)


def _draft(settings: Settings, order: str, template: str | None) -> Draft:
    cache = open_cache(settings.database_url, create=False)
    try:
        with cache.reads() as session:
            try:
                found = find_order(session, order)
                partly = found.fulfillment_status == "PARTIALLY_FULFILLED"
                chosen = template or default_template(None, partly)
                shop = settings.shop_name or SIGNATURE
                return draft(session, found.id, chosen, folder=settings.message_templates, shop=shop)
            except NoEmail:
                raise
            except (NotFound, ValueError) as exc:
                raise click.ClickException(str(exc)) from None
    finally:
        cache.close()


def _order_id(runtime: Runtime, order: str) -> str:
    with runtime.cache.sessions() as session:
        return find_order(session, order).id


@click.command("message-resend")
@click.argument("message_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--staff", "staff_code", metavar="CODE", help="Who sends it again.")
@one_line_errors
def message_resend(message_id: int, staff_code: str | None) -> None:
    """Send a failed or unknown message again: the same message, with the same Message-ID."""
    with started_runtime() as runtime:
        actor = _actor(runtime, staff_code)
        try:
            settled = resend(runtime.cache, actor, message_id, runtime.mail_server(), utcnow)
        except ValueError as exc:
            raise click.ClickException(str(exc).splitlines()[0]) from None
    _said(settled)


@click.command("message-mark-sent")
@click.argument("message_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--staff", "staff_code", metavar="CODE", help="Who checked that it went.")
@one_line_errors
def message_mark_sent(message_id: int, staff_code: str | None) -> None:
    """Record that a message whose outcome was unknown did reach the customer."""
    settings = load_settings()
    cache = open_cache(settings.database_url, create=False)
    try:
        with cache.sessions() as session:
            try:
                actor = Actor(settings.station, active_staff(session, staff_code or "").code)
            except StaffError as exc:
                raise click.ClickException(f"--staff: {exc}") from None
        try:
            settled = mark_sent(cache, actor, message_id, utcnow())
        except ValueError as exc:
            raise click.ClickException(str(exc).splitlines()[0]) from None
    finally:
        cache.close()
    _said(settled)
