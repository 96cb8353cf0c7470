"""Sales channels: where orders came from (Shopify's sourceName), as the floor names them."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

NAMES = {"web": "online store", "pos": "point of sale", "shopify_draft_order": "draft order"}


def channel_label(channel: str) -> str:
    """An app's channel is its own name; Shopify's own ones get the names people use."""
    return NAMES.get(channel, channel)


def channels(session: Session) -> list[str]:
    """Every channel the cached orders came from, alphabetically.

    A few distinct values among a million orders: read by hopping from one to the next along the
    channel index (a recursive query, on either engine), not by reading every order.
    """
    hops = text(
        "WITH RECURSIVE hops(channel) AS ("
        " SELECT min(channel) FROM orders"
        " UNION ALL"
        " SELECT (SELECT min(channel) FROM orders WHERE channel > hops.channel) FROM hops"
        " WHERE hops.channel IS NOT NULL"
        ") SELECT channel FROM hops WHERE channel IS NOT NULL"
    )
    return list(session.connection().scalars(hops))
