"""What goes on the paper, read from the cache: a packing slip per order, a pick list per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, LineItem, Order
from oms_tui.floor.picking.pick_lists import PICKABLE, PickRefused, PlanLine, plan_pick
from oms_tui.floor.picking.walking import WalkRule


@dataclass(frozen=True)
class SlipLine:
    sku: str | None
    title: str
    quantity: int
    components: tuple[SlipLine, ...] = ()  # a bundle (its title, how many): the lines packed as it

    @property
    def units(self) -> int:
        """Units in the box: a bundle's are its components'."""
        return sum(part.quantity for part in self.components) if self.components else self.quantity


@dataclass(frozen=True)
class PackingSlip:
    shop_name: str
    order_name: str  # "#1004", also its barcode: the pack station scans it back
    ship_to: tuple[str, ...]  # address lines
    lines: tuple[SlipLine, ...]
    note: str


@dataclass(frozen=True)
class PickListPaper:
    location: str | None
    orders: tuple[tuple[str, str], ...]  # (tote, order name) in tote order
    lines: tuple[PlanLine, ...]  # walking order


def packing_slip(session: Session, order: Order, *, shop_name: str, note: str) -> PackingSlip:
    """The slip for the box: what the order holds now (removed units left out), where it goes."""
    items = session.exec(
        select(LineItem)
        .where(
            LineItem.order_id == order.id, col(LineItem.requires_shipping), col(LineItem.current_quantity) > 0
        )
        .order_by(col(LineItem.position), col(LineItem.id))
    )
    return PackingSlip(
        shop_name, order.name, address_lines(order.shipping_address), slip_lines(list(items)), note
    )


def slip_lines(items: list[LineItem]) -> tuple[SlipLine, ...]:
    """One line per item, the components of a bundle as one line of the bundle, where its first
    component stands."""
    lines: list[SlipLine] = []
    bundles: dict[str, int] = {}  # bundle id -> its index in `lines`
    for item in items:
        line = SlipLine(item.sku, item.title, item.current_quantity)
        if item.bundle_id is None:
            lines.append(line)
        elif item.bundle_id in bundles:
            at = bundles[item.bundle_id]
            lines[at] = replace(lines[at], components=(*lines[at].components, line))
        else:
            bundles[item.bundle_id] = len(lines)
            title = item.bundle_title or "Bundle"
            lines.append(SlipLine(None, title, item.bundle_quantity or 1, (line,)))
    return tuple(lines)


def address_lines(address: dict[str, Any] | None) -> tuple[str, ...]:
    """A Shopify mailing address as the lines of a label."""
    if not address:
        return ("(no shipping address)",)
    region = address.get("provinceCode") or address.get("province")
    town = " ".join(part for part in (address.get("zip"), address.get("city"), region) if part)
    lines = (
        address.get("name"),
        address.get("address1"),
        address.get("address2"),
        town,
        address.get("country"),
    )
    return tuple(str(line) for line in lines if line)


def pickable(session: Session, orders: Sequence[Order]) -> list[str]:
    """The orders' fulfillment orders with work still to pick, order by order."""
    order_ids = [order.id for order in orders]
    rows = session.exec(
        select(FulfillmentOrder.id, FulfillmentOrder.order_id).where(
            col(FulfillmentOrder.order_id).in_(order_ids), col(FulfillmentOrder.status).in_(PICKABLE)
        )
    ).all()
    return [fo_id for fo_id, _ in sorted(rows, key=lambda row: (order_ids.index(row[1]), row[0]))]


def pick_sheets(
    session: Session, fulfillment_order_ids: Sequence[str], *, walk: WalkRule
) -> list[PickListPaper]:
    """A batch per location (a pick list is walked in one place), one tote per fulfillment order in
    the order given; PickRefused when there is nothing to pick."""
    locations = dict(
        session.exec(
            select(FulfillmentOrder.id, FulfillmentOrder.location_name).where(
                col(FulfillmentOrder.id).in_(fulfillment_order_ids)
            )
        ).all()
    )
    batches: dict[str | None, list[str]] = {}
    for fo_id in dict.fromkeys(fulfillment_order_ids):
        batches.setdefault(locations.get(fo_id), []).append(fo_id)
    if not batches:
        raise PickRefused("nothing left to pick for these orders")
    return [_sheet(session, location, batch, walk) for location, batch in batches.items()]


def _sheet(session: Session, location: str | None, batch: list[str], walk: WalkRule) -> PickListPaper:
    lines = plan_pick(session, batch, walk=walk)
    totes = {
        share.fulfillment_order_id: (share.tote, share.order_name) for line in lines for share in line.totes
    }
    return PickListPaper(location, tuple(totes[fo_id] for fo_id in batch if fo_id in totes), tuple(lines))
