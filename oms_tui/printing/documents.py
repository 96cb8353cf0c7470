"""The documents the floor prints, ready for `print_documents`: built from the cache and the settings."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlmodel import Session

from oms_tui.cache.models import Order
from oms_tui.config import Settings
from oms_tui.floor.walking import WalkRule
from oms_tui.printing.content import packing_slip, pick_sheets
from oms_tui.printing.output import Document, PrintSettings
from oms_tui.printing.paper import PAPERS
from oms_tui.printing.pick_list_pdf import render_pick_lists
from oms_tui.printing.slip_pdf import render_slips


def print_settings(settings: Settings) -> PrintSettings:
    return PrintSettings(settings.printer, settings.print_folder)


def packing_slips(session: Session, orders: Sequence[Order], settings: Settings) -> Document:
    """One slip per order, in the order given, on the slip paper."""
    slips = [
        packing_slip(session, order, shop_name=shop_name(settings), note=settings.slip_note)
        for order in orders
    ]
    paper = PAPERS[settings.slip_paper or settings.paper]
    return Document(f"packing-slips-{_names(orders)}", render_slips(slips, paper), _ids(orders))


def pick_list(session: Session, orders: Sequence[Order], settings: Settings) -> Document:
    """A pick list per location for the orders' work still to pick, in walking order (PickRefused:
    nothing to pick)."""
    sheets = pick_sheets(session, orders, walk=WalkRule.of(settings.pick_walk, settings.pick_zones))
    return Document(
        f"pick-list-{_names(orders)}", render_pick_lists(sheets, PAPERS[settings.paper]), _ids(orders)
    )


def shop_name(settings: Settings) -> str:
    """The `shop_name` setting, else the shop's own name from its address (my-brand.myshopify.com)."""
    if settings.shop_name:
        return settings.shop_name
    if settings.shop_url is None:
        return "Demo shop"
    host = urlsplit(settings.shop_url).hostname or settings.shop_url
    return host.removesuffix(".myshopify.com")


def _names(orders: Sequence[Order]) -> str:
    shown = "-".join(order.name.lstrip("#") for order in orders[:3])
    return f"{shown}-and-{len(orders) - 3}-more" if len(orders) > 3 else shown


def _ids(orders: Sequence[Order]) -> tuple[str, ...]:
    return tuple(order.id for order in orders)
