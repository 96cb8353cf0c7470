"""Finding any order by a piece of what a person remembers, through the engines' trigram indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.engine import session_factory
from oms_tui.cache.migrate import upgrade
from oms_tui.cache.models import Order
from oms_tui.cache.types import utcnow
from oms_tui.floor.orders.search import few_matching_order_ids, matching_order_ids, search_orders
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from tests.floor.order_nodes import order_node, write


@pytest.fixture
def shop(session: Session) -> Session:
    write(
        session,
        order_node(
            1001,
            "Jane Smith",
            email="jane.smith@example.com",
            phone="+44 (113) 496-0000",
            lines=[("TEE-BLK-M", "4006381333931"), ("MUG-WHT", "5012345678900")],
        ),
        order_node(1002, "John Smith", email="jsmith@example.org", lines=[("CAP-RED", "4000000000017")]),
        order_node(
            1003,
            "Ana Lopez",
            email="ana@example.net",
            lines=[("TEE-BLK-L", None)],
            tracking=["1Z999AA10123456784"],
        ),
        order_node(1004, "Bo Chen", lines=[("SOCK-100%", None)], cancelled=True),
        order_node(11001, "Mary Jones", lines=[("HAT-1001", None)]),
    )
    return session


def names(session: Session, query: str) -> list[str]:
    return [hit.name for hit in search_orders(session, query)]


def test_an_order_number_finds_that_order_first(shop: Session) -> None:
    assert names(shop, "1001")[0] == "#1001"
    assert names(shop, "#1001")[0] == "#1001"
    assert set(names(shop, "1001")) == {"#1001", "#11001"}  # also contains 1001, newest after the exact


def test_a_partial_customer_name_in_any_case(shop: Session) -> None:
    assert names(shop, "SMI") == ["#1002", "#1001"]  # newest first
    assert names(shop, "jane smi") == ["#1001"]  # every word must match
    assert names(shop, "lópez") == ["#1003"]  # Lopez, written without the accent


def test_accents_apostrophes_and_case_do_not_matter(session: Session) -> None:
    write(
        session,
        order_node(3001, "José Núñez", email="JOSE.NUNEZ@example.com"),
        order_node(3002, "Siobhán O'Brien"),
        order_node(3003, "Zoë O\u2019Connor-Łukasiewicz"),
        order_node(3004, "Brienne Tarth"),
    )
    for query in ("nunez", "NÚÑEZ", "núñez", "jose nu", "josé"):
        assert names(session, query) == ["#3001"], query
    for query in ("obrien", "o'brien", "O\u2019Brien", "o brien", "siobhan o"):
        assert names(session, query) == ["#3002"], query
    assert names(session, "brien") == ["#3004", "#3002"]
    assert names(session, "oconnor lukasiewicz") == ["#3003"]
    assert names(session, "zoe") == ["#3003"]
    (hit,) = search_orders(session, "nunez")
    assert hit.matched == "customer José Núñez"  # shown as written
    assert set(session.exec(matching_order_ids("NUNEZ"))) == {"gid://shopify/Order/3001"}  # queue filter


def test_email_and_phone_as_written_or_as_digits(shop: Session) -> None:
    assert names(shop, "jsmith@") == ["#1002"]
    assert names(shop, "example.net") == ["#1003"]
    assert names(shop, "4960000") == ["#1001"]
    assert names(shop, "(113) 496") == ["#1001"]


def test_a_lower_case_partial_sku_or_a_barcode(shop: Session) -> None:
    assert names(shop, "tee-bl") == ["#1003", "#1001"]
    assert names(shop, "tee-blk-m") == ["#1001"]
    assert names(shop, "33393") == ["#1001"]


def test_a_shipped_order_by_tracking_number_and_a_cancelled_one(shop: Session) -> None:
    (hit,) = search_orders(shop, "1z999aa1012")
    assert (hit.name, hit.fulfillment_status) == ("#1003", "FULFILLED")
    assert hit.matched == "tracking 1Z999AA10123456784"
    (cancelled,) = search_orders(shop, "bo chen")
    assert cancelled.cancelled


def test_each_hit_says_what_matched(shop: Session) -> None:
    assert [hit.matched for hit in search_orders(shop, "mug")] == ["SKU MUG-WHT"]
    assert [hit.matched for hit in search_orders(shop, "jane.smith")] == ["email jane.smith@example.com"]


def test_like_wildcards_and_quotes_are_plain_characters(shop: Session) -> None:
    assert names(shop, "100%") == ["#1004"]
    assert names(shop, "a_b") == []
    assert names(shop, '"tee') == []
    assert names(shop, "") == []


def test_short_words_alone_match_order_numbers_only(shop: Session) -> None:
    assert names(shop, "bo") == []
    assert names(shop, "bo chen") == ["#1004"]


def test_a_changed_order_is_found_by_what_it_has_now(shop: Session) -> None:
    write(
        shop,
        order_node(1002, "John Smith", lines=[("SCARF-GRN", None)], tracking=["JD0146000"], version=1),
    )
    assert names(shop, "cap-red") == []
    assert names(shop, "scarf") == ["#1002"]
    assert names(shop, "jd01460") == ["#1002"]


def test_the_queue_filters_with_the_same_index(shop: Session) -> None:
    def queue(search: str) -> list[str]:
        rows = window(shop, Stage.ALL, QueueFilter(search=search), utcnow(), limit=50)
        return [row.order_name for row in rows]

    assert queue("") == []  # no fulfillment orders were written: nothing is open work
    ids = set(shop.exec(matching_order_ids("tee-bl")))
    assert ids == {"gid://shopify/Order/1001", "gid://shopify/Order/1003"}
    assert set(shop.exec(matching_order_ids("#1002"))) == {"gid://shopify/Order/1002"}
    assert set(shop.exec(matching_order_ids("smith jsm"))) == {"gid://shopify/Order/1002"}


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)  # the queues gather few on SQLite
def test_few_matches_are_gathered_and_many_are_not(shop: Session) -> None:
    for query in ("tee-bl", "smith jsm", "1z999", "#1002", "10"):
        found = few_matching_order_ids(shop, query, fewer_than=5)
        assert found is not None and set(found) == set(shop.exec(matching_order_ids(query))), query
    assert few_matching_order_ids(shop, "example", fewer_than=3) is None  # four orders have it
    assert few_matching_order_ids(shop, "example", fewer_than=5) is not None


def test_deleting_an_order_takes_it_out_of_the_index(shop: Session) -> None:
    shop.delete(shop.get(Order, "gid://shopify/Order/1003"))
    shop.commit()
    assert names(shop, "1z999") == []


def test_searches_go_through_the_trigram_index(shop: Session) -> None:
    """No scan of every document: SQLite asks its FTS5 table, PostgreSQL can use its GIN index."""
    connection = shop.connection()
    query = select(Order.id).where(col(Order.id).in_(matching_order_ids("smith")))
    compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "sqlite":
        plan = " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert "VIRTUAL TABLE" in plan and "SCAN order_search " not in plan, plan
    else:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = " | ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
        assert "ix_order_search_document_trgm" in plan, plan


def test_the_migration_indexes_the_orders_of_an_existing_cache(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0002")
    with session_factory(empty_engine)() as session:
        session.execute(  # written by an older version (its columns only): no search document
            text(
                "INSERT INTO orders (id, name, customer_name, fulfillment_status, tags, priority, closed, "
                "created_at, updated_at, synced_at) VALUES ('gid://shopify/Order/77', '#1077', "
                "'Old Customer', 'FULFILLED', '[]', 0, false, '2026-11-20 09:01:00', '2026-11-20 09:01:00', "
                "'2026-11-20 09:01:00')"
            )
        )
        session.execute(
            text(
                "INSERT INTO fulfillments (id, order_id, status, tracking_number, created_at) "
                "VALUES ('gid://shopify/Fulfillment/1', 'gid://shopify/Order/77', 'SUCCESS', "
                "'1ZOLD123', '2026-11-20 10:00:00')"
            )
        )
        session.commit()
    upgrade(empty_engine)
    with session_factory(empty_engine)() as session:
        assert names(session, "old cust") == ["#1077"]
        assert names(session, "1zold") == ["#1077"]


def test_the_migration_folds_the_documents_of_an_existing_cache(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0012")
    with session_factory(empty_engine)() as session:
        session.execute(  # as the version before wrote them: case-folded only
            text(
                "INSERT INTO orders (id, name, customer_name, fulfillment_status, tags, priority, closed, "
                "created_at, updated_at, synced_at) VALUES ('gid://shopify/Order/78', '#1078', "
                "'José Núñez', 'UNFULFILLED', '[]', 0, false, '2026-11-20 09:01:00', '2026-11-20 09:01:00', "
                "'2026-11-20 09:01:00')"
            )
        )
        session.execute(
            text(
                "INSERT INTO order_search (id, order_id, document) "
                "VALUES (78, 'gid://shopify/Order/78', '#1078 josé núñez')"
            )
        )
        session.commit()
        assert names(session, "núñez") == []  # the older document does not hold the folded text
    upgrade(empty_engine)
    with session_factory(empty_engine)() as session:
        assert names(session, "nunez") == ["#1078"]
        assert names(session, "Núñez") == ["#1078"]


def test_searching_a_migrated_cache(any_cache: Cache) -> None:
    with any_cache.sessions() as session:
        write(session, order_node(2001, "Rae Kim", lines=[("BAG-TAN", None)]))
        assert names(session, "bag-t") == ["#2001"]
