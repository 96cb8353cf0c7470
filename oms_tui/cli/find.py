"""`oms-tui find TEXT`: "where is my order?" from a shell, with the search screen's matches.

Customer text comes from the store and anyone can type anything into a checkout: control and
formatting characters (a terminal escape, a right-to-left override) are shown as escapes, so a name
can neither redraw the terminal nor hide what is next to it.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from oms_tui.cli.errors import load_settings, one_line_errors
from oms_tui.plain_text import has_control, visible

if TYPE_CHECKING:
    from oms_tui.floor.orders.search import SearchHit

LIMIT = 50
COLUMNS = ("order", "placed", "customer", "status", "matched")


@click.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the matches, for scripts.")
@click.option(
    "--limit", default=LIMIT, show_default=True, type=click.IntRange(min=1), help="Most matches shown."
)
@one_line_errors
def find(text: tuple[str, ...], as_json: bool, limit: int) -> None:
    """Find orders by a piece of their number, customer, email, phone, SKU, barcode or tracking number.

    Shipped and cancelled orders too, as the app's search (`/`) finds them: an exact order number
    first, then the newest. Exits with 1 when no order matches.
    """
    from oms_tui.cache.database import open_cache
    from oms_tui.floor.orders.search import MIN_INDEXED, search_orders

    wanted = " ".join(text)
    cache = open_cache(load_settings().database_url)
    try:
        with cache.reads() as session:
            hits = search_orders(session, wanted, limit=limit)
    finally:
        cache.close()
    if as_json:
        click.echo(safe_json([as_record(hit) for hit in hits]))
    elif hits:
        click.echo(table([row(hit) for hit in hits]))
    else:
        short = len(wanted.strip()) < MIN_INDEXED
        hint = f" (a whole order number, or {MIN_INDEXED} characters or more)" if short else ""
        click.echo(f"no order matches '{visible(wanted)}'{hint}")
    if len(hits) == limit:
        click.echo(f"the newest {limit} matches: narrow the search, or raise --limit", err=True)
    if not hits:
        sys.exit(1)


def status(hit: SearchHit) -> str:
    return "cancelled" if hit.cancelled else hit.fulfillment_status.replace("_", " ").lower()


def row(hit: SearchHit) -> tuple[str, ...]:
    placed = hit.created_at.astimezone().strftime("%Y-%m-%d %H:%M")  # this machine's time, as the app shows
    return tuple(
        visible(value) for value in (hit.name, placed, hit.customer or hit.email, status(hit), hit.matched)
    )


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(value) for value in column) for column in zip(COLUMNS, *rows, strict=True)]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip()
        for line in [COLUMNS, *rows]
    ]
    return "\n".join(lines)


def as_record(hit: SearchHit) -> dict[str, object]:
    return {
        "order": hit.name,
        "order_id": hit.order_id,
        "placed": hit.created_at.isoformat(),
        "customer": hit.customer,
        "email": hit.email,
        "status": status(hit),
        "fulfillment_status": hit.fulfillment_status,
        "financial_status": hit.financial_status,
        "cancelled": hit.cancelled,
        "matched": hit.matched,
    }


def safe_json(value: object) -> str:
    """JSON that is safe on a terminal: every control or formatting character \\u-escaped (the same
    value once parsed), not only those JSON requires. Outside its strings, JSON indented by
    `json.dumps` holds no such character but its own newlines."""
    dumped = json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(json.dumps(ch)[1:-1] if ch != "\n" and has_control(ch) else ch for ch in dumped)

