"""The `oms-tui` chores: migrate, staff, bins; bad input is one clear line, never a traceback."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.migrate import MIGRATIONS_DIR
from oms_tui.cache.models import AuditEvent, BinLocation, InventoryLevel, LineItem, Location, Order, Staff
from oms_tui.cache.types import utcnow
from oms_tui.cli import actions as cli_actions
from oms_tui.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_a_command_other_than_the_app_turns_the_collector_on_again() -> None:
    gc.disable()  # as `oms-tui` starts (oms_tui/entry.py)
    try:
        assert run("config", "show")[0] == 0
        assert gc.isenabled()
    finally:
        gc.enable()


def test_help_lists_the_commands() -> None:
    code, output = run("--help")
    assert code == 0
    for command in ("db", "config", "staff", "bins"):
        assert command in output


def test_every_command_loads_by_its_name() -> None:
    """Commands are imported when they run (`Commands.LAZY`): each name listed finds its command, and
    every floor action of cli/actions.py is listed."""
    context = click.Context(main)
    names = main.list_commands(context)
    loaded = {name: main.get_command(context, name) for name in names}
    assert {name: command.name if command else None for name, command in loaded.items()} == {
        name: name for name in names
    }
    assert {command.name for command in cli_actions.COMMANDS} <= set(names)


def test_db_upgrade_migrates(db_url: str) -> None:
    newest = sorted(path.name[:4] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))[-1]
    code, output = run("db", "upgrade")
    assert code == 0 and f"cache at revision {newest}" in output


def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # no settings file
    monkeypatch.setenv("OMS_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, output = run("db", "upgrade")
    assert code == 1
    assert output.startswith("Error: database error: ") and output.count("\n") == 1
    assert "Traceback" not in output


def test_staff_add_records_the_person_and_an_audit_event(db_url: str) -> None:
    assert run("staff", "add", "p01", "Ana Pick", "--role", "picker") == (0, "added P01 Ana Pick (picker)\n")
    code, output = run("staff", "add", "P01", "Someone Else", "--role", "packer")
    assert (code, output) == (1, "Error: staff code P01 is already taken\n")
    code, output = run("staff", "add", "X2", "Bo", "--role", "boss")
    assert code == 2 and "'boss' is not one of" in output
    cache = open_cache(db_url)
    with cache.sessions() as session:
        assert [(s.code, s.role.value) for s in session.exec(select(Staff))] == [("P01", "picker")]
        (event,) = session.exec(select(AuditEvent))
        assert (event.station, event.action, event.subject) == ("pack-1", "staff.add", "P01")
    cache.close()


def add_locations(db_url: str, *names: str, stocked: tuple[str, ...] = ("TEE-BLK-M",)) -> None:
    """Locations by name, and the `stocked` SKUs as the store's stock levels at the first one."""
    cache = open_cache(db_url)
    with cache.sessions() as session:
        for n, name in enumerate(names, start=1):
            session.add(Location(id=f"gid://shopify/Location/{n}", name=name, synced_at=utcnow()))
        for n, sku in enumerate(stocked, start=1):
            item = f"gid://shopify/InventoryItem/{n}"
            location = "gid://shopify/Location/1"
            session.add(
                InventoryLevel(inventory_item_id=item, location_id=location, sku=sku, synced_at=utcnow())
            )
        session.commit()
    cache.close()


def stored_bins(db_url: str) -> list[tuple[str, str, str]]:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        rows = [(b.location_id, b.sku, b.code) for b in session.exec(select(BinLocation))]
    cache.close()
    return sorted(rows)


def test_bins_import_resolves_location_names(db_url: str, tmp_path: Path) -> None:
    add_locations(db_url, "Main warehouse", "Overflow")
    csv_file = tmp_path / "bins.csv"
    csv_file.write_text("SKU,Bin,Location\nTEE-BLK-M,a-03-2,main warehouse\nTEE-BLK-M,Z-01-1,Overflow\n")
    assert run("bins", "import", str(csv_file)) == (0, "imported 2 bin locations for 2 location(s)\n")
    assert stored_bins(db_url) == [
        ("gid://shopify/Location/1", "TEE-BLK-M", "A-03-2"),
        ("gid://shopify/Location/2", "TEE-BLK-M", "Z-01-1"),
    ]


