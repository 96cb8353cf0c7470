"""A pick list as the picker reads it: its stops in walking order, each with the totes its units go to.

Read from the list's rows (one per order's share of a SKU) joined to the line items for titles and
barcodes; what the pick screen shows and the text export prints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    PickList,
    PickListLine,
)
from oms_tui.floor.picking.pick_lists import PickRefused, pick_list_rows


@dataclass(frozen=True)
class ToteLine:
    row_id: int  # the pick list row it is read from
    tote: str
    order_name: str
    fulfillment_order_id: str
    fulfillment_order_line_item_id: str
    needed: int
    picked: int
    short: int
    withdrawn: str | None  # the order left the list (cancelled, on hold)
    put_back: int  # picked units still to return to the bin

    @property
    def left(self) -> int:
        """Units still to fetch for this tote (none once the order left the list)."""
        return 0 if self.withdrawn else max(0, self.needed - self.picked - self.short)


@dataclass(frozen=True)
class SheetLine:
    stop: int
    sku: str | None
    title: str
    barcode: str | None
    bin_code: str | None
    totes: tuple[ToteLine, ...]

    @property
    def live(self) -> tuple[ToteLine, ...]:
        return tuple(tote for tote in self.totes if not tote.withdrawn)

    @property
    def needed(self) -> int:
        return sum(tote.needed for tote in self.live)

    @property
    def picked(self) -> int:
        return sum(tote.picked for tote in self.live)

    @property
    def short(self) -> int:
        return sum(tote.short for tote in self.live)

    @property
    def left(self) -> int:
        return sum(tote.left for tote in self.totes)

    def matches(self, code: str) -> bool:
        wanted = code.strip().casefold()
        return wanted in {(self.sku or "").casefold(), (self.barcode or "").casefold()} - {""}


@dataclass(frozen=True)
class PickSheet:
    pick_list_id: int
    staff_code: str
    station: str
    state: str
    created_at: datetime
    lines: tuple[SheetLine, ...]

    @property
    def current(self) -> int | None:
        """Index of the first stop with units still to fetch (None when everything is fetched)."""
        return next((index for index, line in enumerate(self.lines) if line.left), None)

    @property
    def units(self) -> tuple[int, int]:
        """(picked, needed) over the whole list."""
        return (sum(line.picked for line in self.lines), sum(line.needed for line in self.lines))


def read_sheet(session: Session, pick_list_id: int) -> PickSheet:
    pick_list = session.get(PickList, pick_list_id)
    if pick_list is None:
        raise PickRefused(f"no pick list {pick_list_id}")
    rows = pick_list_rows(session, pick_list_id)
    items = {
        fo_line_id: item
        for fo_line_id, item in session.exec(
            select(FulfillmentOrderLineItem.id, LineItem)
            .join(LineItem, col(LineItem.id) == FulfillmentOrderLineItem.line_item_id)
            .where(col(FulfillmentOrderLineItem.id).in_({row.fulfillment_order_line_item_id for row in rows}))
        )
    }
    names = dict(
        session.exec(
            select(FulfillmentOrder.id, Order.name)
            .join(Order, col(Order.id) == FulfillmentOrder.order_id)
            .where(col(FulfillmentOrder.id).in_({row.fulfillment_order_id for row in rows}))
        ).all()
    )
    stops: dict[int, list[ToteLine]] = {}
    firsts: dict[int, PickListLine] = {}
    for row in rows:
        firsts.setdefault(row.stop, row)
        stops.setdefault(row.stop, []).append(
            ToteLine(
                row_id=row.id or 0,
                tote=row.tote or "",
                order_name=names.get(row.fulfillment_order_id, row.fulfillment_order_id),
                fulfillment_order_id=row.fulfillment_order_id,
                fulfillment_order_line_item_id=row.fulfillment_order_line_item_id,
                needed=row.needed,
                picked=row.picked,
                short=row.short,
                withdrawn=row.withdrawn,
                put_back=row.put_back,
            )
        )
    lines = []
    for stop, totes in stops.items():
        first = firsts[stop]
        item = items.get(first.fulfillment_order_line_item_id)
        lines.append(
            SheetLine(
                stop=stop,
                sku=first.sku,
                title=item.title if item else (first.sku or "?"),
                barcode=item.barcode if item else None,
                bin_code=first.bin_code,
                totes=tuple(totes),
            )
        )
    assert pick_list.id is not None
    return PickSheet(
        pick_list_id=pick_list.id,
        staff_code=pick_list.staff_code,
        station=pick_list.station,
        state=pick_list.state,
        created_at=pick_list.created_at,
        lines=tuple(lines),
    )


def with_picked(sheet: PickSheet, row_id: int, picked: int) -> PickSheet:
    """The sheet with one row's picked count as now written (no read of the whole list again)."""
    lines = tuple(
        replace(
            line,
            totes=tuple(
                replace(tote, picked=picked) if tote.row_id == row_id else tote for tote in line.totes
            ),
        )
        if any(tote.row_id == row_id for tote in line.totes)
        else line
        for line in sheet.lines
    )
    return replace(sheet, lines=lines)
