"""Where is my order? Any order, shipped and cancelled too, by a piece of what a person remembers.

The text is split into words; an order matches when its search document (see
`oms_tui.cache.order_search`) contains every word anywhere, whatever their case, accents or
apostrophes: `smi` finds Smith, `nunez` Núñez, `obrien` or `o'brien` O'Brien, `tee-bl` TEE-BLK-M,
`1z999` a UPS parcel. Words of three characters or more go through the trigram index; shorter ones
only narrow what those found (alone, they match order numbers exactly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, column, exists, table
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import NullType
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from oms_tui.cache.models import Fulfillment, LineItem, Order, OrderSearch
from oms_tui.cache.order_search import FTS_TABLE, fold

MIN_INDEXED = 3  # the trigram index cannot look up shorter words
RECENT = 20_000  # PostgreSQL: documents read newest first before asking the index
FTS = table(FTS_TABLE, column("rowid"))


@dataclass(frozen=True)
class SearchHit:
    order_id: str
    name: str
    created_at: datetime
    customer: str
    email: str
    financial_status: str
    fulfillment_status: str
    cancelled: bool
    matched: str  # which of the order's fields matched, e.g. "tracking 1Z999AA10123456784"


def words(text: str) -> list[str]:
    return list(dict.fromkeys(fold(text).split()))


def search_orders(session: Session, text: str, *, limit: int = 50) -> list[SearchHit]:
    """The orders matching `text`: an exact order number first, then the newest."""
    terms = words(text)
    if not terms:
        return []
    exact = _exact_name(session, text)
    found = [*exact, *(ident for ident in _newest_matches(session, terms, limit) if ident not in exact)]
    return _hits(session, found[:limit], terms)


def matching_order_ids(text: str) -> SelectOfScalar[str]:
    """Orders whose number, customer, email, phone, SKU, barcode or tracking number matches `text`.

    A subquery for other queries (the work queue's filter), on either engine.
    """
    terms = words(text)
    if not any(len(term) >= MIN_INDEXED for term in terms):
        return select(Order.id).where(col(Order.name).in_(_names(text)))
    return select(OrderSearch.order_id).where(
        DocumentMatch([t for t in terms if len(t) >= MIN_INDEXED]), *_narrowing(terms)
    )


def few_matching_order_ids(session: Session, text: str, fewer_than: int) -> list[str] | None:
    """SQLite: the orders matching `text` when fewer than `fewer_than` do, else None. The index's
    own matches are counted first (up to the limit), so many matches cost no more than a few."""
    terms = words(text)
    indexed = [term for term in terms if len(term) >= MIN_INDEXED]
    if not indexed:  # an order number, whole: one order
        return list(session.exec(matching_order_ids(text)))
    found = list(session.exec(select(FTS.c.rowid).where(_fts_condition(indexed)).limit(fewer_than)))
    if len(found) >= fewer_than:
        return None
    matching = select(OrderSearch.order_id).where(col(OrderSearch.id).in_(found), *_narrowing(terms))
    return list(session.exec(matching))


def matches_order(text: str, order_id: Any) -> ColumnElement[bool]:
    """Whether the order `order_id` matches `text`, read from its own document (no index): for a
    queue read in its order when matches are many, each row checked as it passes."""
    return exists().where(col(OrderSearch.order_id) == order_id, _contains_all(words(text)))


class DocumentMatch(ColumnElement[Any]):
    """`order_search` rows whose document contains every term, through the engine's trigram index."""

    inherit_cache = False
    # Not Boolean: SQLite would compare it with 1, and `(x IN (...)) = 1` cannot use the rowid.
    type = NullType()

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms


@compiles(DocumentMatch, "sqlite")
def _fts_match(element: DocumentMatch, compiler: Any, **kw: Any) -> str:
    rowids = select(FTS.c.rowid).where(_fts_condition(element.terms))
    return compiler.process(col(OrderSearch.id).in_(rowids), **kw)


@compiles(DocumentMatch)
def _trigram_like(element: DocumentMatch, compiler: Any, **kw: Any) -> str:
    return compiler.process(_contains_all(element.terms), **kw)


def _fts_condition(terms: list[str]) -> ColumnElement[bool]:
    # Each word as an FTS5 phrase (quotes doubled): with the trigram tokenizer, a substring match.
    query = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return column(FTS_TABLE).bool_op("MATCH")(query)


def _contains_all(terms: list[str], document: Any = OrderSearch.document) -> ColumnElement[bool]:
    return and_(*(col(document).contains(term, autoescape=True) for term in terms))


def _narrowing(terms: list[str], document: Any = OrderSearch.document) -> list[ColumnElement[bool]]:
    return [col(document).contains(term, autoescape=True) for term in terms if len(term) < MIN_INDEXED]


def _names(text: str) -> list[str]:
    wanted = text.strip()
    return [wanted] if wanted.startswith("#") else [wanted, f"#{wanted}"]


def _exact_name(session: Session, text: str) -> list[str]:
    if len(text.split()) != 1:
        return []
    return list(session.exec(select(Order.id).where(col(Order.name).in_(_names(text)))))


def _newest_matches(session: Session, terms: list[str], limit: int) -> list[str]:
    indexed = [term for term in terms if len(term) >= MIN_INDEXED]
    if not indexed:
        return []
    if session.get_bind().dialect.name != "sqlite":
        return _newest_trigram_matches(session, indexed, terms, limit)
    # Joined from the FTS table and ordered by its rowid, FTS5 walks its matches newest first and
    # stops at the limit, however many orders contain the words.
    query = (
        select(OrderSearch.order_id)
        .select_from(FTS)
        .join(OrderSearch, col(OrderSearch.id) == FTS.c.rowid)
        .where(_fts_condition(indexed), *_narrowing(terms))
        .order_by(FTS.c.rowid.desc())
    )
    return list(session.exec(query.limit(limit)))


def _newest_trigram_matches(session: Session, indexed: list[str], terms: list[str], limit: int) -> list[str]:
    """PostgreSQL: the newest documents first, then (when they hold too few) the trigram index.

    PostgreSQL cannot tell how rare a `LIKE '%...%'` is: asked for the newest matches it may walk
    back through every document looking for a rare one. A common word is found among the newest
    documents at once; a rare one has few matches, which the GIN index finds and a sort orders.
    """
    recent = (
        select(OrderSearch.id, OrderSearch.order_id, OrderSearch.document)
        .order_by(col(OrderSearch.id).desc())
        .limit(RECENT)
        .subquery()
    )
    found = list(
        session.exec(
            select(recent.c.order_id)
            .where(_contains_all(indexed, recent.c.document), *_narrowing(terms, recent.c.document))
            .order_by(recent.c.id.desc())
            .limit(limit)
        )
    )
    if len(found) == limit:
        return found
    # Materialized, the matches are gathered through the index before any ordering or limit.
    every = (
        select(OrderSearch.id, OrderSearch.order_id)
        .where(_contains_all(indexed), *_narrowing(terms))
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    return list(session.exec(select(every.c.order_id).order_by(every.c.id.desc()).limit(limit)))


def _hits(session: Session, order_ids: list[str], terms: list[str]) -> list[SearchHit]:
    if not order_ids:
        return []
    header = sa_select(
        col(Order.id),
        col(Order.name),
        col(Order.created_at),
        col(Order.customer_name),
        col(Order.email),
        col(Order.shipping_address),
        col(Order.financial_status),
        col(Order.fulfillment_status),
        col(Order.cancelled_at),
    ).where(col(Order.id).in_(order_ids))
    orders = {row[0]: row for row in session.connection().execute(header)}
    matched = {}
    for ident, name, _, customer, email, address, *_ in orders.values():
        phone = (address or {}).get("phone") or ""
        fields = [("order", name), ("customer", customer or ""), ("email", email or ""), ("phone", phone)]
        matched[ident] = _matched(fields, terms)
    # Lines and parcels are read only for the orders that matched by neither of those.
    for ident, fields in _line_and_parcel_fields(session, [i for i in order_ids if not matched[i]]).items():
        matched[ident] = _matched(fields, terms)
    hits = []
    for ident in order_ids:
        _, name, created_at, customer, email, _, paid, fulfilled, cancelled_at = orders[ident]
        hits.append(
            SearchHit(
                order_id=ident,
                name=name,
                created_at=created_at,
                customer=customer or "",
                email=email or "",
                financial_status=paid or "",
                fulfillment_status=fulfilled,
                cancelled=cancelled_at is not None,
                matched=matched[ident],
            )
        )
    return hits


def _line_and_parcel_fields(session: Session, order_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    fields: dict[str, list[tuple[str, str]]] = {ident: [] for ident in order_ids}
    if not order_ids:
        return fields
    for order_id, sku, barcode in session.exec(
        select(LineItem.order_id, LineItem.sku, LineItem.barcode).where(col(LineItem.order_id).in_(order_ids))
    ):
        fields[order_id] += [("SKU", sku or ""), ("barcode", barcode or "")]
    for order_id, number in session.exec(
        select(Fulfillment.order_id, Fulfillment.tracking_number).where(
            col(Fulfillment.order_id).in_(order_ids)
        )
    ):
        fields[order_id].append(("tracking", number or ""))
    return fields


def _matched(candidates: list[tuple[str, str]], terms: list[str]) -> str:
    """The field that holds the longest word searched for (a phone may match by its digits)."""
    longest = max(terms, key=len)
    for label, value in candidates:
        if longest in fold(value) or (label == "phone" and longest.isdigit() and longest in _digits(value)):
            return f"{label} {value}"
    return ""


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
