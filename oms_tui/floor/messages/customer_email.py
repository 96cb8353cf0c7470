"""The customer's email address: the cache's (sync keeps `Order.email`); when it has none, the store is
asked for it by id (the order's `email`, else its customer's `defaultEmailAddress`) and the cache keeps
the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from oms_tui.cache.database import Cache
from oms_tui.cache.models import Order
from oms_tui.store.client import Client
from oms_tui.store.errors import StoreError
from oms_tui.store.reread import read_nodes

MakeClient = Callable[[], AbstractAsyncContextManager[Client]]


def address_of(node: dict[str, Any]) -> str | None:
    customer = node.get("customer") or {}
    default = (customer.get("defaultEmailAddress") or {}).get("emailAddress")
    return node.get("email") or default or None


async def email_from_store(client: Client, cache: Cache, order_id: str) -> str | None:
    found = await read_nodes(client, "order_email", [order_id])
    email = address_of(found[0]) if found else None
    if email:
        with cache.sessions() as session:
            order = session.get(Order, order_id)
            if order is not None:
                order.email = email
                session.commit()
    return email


def ensure_email(cache: Cache, make_client: MakeClient, order_id: str) -> str | None:
    """The address, asking the store when the cache has none (blocking: from a worker thread or the
    CLI). A store that cannot be asked is one line (StoreError's)."""
    with cache.reads() as session:
        order = session.get(Order, order_id)
        if order is None or order.email:
            return order.email if order else None

    async def ask() -> str | None:
        async with make_client() as client:
            return await email_from_store(client, cache, order_id)

    try:
        return asyncio.run(ask())
    except StoreError as exc:
        raise ValueError(
            f"the order has no email address in the cache, and the store could not be asked: {exc}"
        ) from None
