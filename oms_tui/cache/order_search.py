"""One searchable text per order, and the index that finds a piece of it among a million orders.

`order_search.document` holds what a person asks about: the order name, the customer, the email, the
phone (as written and as bare digits), every SKU and barcode, every tracking number. It is folded
(`fold`): case, accents and apostrophes dropped, so "nunez" finds José Núñez and "obrien" O'Brien;
searches fold what was typed the same way. Sync rewrites it in the same transaction as the order
(`refresh_order_search`).

It is keyed by the order's numeric id, which Shopify hands out in creation order: "newest first"
is then the index's own order, so a search needs no sort over all its matches.

The substring index differs per engine; both are created with the table (Alembic 0005, or
`create_all` in tests) and hidden from the models/migrations comparison (`INDEX_OBJECTS`):
- SQLite: an FTS5 table with the trigram tokenizer over `order_search` (external content, kept by
  triggers), searched with `MATCH`;
- PostgreSQL: a GIN `pg_trgm` index on the document, which serves `LIKE '%...%'`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, ForeignKey, Integer, String, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, col

from oms_tui.cache.mirror import Fulfillment, LineItem, Order, order_id_batches

ORDER_GID = "gid://shopify/Order/"
FTS_TABLE = "order_search_fts"  # SQLite; FTS5 adds shadow tables named order_search_fts_*
TRIGRAM_INDEX = "ix_order_search_document_trgm"  # PostgreSQL
BATCH = 2_000
# After accents are taken off: apostrophes as people type them (O'Brien, and with U+2019 or a backtick) go, so
# "obrien" finds them all; letters Unicode does not decompose into a base letter and an accent.
FOLDED = str.maketrans(
    {"'": None, "\u2018": None, "\u2019": None, "\u02bc": None, "`": None}
    | {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "document, content='order_search', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER order_search_ai AFTER INSERT ON order_search BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (new.id, new.document); END",
    f"CREATE TRIGGER order_search_ad AFTER DELETE ON order_search BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, document) VALUES ('delete', old.id, old.document); END",
    # Sync rewrites an order's document on every change to the order; most leave the text as it was.
    f"CREATE TRIGGER order_search_au AFTER UPDATE ON order_search "
    f"WHEN old.document IS NOT new.document BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, document) VALUES ('delete', old.id, old.document); "
    f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (new.id, new.document); END",
)


class OrderSearch(SQLModel, table=True):
    __tablename__ = "order_search"

    # INTEGER on SQLite makes it the rowid the FTS table points at; order ids need 64 bits elsewhere.
    id: int = Field(
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    )
    order_id: str = Field(
        sa_column=Column(String, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    document: str


def search_document(
    name: str,
    customer: str | None,
    email: str | None,
    phone: str | None,
    skus: Iterable[str | None] = (),
    barcodes: Iterable[str | None] = (),
    tracking_numbers: Iterable[str | None] = (),
) -> str:
    digits = re.sub(r"\D", "", phone or "")  # "+44 (113) 496-0000" is also found as 1134960000
    parts = [name, customer, email, phone, digits, *skus, *barcodes, *tracking_numbers]
    return " ".join(dict.fromkeys(fold(part).strip() for part in parts if part and part.strip()))


def fold(text: str) -> str:
    """Text as search compares it: without case, accents or apostrophes ("Núñez" -> "nunez")."""
    if text.isascii():  # most of what is indexed: nothing to decompose (a tenth of the time)
        return text.casefold().translate(FOLDED)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(FOLDED)


def order_number(order_id: str) -> int | None:
    """The numeric part of an order's gid (always numeric at Shopify; None for anything else)."""
    tail = order_id.removeprefix(ORDER_GID)
    return int(tail) if tail != order_id and tail.isdigit() else None


def refresh_order_search(connection: Connection, order_ids: Iterable[str]) -> None:
    """Rewrite the documents of these orders from what the cache holds now (call after writing them)."""
    ids = list(dict.fromkeys(order_ids))
    for start in range(0, len(ids), BATCH):
        write_documents(connection, _documents(connection, ids[start : start + BATCH]))


