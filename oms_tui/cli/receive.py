"""`oms-tui receive`: the inbound queue, and a scripted receipt of one shipment.

    oms-tui receive list
    oms-tui receive '#T1001' --staff P02 --line TEE-BLK-M=12:A-03-2 --line MUG-1=4 --bin R-01 \\
        --reject MUG-1=1:damaged [--approved-by M01] [--tally sheet.pdf]

Each --line is SKU=QTY accepted into BIN (`:BIN`, or --bin for them all); each --reject is
SKU=QTY:REASON. What is not named stays expected (a partial receipt). Units beyond what a line
expects need --approved-by a manager. The receipt is recorded as the dock's screen records it and
sent at the next sync or `oms-tui outbox push`; bad input is one line and records nothing.
"""

from __future__ import annotations

from pathlib import Path

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.plain_text import visible


class _ReceiveCommands(click.Group):
    """`receive list`, or `receive SHIPMENT ...` (any other first word names a shipment)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "shipment", self.commands["shipment"], args
        return super().resolve_command(ctx, args)


@click.group("receive", cls=_ReceiveCommands)
def receive_group() -> None:
    """Inbound stock: `receive list`, or `receive SHIPMENT --line SKU=QTY[:BIN] ...`."""


@receive_group.command("list")
@one_line_errors
def receive_list() -> None:
    """Shipments on their way to us, the soonest first: units still expected, who is receiving."""
    from oms_tui.cli.session import cache_session
    from oms_tui.floor.inbound.receiving import inbound_queue

    with cache_session(load_settings(), read_only=True) as session:
        rows = inbound_queue(session)
    if not rows:
        click.echo("nothing inbound")
    for row in rows:
        when = f"{row.arrives_at:%Y-%m-%d}" if row.arrives_at else "-"
        who = f"  receiving: {row.receiving}" if row.receiving else ""
        status = row.status.lower().replace("_", " ")
        click.echo(
            visible(
                f"{row.name:<12} {row.transfer_name:<8} {row.origin} -> {row.destination}  "
                f"{row.expected} unit(s)  {status}  due {when}  {row.tracking}{who}"
            )
        )


def _counted(text: str, option: str, rejected: bool) -> tuple[str, int, str | None]:
    sku, _, rest = text.partition("=")
    quantity, _, extra = rest.partition(":")
    if not sku.strip() or not quantity.isdigit() or int(quantity) < 1 or (rejected and not extra.strip()):
        shape = "SKU=QTY:REASON" if rejected else "SKU=QTY[:BIN]"
        raise click.ClickException(f"{option} {text}: write {shape} with a whole number above 0")
    return sku.strip(), int(quantity), extra.strip() or None


@receive_group.command("shipment", hidden=True)
@click.argument("shipment")
@click.option("--line", "lines", multiple=True, metavar="SKU=QTY[:BIN]", help="Units accepted into a bin.")
@click.option("--reject", "rejects", multiple=True, metavar="SKU=QTY:REASON", help="Units rejected, and why.")
@click.option("--bin", "default_bin", metavar="BIN", help="The bin of every --line that names none.")
@click.option(
    "--staff", "staff_code", metavar="CODE", required=True, help="Who receives (an active staff code)."
)
@click.option("--approved-by", metavar="CODE", help="A manager accepting units beyond what a line expects.")
@click.option(
    "--tally", type=click.Path(dir_okay=False, path_type=Path), help="Write the tally sheet PDF here."
)
@one_line_errors
def receive_shipment(
    shipment: str,
    lines: tuple[str, ...],
    rejects: tuple[str, ...],
    default_bin: str | None,
    staff_code: str,
    approved_by: str | None,
    tally: Path | None,
) -> None:
    """Receive SHIPMENT (its name, its transfer's name or its tracking number) as scripted."""
    from oms_tui.actions.permissions import ActionRefused
    from oms_tui.cache.database import open_cache
    from oms_tui.cache.models import InventoryShipment
    from oms_tui.floor.actions.staff import StaffError, active_staff
    from oms_tui.floor.actions.store_actions import Actor
    from oms_tui.floor.inbound.receiving import ReceiveRefused, finish, open_receipt, receive

    accepted = [_counted(text, "--line", rejected=False) for text in lines]
    rejected = [_counted(text, "--reject", rejected=True) for text in rejects]
    if not accepted and not rejected:
        raise click.ClickException("name what arrived: --line SKU=QTY[:BIN] or --reject SKU=QTY:REASON")
    settings = load_settings()
    cache = open_cache(settings.database_url, create=False)
    try:
        with cache.sessions() as session:
            try:
                staff = active_staff(session, staff_code).code
                approver = active_staff(session, approved_by).code if approved_by else None
                actor = Actor(settings.station, staff, approver)
                receipt = open_receipt(session, Actor(settings.station, staff), shipment)
                for sku, quantity, where in accepted:
                    if (where or default_bin) is None:
                        raise ReceiveRefused(f"--line {sku}={quantity}: which bin? add :BIN or --bin")
                    receipt = receive(
                        session, actor, receipt.id, sku, quantity, bin_code=where or default_bin
                    )
                for sku, quantity, reason in rejected:
                    receipt = receive(session, actor, receipt.id, sku, quantity, reject_reason=reason)
                action = finish(session, actor, receipt.id)
            except (ReceiveRefused, ActionRefused, StaffError) as exc:
                raise click.ClickException(str(exc)) from None
            session.commit()
            left = sum(line.left for line in receipt.lines)
            said = f"action {action.id}: {action.kind} {receipt.shipment_name}: {receipt.counted} unit(s)"
            click.echo(visible(said + (f", {left} still expected" if left else "")))
        if tally is not None:
            from oms_tui.printing.output import PrintFailed, print_documents
            from oms_tui.printing.tally_pdf import tally_document

            with cache.reads() as session:
                document = tally_document(
                    session, session.get_one(InventoryShipment, receipt.shipment_id), settings
                )
            try:
                click.echo(print_documents(cache, settings, document, to=tally))
            except PrintFailed as exc:
                raise click.ClickException(str(exc)) from None
    finally:
        cache.close()
    click.echo("the store gets it at the next sync, or now with `oms-tui outbox push`", err=True)
