"""Each order's tags, one row per tag, lower-cased: what the queues' tag filter looks up by index.

`orders.tags` keeps the store's list as it came (a JSON array, which no index can search); this
table is kept from it by whoever writes an order's tags, in the same transaction: sync's writers
(`refresh_order_tags` after writing orders) and a tag added on the floor. Shopify compares tags
without regard to case, and so does the filter.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, Connection, ForeignKey, Index, String, delete, insert, select
from sqlmodel import Field, SQLModel, col

from oms_tui.cache.mirror import Order, order_id_batches

BATCH = 2_000


class OrderTag(SQLModel, table=True):
    __tablename__ = "order_tags"
    # The key serves "this order's tags" (rewriting them); the index serves "the orders with a tag".
    __table_args__ = (Index("ix_order_tags_tag", "tag", "order_id"),)

    order_id: str = Field(
        sa_column=Column(String, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    )
    tag: str = Field(primary_key=True)


def tag_key(tag: str) -> str:
    """A tag as the table keeps it (and as a filter looks it up)."""
    return tag.strip().lower()


def tag_rows(order_id: str, tags: Iterable[str]) -> list[dict[str, str]]:
    keys = dict.fromkeys(tag_key(tag) for tag in tags)
    return [{"order_id": order_id, "tag": key} for key in keys if key]


def insert_order_tags(connection: Connection, rows: list[dict[str, str]]) -> None:
    """Add `tag_rows` of orders that have none yet (sync's new orders: nothing to read back or delete)."""
    if rows:
        connection.execute(insert(OrderTag.__table__), rows)  # type: ignore[attr-defined]


def refresh_order_tags(connection: Connection, order_ids: Iterable[str]) -> None:
    """Rewrite these orders' rows from `orders.tags` as the cache holds them now (call after writing)."""
    ids = list(dict.fromkeys(order_ids))
    table = OrderTag.__table__  # type: ignore[attr-defined]  # (SQLModel does not declare it)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        connection.execute(delete(table).where(table.c.order_id.in_(chunk)))
        found = connection.execute(select(col(Order.id), col(Order.tags)).where(col(Order.id).in_(chunk)))
        insert_order_tags(
            connection, [row for order_id, tags in found for row in tag_rows(order_id, tags or [])]
        )


def rebuild_order_tags(connection: Connection) -> None:
    """Write the rows of every cached order (filling the table for an existing cache)."""
    for ids in order_id_batches(connection, BATCH):
        refresh_order_tags(connection, ids)
