"""Finding what a person names: an order by its name (`#1004`, `1004`) or id, a location by name or id."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from oms_tui.cache.models import Location, Order

ORDER_GID = "gid://shopify/Order/"


class NotFound(LookupError):
    """Nothing in the cache answers to that name (the message says what was looked for)."""


def find_order(session: Session, text: str) -> Order:
    """The order named `text`: its name as the store shows it, that name without `#`, or its id."""
    wanted = text.strip()
    if wanted.startswith(ORDER_GID):
        order = session.get(Order, wanted)
        if order is None:
            raise NotFound(f"no order {wanted} in the cache (sync first if it is new)")
        return order
    names = [wanted] if wanted.startswith("#") else [wanted, f"#{wanted}"]
    orders = session.exec(select(Order).where(col(Order.name).in_(names))).all()
    if len(orders) > 1:
        raise NotFound(f"several orders are named {wanted}: use the id ({', '.join(o.id for o in orders)})")
    if orders:
        return orders[0]
    if wanted.isdigit() and (order := session.get(Order, f"{ORDER_GID}{wanted}")) is not None:
        return order  # the store's numeric id, as its admin URLs show it
    raise NotFound(f"no order {wanted} in the cache (sync first if it is new)")


def find_location(session: Session, text: str) -> Location:
    """The active location with this id or (case-insensitive) name."""
    wanted = text.strip()
    location = (
        session.get(Location, wanted)
        or session.exec(select(Location).where(func.lower(Location.name) == wanted.lower())).first()
    )
    if location is None or not location.is_active:
        active = session.exec(select(Location.name).where(col(Location.is_active)).order_by(Location.name))
        problem = "unknown" if location is None else "inactive"
        raise NotFound(f"{problem} location {wanted!r}; active locations: {', '.join(active) or 'none'}")
    return location
