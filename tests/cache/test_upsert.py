"""Upserts from the store: idempotent, and the newer updatedAt always wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_tui.cache.engine import session_factory
from oms_tui.cache.models import LineItem, Order
from oms_tui.cache.upsert import replace_children, upsert_newer

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def order_row(ident: str, minutes: int, note: str) -> dict[str, Any]:
    return {
        "id": ident,
        "name": f"#{ident[-4:]}",
        "fulfillment_status": "UNFULFILLED",
        "tags": [],
        "note": note,
        "created_at": T0,
        "updated_at": T0 + timedelta(minutes=minutes),
        "synced_at": T0,
    }


def notes(session: Session) -> dict[str, str | None]:
    session.expire_all()
    return {order.id: order.note for order in session.exec(select(Order))}


def test_new_rows_are_created_and_a_replay_changes_nothing(session: Session) -> None:
    rows = [order_row("gid://shopify/Order/1001", 1, "a"), order_row("gid://shopify/Order/1002", 1, "b")]
    first = upsert_newer(session, Order, rows)
    again = upsert_newer(session, Order, rows)
    session.commit()
    assert sorted(first.created) == ["gid://shopify/Order/1001", "gid://shopify/Order/1002"]
    assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], sorted(first.created))
    assert notes(session) == {"gid://shopify/Order/1001": "a", "gid://shopify/Order/1002": "b"}


def test_an_older_copy_never_overwrites_a_newer_one(session: Session) -> None:
    upsert_newer(session, Order, [order_row("gid://shopify/Order/1", 10, "new")])
    stale = upsert_newer(session, Order, [order_row("gid://shopify/Order/1", 5, "old")])
    newer = upsert_newer(session, Order, [order_row("gid://shopify/Order/1", 11, "newest")])
    session.commit()
    assert stale.unchanged == ["gid://shopify/Order/1"]
    assert newer.updated == ["gid://shopify/Order/1"]
    assert notes(session) == {"gid://shopify/Order/1": "newest"}


def test_within_one_batch_the_newest_copy_wins(session: Session) -> None:
    batch = [order_row("gid://shopify/Order/1", 3, "mid"), order_row("gid://shopify/Order/1", 9, "last")]
    batch.append(order_row("gid://shopify/Order/1", 1, "first"))
    upsert_newer(session, Order, batch)
    session.commit()
    assert notes(session) == {"gid://shopify/Order/1": "last"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions=st.lists(st.tuples(st.sampled_from("ABC"), st.integers(0, 50)), min_size=1, max_size=30))
def test_any_delivery_order_converges_on_the_newest_copies(
    engine: Engine, versions: list[tuple[str, int]]
) -> None:
    with session_factory(engine)() as session:
        session.exec(Order.__table__.delete())  # type: ignore[call-overload, attr-defined]
        for letter, minute in versions:  # arrivals in any order, with repeats, as a paged sync sees them
            upsert_newer(
                session, Order, [order_row(f"gid://shopify/Order/{letter}", minute, f"{letter}{minute}")]
            )
        session.commit()
        newest: dict[str, int] = {}
        for letter, minute in versions:
            newest[letter] = max(newest.get(letter, -1), minute)
        expected = {f"gid://shopify/Order/{letter}": f"{letter}{minute}" for letter, minute in newest.items()}
        assert notes(session) == expected


def test_replace_children_upserts_and_drops_lines_that_went_away(session: Session) -> None:
    upsert_newer(session, Order, [order_row("gid://shopify/Order/1", 1, "")])

    def line(n: int, quantity: int) -> dict[str, Any]:
        return {
            "id": f"gid://shopify/LineItem/{n}",
            "order_id": "gid://shopify/Order/1",
            "position": n,
            "sku": f"SKU-{n}",
            "title": f"Item {n}",
            "quantity": quantity,
            "current_quantity": quantity,
            "unfulfilled_quantity": quantity,
            "requires_shipping": True,
        }

    replace_children(session, LineItem, "order_id", ["gid://shopify/Order/1"], [line(1, 1), line(2, 2)])
    replace_children(session, LineItem, "order_id", ["gid://shopify/Order/1"], [line(2, 5), line(3, 1)])
    session.commit()
    session.expire_all()
    stored = {item.id: item.quantity for item in session.exec(select(LineItem))}
    assert stored == {"gid://shopify/LineItem/2": 5, "gid://shopify/LineItem/3": 1}


def test_an_edit_within_the_same_second_is_not_lost(session: Session) -> None:
    upsert_newer(session, Order, [order_row("gid://shopify/Order/1", 10, "first edit")])
    same_second = upsert_newer(session, Order, [order_row("gid://shopify/Order/1", 10, "second edit")])
    session.commit()
    assert same_second.updated == ["gid://shopify/Order/1"]
    assert notes(session) == {"gid://shopify/Order/1": "second edit"}