def test_bins_import_is_all_or_nothing_with_line_numbers(db_url: str, tmp_path: Path) -> None:
    add_locations(db_url, "Main warehouse", "Overflow")
    csv_file = tmp_path / "bins.csv"
    csv_file.write_text("sku,bin\nMUG-01,B-01-1\n,B-01-2\nCAP-02,??\n")
    code, output = run("bins", "import", str(csv_file))
    assert code == 1
    assert "line 3: empty sku" in output
    assert "line 4: bin '??' is not a shelf code like A-03-2" in output
    assert "line 2: the shop has several locations" in output
    assert stored_bins(db_url) == []
    code, output = run("bins", "import", str(csv_file), "--location", "Overflow")
    assert code == 1 and stored_bins(db_url) == []  # lines 3 and 4 are still wrong


def test_a_shop_without_a_token_is_one_line(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_SHOP_URL", "my-brand.myshopify.com")
    monkeypatch.delenv("OMS_SHOPIFY_TOKEN", raising=False)
    assert run() == (1, "Error: OMS_SHOP_URL is set but OMS_SHOPIFY_TOKEN is not\n")


def test_bins_import_warns_about_skus_the_store_does_not_have(db_url: str, tmp_path: Path) -> None:
    add_locations(db_url, "Main warehouse", stocked=("MUG-01",))
    cache = open_cache(db_url)
    with cache.sessions() as session:  # a SKU sold (on an order) but not stocked is known too
        now = utcnow()
        order = Order(id="gid://shopify/Order/1", name="#1001", fulfillment_status="UNFULFILLED",
                      created_at=now, updated_at=now, synced_at=now)  # fmt: skip
        session.add(order)
        session.flush()
        session.add(LineItem(id="gid://shopify/LineItem/1", order_id=order.id, sku="CAP-02", title="Cap",
                             quantity=1, current_quantity=1, unfulfilled_quantity=1))  # fmt: skip
        session.commit()
    cache.close()
    csv_file = tmp_path / "bins.csv"
    csv_file.write_text("sku,bin\nMUG-01,A-01-1\nCAP-02,A-01-2\nMUG-10,A-01-3\nTEE-XXL,A-01-4\n")
    result = CliRunner().invoke(main, ["bins", "import", str(csv_file)])
    assert result.exit_code == 0
    assert result.stdout == "imported 4 bin locations for 1 location(s)\n"
    assert result.stderr == (
        "warning: 2 SKU(s) not in the store's stock or orders as of the last sync (a typo?): "
        "MUG-10, TEE-XXL\n"
    )
    assert len(stored_bins(db_url)) == 4  # a warning, not a refusal: the product may not be sold yet


def test_an_unknown_location_lists_the_known_ones(db_url: str, tmp_path: Path) -> None:
    add_locations(db_url, "Main warehouse", "Overflow")
    csv_file = tmp_path / "bins.csv"
    csv_file.write_text("sku,bin,location\nTEE-BLK-M,A-01-1,Main warehous\n")
    code, output = run("bins", "import", str(csv_file))
    assert (code, output) == (
        1,
        "Error: nothing imported:\n"
        "line 2: unknown location 'Main warehous' (locations: Main warehouse, Overflow)\n",
    )
    csv_file.write_text("sku,bin\nTEE-BLK-M,A-01-1\n")
    code, output = run("bins", "import", str(csv_file), "--location", "Backroom")
    assert (code, output) == (
        1,
        "Error: nothing imported:\n"
        "--location: unknown location 'Backroom' (locations: Main warehouse, Overflow)\n",
    )
    assert stored_bins(db_url) == []


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (("outbox", "retry", "3", "99999999999999999999999999"), "'[ACTION_IDS]...'"),
        (("outbox", "discard", "--yes", "99999999999999999999999999"), "'ACTION_ID'"),
        (("outbox", "retry", "0"), "'[ACTION_IDS]...'"),
    ],
)
def test_an_action_id_out_of_range_is_a_usage_error_not_a_traceback(
    db_url: str, command: tuple[str, ...], name: str
) -> None:
    result = CliRunner().invoke(main, list(command))
    assert result.exit_code == 2 and not isinstance(result.exception, OverflowError)
    given = command[-1]
    assert result.output.endswith(
        f"Error: Invalid value for {name}: {given} is not in the range 1<=x<=9223372036854775807.\n"
    )