def rebuild_order_search(connection: Connection) -> None:
    """Write the document of every cached order (filling the table for an existing cache)."""
    for ids in order_id_batches(connection, BATCH):
        refresh_order_search(connection, ids)


def create_search_index(connection: Connection) -> None:
    """The engine's substring index over `order_search.document` (the table must exist)."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DDL:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. Several
    # caches may share one database in different schemas, and the extension lives in one of them.
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('oms-tui pg_trgm'))")
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema = connection.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    connection.exec_driver_sql(
        f'CREATE INDEX {TRIGRAM_INDEX} ON order_search USING gin (document "{schema}".gin_trgm_ops)'
    )


def drop_search_index(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for trigger in ("order_search_ai", "order_search_ad", "order_search_au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    else:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


def is_index_object(name: str | None, type_: str) -> bool:
    """Whether a database object is part of the search index (unknown to the models, by design)."""
    if type_ == "table":
        return bool(name) and (name == FTS_TABLE or str(name).startswith(f"{FTS_TABLE}_"))
    return type_ == "index" and name == TRIGRAM_INDEX


def document_row(
    order: Mapping[Any, Any], lines: Iterable[Mapping[Any, Any]], fulfillments: Iterable[Mapping[Any, Any]]
) -> dict[str, Any] | None:
    """An order's `order_search` row from its cache rows (None for an id that is not Shopify's)."""
    key = order_number(order["id"])
    if key is None:
        return None  # not a Shopify order id: found by its exact name only
    lines = list(lines)
    document = search_document(
        order["name"],
        order["customer_name"],
        order["email"],
        (order["shipping_address"] or {}).get("phone"),
        (line["sku"] for line in lines),
        (line["barcode"] for line in lines),
        (fulfillment["tracking_number"] for fulfillment in fulfillments),
    )
    return {"id": key, "order_id": order["id"], "document": document}


def write_documents(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Write `document_row`s (sync makes a new order's from the rows it writes, not by reading back)."""
    if not rows:
        return
    table = OrderSearch.__table__  # type: ignore[attr-defined]  # (SQLModel does not declare it)
    insert = postgresql.insert(table) if connection.dialect.name == "postgresql" else sqlite.insert(table)
    connection.execute(
        insert.on_conflict_do_update(index_elements=["id"], set_={"document": insert.excluded.document}),
        rows,
    )


def _documents(connection: Connection, ids: list[str]) -> list[dict[str, Any]]:
    lines: dict[str, list[Any]] = {}
    line_items = select(col(LineItem.order_id), col(LineItem.sku), col(LineItem.barcode)).where(
        col(LineItem.order_id).in_(ids)
    )
    for line in connection.execute(line_items).mappings():
        lines.setdefault(line["order_id"], []).append(line)
    parcels: dict[str, list[Any]] = {}
    fulfillments = select(col(Fulfillment.order_id), col(Fulfillment.tracking_number)).where(
        col(Fulfillment.order_id).in_(ids)
    )
    for parcel in connection.execute(fulfillments).mappings():
        parcels.setdefault(parcel["order_id"], []).append(parcel)
    orders = select(
        col(Order.id),
        col(Order.name),
        col(Order.customer_name),
        col(Order.email),
        col(Order.shipping_address),
    ).where(col(Order.id).in_(ids))
    rows = (
        document_row(order, lines.get(order["id"], ()), parcels.get(order["id"], ()))
        for order in connection.execute(orders).mappings()
    )
    return [row for row in rows if row is not None]


@event.listens_for(OrderSearch.__table__, "after_create")  # type: ignore[attr-defined]
def _index_with_the_table(_table: Any, connection: Connection, **_kwargs: Any) -> None:
    create_search_index(connection)


@event.listens_for(OrderSearch.__table__, "before_drop")  # type: ignore[attr-defined]
def _drop_index_with_the_table(_table: Any, connection: Connection, **_kwargs: Any) -> None:
    drop_search_index(connection)
