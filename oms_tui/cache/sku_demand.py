"""What open work needs of each SKU at each location, one row per fulfillment order, kept in the
queue's order by the database itself.

Short-stock allocation reads a SKU's claimants in queue order: at 10,000 claimants, joining each
line to its fulfillment order, its order and its line item and sorting them all took 90 ms on a
million orders. `sku_demand` holds that join's answer, indexed as allocation reads it (SKU,
location, then the queue's own order), so the read is one range of one index.

Its rows are written by triggers on the tables they come from, not by the code that writes those
(sync's bulk upserts, the floor's actions, the outbox, a tool): every write path keeps it true,
including ones written later. A row is there while its fulfillment order is open (OPEN or
IN_PROGRESS) at a location, its order is not cancelled and it has units left of the SKU on lines
that ship (`floor.queues.no_shipping`: a line not read yet ships). Triggers fire on what moves a
row (units left, status, location, the order's rank or cancellation, a line's shipping); a sync
upsert that changes none of those costs a comparison.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Index, event
from sqlmodel import Field, SQLModel

from oms_tui.cache.types import UTCDateTime

OPEN = "('OPEN', 'IN_PROGRESS')"


class SkuDemand(SQLModel, table=True):
    __tablename__ = "sku_demand"
    __table_args__ = (
        # Allocation's read: a SKU's claimants at a location in queue order, nothing else looked up.
        Index(
            "ix_sku_demand_queue",
            "sku",
            "location_id",
            "priority",
            "ship_by",
            "order_id",
            "fulfillment_order_id",
            "needed",
        ),
    )

    fulfillment_order_id: str = Field(primary_key=True)
    sku: str = Field(primary_key=True)
    location_id: str
    needed: int  # units left on its lines of the SKU that ship
    priority: int  # the order's (`Order.priority`: lower is more urgent)
    ship_by: datetime | None = Field(default=None, sa_type=UTCDateTime)
    order_id: str = Field(index=True)


def _refresh(delete_where: str, insert_where: str) -> list[str]:
    """The statements that rewrite the demand rows chosen (by `sku_demand` columns and by `fo.`,
    `o.` columns of the same fulfillment orders)."""
    return [
        f"DELETE FROM sku_demand WHERE {delete_where}",
        "INSERT INTO sku_demand (fulfillment_order_id, sku, location_id, needed, priority, ship_by, "
        "order_id) "
        "SELECT fo.id, line.sku, fo.location_id, SUM(line.remaining_quantity), o.priority, o.ship_by, "
        "o.id "
        "FROM fulfillment_orders fo "
        "JOIN orders o ON o.id = fo.order_id "
        "JOIN fulfillment_order_line_items line ON line.fulfillment_order_id = fo.id "
        f"WHERE {insert_where} AND fo.status IN {OPEN} AND fo.location_id IS NOT NULL "
        "AND o.cancelled_at IS NULL AND line.sku IS NOT NULL AND line.remaining_quantity > 0 "
        "AND NOT EXISTS (SELECT 1 FROM line_items li "
        "WHERE li.id = line.line_item_id AND NOT li.requires_shipping) "
        "GROUP BY fo.id, line.sku, fo.location_id, o.priority, o.ship_by, o.id",
    ]


def _of_fulfillment_order(ident: str) -> list[str]:
    return _refresh(f"fulfillment_order_id = {ident}", f"fo.id = {ident}")


def _of_line(row: str) -> list[str]:
    """The one row a line of `row` (NEW or OLD) counts in: a fulfillment order of a hundred lines,
    written line by line, rewrites a row a line, not all its rows each time."""
    where = f"fulfillment_order_id = {row}.fulfillment_order_id AND sku = {row}.sku"
    # The SKU compared as an expression: the lines are found by their fulfillment order's index,
    # not by the SKU's (thousands of lines at a million orders).
    lines = f"fo.id = {row}.fulfillment_order_id AND COALESCE(line.sku, '') = {row}.sku"
    return _refresh(where, lines)


def _of_order(ident: str) -> list[str]:
    return _refresh(f"order_id = {ident}", f"fo.order_id = {ident}")


def _of_line_item(ident: str) -> list[str]:
    fos = f"(SELECT fulfillment_order_id FROM fulfillment_order_line_items WHERE line_item_id = {ident})"
    return _refresh(f"fulfillment_order_id IN {fos}", f"fo.id IN {fos}")


def _add_line() -> list[str]:
    """A new line's units added to its row (made if need be): one lookup of its fulfillment order and
    order, not the row's lines summed again (a first sync writes each line of open work this way)."""
    return [
        "INSERT INTO sku_demand (fulfillment_order_id, sku, location_id, needed, priority, ship_by, "
        "order_id) "
        "SELECT fo.id, NEW.sku, fo.location_id, NEW.remaining_quantity, o.priority, o.ship_by, o.id "
        "FROM fulfillment_orders fo JOIN orders o ON o.id = fo.order_id "
        f"WHERE fo.id = NEW.fulfillment_order_id AND fo.status IN {OPEN} AND fo.location_id IS NOT NULL "
        "AND o.cancelled_at IS NULL AND NOT EXISTS (SELECT 1 FROM line_items li "
        "WHERE li.id = NEW.line_item_id AND NOT li.requires_shipping) "
        "ON CONFLICT (fulfillment_order_id, sku) DO UPDATE SET needed = sku_demand.needed + excluded.needed"
    ]


