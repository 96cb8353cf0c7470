"""The documents the floor prints, ready for `print_documents`: built from the cache and the settings.

The pick and pack screens print from a worker thread, as the CLI does:

    with cache.reads() as session:
        document = pick_list_of_batch(session, fulfillment_order_ids, settings)
    said = print_documents(cache, settings, document)  # PrintFailed: one line to show
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from oms_tui.cache.models import Order
from oms_tui.config import Settings
from oms_tui.floor_settings import FloorSettings
from oms_tui.printing.content import packing_slip, pick_sheets, pickable
from oms_tui.printing.output import Document
from oms_tui.printing.paper import PAPERS
from oms_tui.printing.pick_list_pdf import render_pick_lists
from oms_tui.printing.slip_pdf import render_slips


def packing_slips(session: Session, orders: Sequence[Order], settings: Settings) -> Document:
    """One slip per order, in the order given, on the slip paper."""
    shop = shop_name(settings)
    slips = [packing_slip(session, order, shop_name=shop, note=settings.slip_note) for order in orders]
    paper = PAPERS[settings.slip_paper or settings.paper]
    return Document(f"packing-slips-{_names(orders)}", render_slips(slips, paper), _ids(orders))


def pick_list(session: Session, orders: Sequence[Order], settings: Settings) -> Document:
    """A pick list per location for the orders' work still to pick, in walking order (PickRefused:
    nothing to pick)."""
    return pick_list_of_batch(session, pickable(session, orders), settings)


def pick_list_of_batch(
    session: Session, fulfillment_order_ids: Sequence[str], settings: Settings
) -> Document:
    """The pick list of a batch of fulfillment orders, a tote each in the order given (the pick
    screen's batch); PickRefused when there is nothing to pick."""
    sheets = pick_sheets(session, fulfillment_order_ids, walk=FloorSettings(settings).walk)
    names = [order for sheet in sheets for _, order in sheet.orders]
    orders = sorted(
        session.exec(select(Order).where(col(Order.name).in_(names))).all(),
        key=lambda order: names.index(order.name),
    )
    pdf = render_pick_lists(sheets, PAPERS[settings.paper])
    return Document(f"pick-list-{_names(orders)}", pdf, _ids(orders))


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
