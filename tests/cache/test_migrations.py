"""Alembic builds the same schema as the models, on both engines."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from oms_tui.cache.migrate import alembic_config, current_revision, drift, head_revision, upgrade


def test_upgrade_from_empty_creates_every_table(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert current_revision(empty_engine) is not None
    assert set(SQLModel.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_models_and_migrations_do_not_drift(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert drift(empty_engine) == []


def test_upgrade_twice_is_a_no_op(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    first = current_revision(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) == first


def test_the_newest_revision_is_read_from_the_migration_files(empty_engine: Engine) -> None:
    """A cache at it opens without running (or importing) Alembic."""
    upgrade(empty_engine)
    assert head_revision() is not None and head_revision() == current_revision(empty_engine)


def test_0007_makes_an_existing_caches_tags_filterable_and_rereads_its_orders(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0006")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO orders (id, name, fulfillment_status, tags, priority, closed, created_at, "
                "updated_at, synced_at) VALUES ('gid://shopify/Order/77', '#1077', 'UNFULFILLED', "
                "'[\"Rush\", \"gift\", \" \"]', 0, false, '2026-11-20 09:01:00', '2026-11-20 09:01:00', "
                "'2026-11-20 09:01:00')"
            )
        )
        connection.execute(
            text("INSERT INTO sync_state (stream, watermark) VALUES ('orders', '2026-11-20 09:01:00')")
        )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        tags = connection.execute(text("SELECT tag FROM order_tags ORDER BY tag")).scalars().all()
        watermark = connection.execute(text("SELECT watermark FROM sync_state")).scalar()
    assert tags == ["gift", "rush"]
    assert watermark is None  # the next sync reads every order's channel and shipping method


def test_0023_sums_the_labels_an_existing_cache_bought(empty_engine: Engine) -> None:
    """So that a later void or refund of one of them has its day's row to move."""
    upgrade(empty_engine, "0022")
    at = {"created": "2026-11-26 10:00:00", "bought": "2026-11-26 10:05:00"}
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff (code, name, role, active, created_at) "
                "VALUES ('P01', 'Pat', 'packer', true, :created)"
            ),
            at,
        )
        for order, state, refund, price in (
            ("1", "bought", None, "9.20"),
            ("2", "voiding", "submitted", "12.35"),
        ):
            connection.execute(
                text(
                    "INSERT INTO shipping_labels (order_id, station, staff_code, state, label_format, "
                    "rates, carrier, service, price, currency, refund_status, created_at, bought_at) "
                    "VALUES (:order, 'pack-1', 'P01', :state, 'PDF', '[]', 'UPS', 'Ground', :price, 'USD', "
                    ":refund, :created, :bought)"
                ),
                {"order": order, "state": state, "refund": refund, "price": price, **at},
            )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT day, bought, bought_cents, voided, pending, pending_cents FROM report_label_spend")
        ).all()
    assert [(str(day), *counts) for day, *counts in rows] == [("2026-11-26", 2, 2155, 1, 1, 1235)]


def test_0027_counts_what_shipped_before_0025_so_no_old_tote_is_put_back(empty_engine: Engine) -> None:
    """Totes picked and shipped before 0025 (one in two parcels, one line over two totes), one still
    waiting for its packer, and a line shipped since with its count kept: only what the audit log
    shows shipped and no line counts yet is added, to the oldest totes first."""
    upgrade(empty_engine, "0026")
    at = {"at": "2026-11-26 10:00:00"}
    picked = {  # line id: (line, picked, shipped as 0026 counts it)
        1: ("FOL/1", 3, 0),
        2: ("FOL/2", 2, 0),
        3: ("FOL/3", 1, 0),
        4: ("FOL/4", 2, 2),
        5: ("FOL/4", 1, 0),  # picked again since, waiting for its packer
        6: ("FOL/5", 2, 0),  # two totes of one line, three units shipped: the older one first
        7: ("FOL/5", 2, 0),
    }
    shipments = [("FOL/1", 3), ("FOL/2", 1), ("FOL/2", 1), ("FOL/4", 2), ("FOL/5", 3)]
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff (code, name, role, active, created_at) "
                "VALUES ('P01', 'Pat', 'picker', true, :at)"
            ),
            at,
        )
        connection.execute(
            text(
                "INSERT INTO pick_lists (id, staff_code, station, location_id, state, created_at) "
                "VALUES (1, 'P01', 'pick-1', 'L1', 'done', :at)"
            ),
            at,
        )
        for ident, (line, units, shipped) in picked.items():
            connection.execute(
                text(
                    "INSERT INTO pick_list_lines (id, pick_list_id, sequence, fulfillment_order_id, "
                    "fulfillment_order_line_item_id, needed, picked, short, stop, put_back, shipped) "
                    "VALUES (:id, 1, :id, 'FO', :line, :units, :units, 0, :id, 0, :shipped)"
                ),
                {"id": ident, "line": line, "units": units, "shipped": shipped},
            )
        for line, units in shipments:
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, station, staff_code, action, subject, details) "
                    "VALUES (:at, 'pack-1', 'P01', 'store.fulfill', 'FO', :details)"
                ),
                {**at, "details": json.dumps({"lines": [{"id": line, "quantity": units}]})},
            )
    upgrade(empty_engine)
    command.downgrade(alembic_config(empty_engine), "0026")
    upgrade(empty_engine)  # run twice: nothing is counted twice
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT id, shipped FROM pick_list_lines ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(1, 3), (2, 2), (3, 0), (4, 2), (5, 0), (6, 2), (7, 1)]
