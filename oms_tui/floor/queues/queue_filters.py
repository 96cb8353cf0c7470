"""What a person narrows a queue by (location, status, tag, channel, search), as SQL conditions.

A tag or a search that picks few orders is gathered first (`picked_orders`), on SQLite, so a queue
is sorted from those few instead of passing every other row to find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, Order
from oms_tui.cache.order_tags import OrderTag, tag_key
from oms_tui.floor.orders.search import few_matching_order_ids, matches_order, matching_order_ids
from oms_tui.floor.queues.query_planning import fo_column, plans_from_statistics
from oms_tui.floor.queues.stages import BIG_STAGES, Stage, stage_condition


@dataclass(frozen=True)
class QueueFilter:
    location_id: str | None = None
    status: str | None = None  # a fulfillment order status
    tag: str = ""  # one order tag, any case
    channel: str | None = None  # the order's sales channel (Shopify's sourceName)
    search: str = ""  # order number, customer, email, SKU or tracking number

    @property
    def needs_order(self) -> bool:
        return self.channel is not None


RARE = 2_000  # orders with a tag or matching a search, below which they are gathered first and sorted


@dataclass(frozen=True)
class Picked:
    """The few orders a tag or a search picks (`by`: "tag" or "search"), gathered in one read."""

    by: str
    order_ids: tuple[str, ...]


GATHER = Picked("", ())  # not given: `window_query`, `count` and `position` gather for themselves


def picked_orders(session: Session, stage: Stage, filters: QueueFilter) -> Picked | None:
    """SQLite, a big stage: the orders a tag or a search picks, when they are few (under `RARE`):
    gathering and sorting those few is cheaper than passing the others. None when they are many
    (the queue is read in its order and each row checked as it passes), when there is nothing to
    pick by, and on PostgreSQL (which plans from statistics)."""
    if plans_from_statistics(session) or stage not in BIG_STAGES:
        return None
    if filters.search.strip():
        found = few_matching_order_ids(session, filters.search, RARE)
        if found is not None:
            return Picked("search", tuple(found))
    if tag_key(filters.tag):
        tagged = select(OrderTag.order_id).where(col(OrderTag.tag) == tag_key(filters.tag))
        order_ids = tuple(session.exec(tagged.limit(RARE)))
        if len(order_ids) < RARE:
            return Picked("tag", order_ids)
    return None


def gathered(session: Session, stage: Stage, filters: QueueFilter, picked: Picked | None) -> Picked | None:
    """`picked` as given, or gathered now when it was not (`GATHER`)."""
    return picked_orders(session, stage, filters) if picked is GATHER else picked


def conditions(
    stage: Stage,
    filters: QueueFilter,
    now: datetime,
    *,
    indexed: bool = False,
    anti_join: bool = False,
    stage_part: Any = None,
    row_by_row: bool = False,
    order_joined: bool = False,
    picked: Picked | None = None,
) -> list[Any]:
    """What a row of the queue must meet. `row_by_row`: the rows are read along the queue's order
    or from the `picked` orders, so a tag or a search is checked on each row as it passes (a list
    of every match would be built first, for each read)."""
    if stage_part is None:
        stage_part = stage_condition(
            stage, now, indexed=indexed, anti_join=anti_join, order_joined=order_joined
        )
    found = [stage_part]
    if filters.location_id:
        found.append(fo_column("location_id", indexed) == filters.location_id)
    if filters.status:
        found.append(fo_column("status", indexed) == filters.status)
    picked_by = ""
    if picked is not None:
        found.append(col(FulfillmentOrder.order_id).in_(picked.order_ids))
        picked_by = picked.by
    if tag_key(filters.tag) and picked_by != "tag":
        found.append(_tagged(filters.tag, row_by_row))
    if filters.channel is not None:
        found.append(col(Order.channel) == filters.channel)
    if filters.search.strip() and picked_by != "search":
        found.append(_matching(filters.search, row_by_row))
    return found


def _tagged(tag: str, row_by_row: bool) -> Any:
    if row_by_row:  # each row's tag looked up by its key
        return exists().where(
            col(OrderTag.order_id) == FulfillmentOrder.order_id, col(OrderTag.tag) == tag_key(tag)
        )
    # the orders with the tag, from the tag's index entries
    tagged = select(OrderTag.order_id).where(col(OrderTag.tag) == tag_key(tag))
    return col(FulfillmentOrder.order_id).in_(tagged)


def _matching(search: str, row_by_row: bool) -> Any:
    if row_by_row:  # each row's own search document
        return matches_order(search, FulfillmentOrder.order_id)
    return col(FulfillmentOrder.order_id).in_(matching_order_ids(search))