LINES, FOS, ORDERS, ITEMS = "fulfillment_order_line_items", "fulfillment_orders", "orders", "line_items"
NEW_LINE, OLD_LINE = _of_line("NEW"), _of_line("OLD")
# A new fulfillment order's lines come after it and add themselves; most of a store's history is closed.
OPEN_NEW_FO = f"NEW.status IN {OPEN} AND NEW.location_id IS NOT NULL"
# A new order has no fulfillment orders yet (they name it), unless its writer defers that check.
HAS_FOS = f"EXISTS (SELECT 1 FROM {FOS} WHERE order_id = NEW.id)"
# What each trigger rewrites: (name, event, table, the columns whose change moves demand (UPDATE) or
# the row's condition (INSERT, DELETE), the statements).
TRIGGERS: list[tuple[str, str, str, tuple[str, ...] | str, list[str]]] = [
    # A line without units or a SKU counts in no row.
    ("line_ai", "INSERT", LINES, "NEW.sku IS NOT NULL AND NEW.remaining_quantity > 0", _add_line()),
    (
        "line_au",
        "UPDATE",
        LINES,
        ("remaining_quantity", "sku", "fulfillment_order_id", "line_item_id"),
        OLD_LINE + NEW_LINE,
    ),
    ("line_ad", "DELETE", LINES, "", OLD_LINE),
    ("fo_ai", "INSERT", FOS, OPEN_NEW_FO, _of_fulfillment_order("NEW.id")),
    ("fo_au", "UPDATE", FOS, ("status", "location_id", "order_id"), _of_fulfillment_order("NEW.id")),
    ("fo_ad", "DELETE", FOS, "", ["DELETE FROM sku_demand WHERE fulfillment_order_id = OLD.id"]),
    ("order_ai", "INSERT", ORDERS, HAS_FOS, _of_order("NEW.id")),
    ("order_au", "UPDATE", ORDERS, ("priority", "ship_by", "cancelled_at"), _of_order("NEW.id")),
    ("order_ad", "DELETE", ORDERS, "", ["DELETE FROM sku_demand WHERE order_id = OLD.id"]),
    # Lines that need no shipping are few: only they (and a change of it) move demand.
    ("item_ai", "INSERT", ITEMS, "NOT NEW.requires_shipping", _of_line_item("NEW.id")),
    ("item_au", "UPDATE", ITEMS, ("requires_shipping",), _of_line_item("NEW.id")),
    ("item_ad", "DELETE", ITEMS, "NOT OLD.requires_shipping", _of_line_item("OLD.id")),
]


def _ddl(sqlite: bool) -> list[str]:
    """SQLite: a trigger with its statements. PostgreSQL: a function with them, and its trigger."""
    made = []
    for name, when, table, spec, statements in TRIGGERS:
        moved = spec
        if isinstance(spec, tuple):
            differ = "IS NOT" if sqlite else "IS DISTINCT FROM"
            moved = " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in spec)
        body = "; ".join(statements)
        if sqlite:
            guard = f" WHEN {moved}" if moved else ""
            made.append(f"CREATE TRIGGER sku_demand_{name} AFTER {when} ON {table}{guard} BEGIN {body}; END")
            continue
        # PostgreSQL's WHEN takes no subquery: a row's condition is the function's own IF.
        if moved and not isinstance(spec, tuple):
            body, moved = f"IF {moved} THEN {body}; END IF", ""
        made.append(
            f"CREATE FUNCTION sku_demand_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; "
            "RETURN NULL; END $$"
        )
        guard = f" WHEN ({moved})" if moved else ""
        made.append(
            f"CREATE TRIGGER sku_demand_{name} AFTER {when} ON {table} FOR EACH ROW{guard} "
            f"EXECUTE FUNCTION sku_demand_{name}()"
        )
    return made


def create_demand_triggers(connection: Connection) -> None:
    """The triggers that keep `sku_demand` (the tables must exist), and its rows for what is there."""
    _create_triggers(connection)
    rebuild_demand(connection)


def replace_demand_triggers(connection: Connection) -> None:
    """Today's triggers in place of a cache's older ones, which kept the same rows (nothing rebuilt)."""
    drop_demand_triggers(connection)
    _create_triggers(connection)


def _create_triggers(connection: Connection) -> None:
    for statement in _ddl(connection.dialect.name == "sqlite"):
        connection.exec_driver_sql(statement)


def drop_demand_triggers(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    for name, _, table, _, _ in TRIGGERS:
        connection.exec_driver_sql(
            f"DROP TRIGGER IF EXISTS sku_demand_{name}" + ("" if sqlite else f" ON {table}")
        )
        if not sqlite:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS sku_demand_{name}()")


def rebuild_demand(connection: Connection) -> None:
    """Every row written afresh from the tables it comes from (an existing cache, a repair)."""
    for statement in _refresh("TRUE", "TRUE"):
        connection.exec_driver_sql(statement)


# With all the tables (`create_all` in tests): the triggers name tables made after this one.
@event.listens_for(SQLModel.metadata, "after_create")
def _triggers_with_the_tables(_metadata: Any, connection: Connection, **kwargs: Any) -> None:
    if SkuDemand.__table__ in kwargs.get("tables", ()):  # type: ignore[attr-defined]
        create_demand_triggers(connection)


@event.listens_for(SkuDemand.__table__, "before_drop")  # type: ignore[attr-defined]
def _drop_triggers_with_the_table(_table: Any, connection: Connection, **_kwargs: Any) -> None:
    drop_demand_triggers(connection)
