"""Alembic builds the same schema as the models, on both engines."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from oms_tui.cache.migrate import current_revision, drift, head_revision, upgrade


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
