"""`oms-tui print`: packing slips and pick lists as PDF, to the printer, a file or the print folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlmodel import Session

from oms_tui.cache.models import Order
from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.config import Settings

if TYPE_CHECKING:
    from oms_tui.printing.output import Document

ORDERS = click.argument("orders", nargs=-1, required=True, metavar="ORDER...")
TO = click.option(
    "--to",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the PDF to this file instead of printing it.",
)


@click.group("print")
def print_group() -> None:
    """Print packing slips and pick lists (ORDER: #1004, 1004 or the order's id)."""


@print_group.command("packing-slip")
@ORDERS
@TO
@one_line_errors
def packing_slip(orders: tuple[str, ...], to: Path | None) -> None:
    """A packing slip per ORDER (its number as a barcode), in one PDF."""
    from oms_tui.printing.documents import packing_slips

    _print(orders, to, packing_slips)


@print_group.command("pick-list")
@ORDERS
@TO
@one_line_errors
def pick_list(orders: tuple[str, ...], to: Path | None) -> None:
    """One pick list for the ORDERs still to pick: walking order, bins, SKU barcodes, a tote per order."""
    from oms_tui.printing.documents import pick_list as build

    _print(orders, to, build)


def _print(
    names: Sequence[str], to: Path | None, build: Callable[[Session, Sequence[Order], Settings], Document]
) -> None:
    from oms_tui.cache.database import open_cache
    from oms_tui.floor.orders.lookup import NotFound, find_order
    from oms_tui.floor.picking.pick_lists import PickRefused
    from oms_tui.printing.output import PrintFailed, print_documents

    settings = load_settings()
    cache = open_cache(settings.database_url, create=False)
    try:
        with cache.reads() as session:
            try:
                orders = list({order.id: order for order in (find_order(session, n) for n in names)}.values())
                document = build(session, orders, settings)
            except (NotFound, PickRefused) as exc:
                raise click.ClickException(f"nothing printed: {exc}") from None
        try:
            click.echo(print_documents(cache, settings, document, to=to))
        except PrintFailed as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        cache.close()
