"""Where the units at the bench go when an order will not ship: back to their bins."""

from __future__ import annotations

import re

from sqlmodel import Session, col, func, select

from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import BinLocation, FloorException, FulfillmentOrder, PickList, PickListLine
from oms_tui.floor.packing.pack_state import Pack, PutBack


def units_to_put_back(session: Session, pack: Pack) -> list[PutBack]:
    """Per line, the units at the bench: verified here or picked onto a live pick list, whichever is more."""
    picked = dict(
        session.exec(
            select(PickListLine.fulfillment_order_line_item_id, func.sum(PickListLine.picked))
            .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
            .where(
                col(PickListLine.fulfillment_order_line_item_id).in_([line.line_id for line in pack.lines]),
                col(PickList.state).in_(("open", "done")),
            )
            .group_by(col(PickListLine.fulfillment_order_line_item_id))
        ).all()
    )
    items = []
    for line in pack.lines:
        quantity = max(line.verified, int(picked.get(line.line_id) or 0))
        if quantity == 0:
            continue
        items.append(PutBack(line.name, quantity, bins_of(session, line.fulfillment_order_id, line.sku)))
    return items


def put_back_task(
    order_id: str, subject: str, what: str, items: list[str], owner: str | None
) -> FloorException:
    """The exception that keeps a put-back for the floor until someone resolves it."""
    return FloorException(
        kind=ExceptionKind.PUT_BACK,
        severity="warning",
        order_id=order_id,
        subject=subject,
        message=f"{what}: put back {'; '.join(items)}",
        fix="Return the units to their bins, then resolve this",
        owner=owner,
    )


def bins_of(session: Session, fo_id: str, sku: str | None) -> tuple[str, ...]:
    """The SKU's bins at the fulfillment order's location, in walking order."""
    fo = session.get(FulfillmentOrder, fo_id)
    bins = session.exec(
        select(BinLocation.code).where(
            BinLocation.location_id == (fo.location_id if fo else None), BinLocation.sku == (sku or "")
        )
    ).all()
    return tuple(sorted(bins, key=_natural))


def _natural(code: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]
