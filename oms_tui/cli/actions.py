"""Floor actions from a shell: `oms-tui ship|hold|release|move|note|tag|cancel ORDER ...`.

Each records the action exactly as the app does (the local change, its audit event and the outbox
action, in one transaction) and prints the new action's id; the store gets it at the next sync or with
`oms-tui outbox push`. Bad input is one line, exits non-zero and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlmodel import Session

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import Order, OutboxAction
from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.floor.actions import order_actions, store_actions
from oms_tui.floor.actions.staff import StaffError, active_staff
from oms_tui.floor.actions.store_actions import (
    CANCEL_REASONS,
    HOLD_REASONS,
    ActionRefused,
    Actor,
    Refund,
    Tracking,
)
from oms_tui.floor.orders.lookup import NotFound, find_location, find_order
from oms_tui.plain_text import visible

Act = Callable[[Session, Actor, Order], list[OutboxAction]]

order_argument = click.argument("order")


def staff_option(command: Callable[..., None]) -> Callable[..., None]:
    """Who does it, and a manager who approves what they may not do alone."""
    approved = click.option(
        "--approved-by",
        metavar="CODE",
        help="A manager's code approving what --staff may not do alone (recorded with the action).",
    )
    who = click.option("--staff", "staff_code", metavar="CODE", help="Who does it (an active staff code).")
    return who(approved(command))


def record_actions(order_text: str, staff_code: str | None, approved_by: str | None, act: Act) -> None:
    """Run `act` on the named order in one transaction; print the queued actions once committed.
    Who may do it is checked where every action is recorded (`store_actions`)."""
    settings = load_settings()
    cache = open_cache(settings.database_url, create=False)
    try:
        with cache.sessions() as session:
            try:
                staff = active_staff(session, staff_code).code if staff_code is not None else None
                approver = active_staff(session, approved_by).code if approved_by is not None else None
                order = find_order(session, order_text)
                actions = act(session, Actor(settings.station, staff, approver), order)
            except (ActionRefused, NotFound, StaffError) as exc:
                raise click.ClickException(str(exc)) from None
            session.commit()
            for action in actions:
                click.echo(f"action {action.id}: {action.kind} {visible(order.name)}")
    finally:
        cache.close()
    click.echo("the store gets it at the next sync, or now with `oms-tui outbox push`", err=True)


def _line(text: str) -> tuple[str, int]:
    key, _, quantity = text.rpartition("=")
    if not key or not quantity.isdigit() or int(quantity) < 1:
        raise click.ClickException(f"--line {text}: write SKU=QUANTITY with a whole number above 0")
    return key.strip(), int(quantity)


@click.command()
@order_argument
@click.option("--tracking", metavar="NUMBER", help="The parcel's tracking number.")
@click.option("--carrier", metavar="NAME", help="The carrier (with --tracking), e.g. 'DHL Express'.")
@click.option(
    "--line",
    "lines",
    multiple=True,
    metavar="SKU=QTY",
    help="Ship QTY of SKU (or of a fulfillment order line id); repeatable. Default: everything left.",
)
@click.option("--no-notify", is_flag=True, help="Do not email the customer.")
@staff_option
@one_line_errors
def ship(
    order: str,
    tracking: str | None,
    carrier: str | None,
    lines: tuple[str, ...],
    no_notify: bool,
    staff_code: str | None,
    approved_by: str | None,
) -> None:
    """Record a shipment of ORDER (a name like #1004, or an id)."""
    if carrier and not tracking:
        raise click.ClickException("--carrier needs --tracking")
    parcel = Tracking(tracking, carrier) if tracking else None
    picked = [_line(text) for text in lines] or None
    record_actions(
        order,
        staff_code,
        approved_by,
        lambda session, actor, found: order_actions.ship(
            session, actor, found, picked, parcel, notify_customer=not no_notify
        ),
    )


@click.command()
@order_argument
@click.option("--reason", required=True, type=click.Choice(HOLD_REASONS, case_sensitive=False))
@click.option("--note", default="", metavar="TEXT", help="Why, for the people who release it.")
@staff_option
@one_line_errors
def hold(order: str, reason: str, note: str, staff_code: str | None, approved_by: str | None) -> None:
    """Put ORDER's open fulfillment orders on hold."""
    record_actions(
        order,
        staff_code,
        approved_by,
        lambda session, actor, found: order_actions.hold(session, actor, found, reason, note),
    )


@click.command()
@order_argument
@staff_option
@one_line_errors
def release(order: str, staff_code: str | None, approved_by: str | None) -> None:
    """Release ORDER's holds."""
    record_actions(order, staff_code, approved_by, order_actions.release)


@click.command()
@order_argument
@click.option("--to", "location", required=True, metavar="LOCATION", help="Location name or id.")
@staff_option
@one_line_errors
def move(order: str, location: str, staff_code: str | None, approved_by: str | None) -> None:
    """Move ORDER's open fulfillment orders to another location."""

    def act(session: Session, actor: Actor, found: Order) -> list[OutboxAction]:
        return order_actions.move(session, actor, found, find_location(session, location))

    record_actions(order, staff_code, approved_by, act)


@click.command()
@order_argument
@click.argument("text", nargs=-1, required=True)
@staff_option
@one_line_errors
def note(order: str, text: tuple[str, ...], staff_code: str | None, approved_by: str | None) -> None:
    """Set ORDER's note to TEXT (it replaces the note the order had)."""
    record_actions(
        order,
        staff_code,
        approved_by,
        lambda session, actor, found: [store_actions.set_note(session, actor, found.id, " ".join(text))],
    )


@click.command()
@order_argument
@click.argument("tags", nargs=-1, required=True)
@staff_option
@one_line_errors
def tag(order: str, tags: tuple[str, ...], staff_code: str | None, approved_by: str | None) -> None:
    """Add TAGS to ORDER."""
    record_actions(
        order,
        staff_code,
        approved_by,
        lambda session, actor, found: [store_actions.add_tags(session, actor, found.id, list(tags))],
    )


@click.command()
@order_argument
@click.option("--reason", required=True, type=click.Choice(CANCEL_REASONS, case_sensitive=False))
@click.option(
    "--refund",
    required=True,
    type=click.Choice([refund.value for refund in Refund]),
    help="Where the money goes: the original payment, store credit, or nowhere.",
)
@click.option("--restock", is_flag=True, help="Put the unshipped items back in stock.")
@staff_option
@one_line_errors
def cancel(
    order: str, reason: str, refund: str, restock: bool, staff_code: str | None, approved_by: str | None
) -> None:
    """Cancel ORDER."""
    record_actions(
        order,
        staff_code,
        approved_by,
        lambda session, actor, found: [
            store_actions.cancel(session, actor, found.id, reason, refund=Refund(refund), restock=restock)
        ],
    )


COMMANDS = (ship, hold, release, move, note, tag, cancel)
