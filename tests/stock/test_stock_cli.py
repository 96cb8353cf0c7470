"""`oms-tui stock`: show, adjust, move and count from a shell; bad input is one line and records nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url
from sqlmodel import select

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, BinLocation, OutboxAction
from oms_tui.cli import main
from oms_tui.floor.stock.bin_stock import received_into_bin
from oms_tui.sim.store import SimStore
from tests.cli_shop import oms, serving, synced_store
from tests.stock.stock_shop import Stocked, stocked_sku

MAIN = "Main Warehouse"


@pytest.fixture(scope="module")
def synced_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimStore, Path]:
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    return synced_store(f"sqlite:///{path}", orders=10), path


@pytest.fixture
def shop(db_url: str, synced_template: tuple[SimStore, Path]) -> SimStore:
    store, template = synced_template
    shutil.copy(template, make_url(db_url).database or "")
    assert oms("staff", "add", "P02", "Pia Picker", "--role", "picker").exit_code == 0
    return store


def recorded(db_url: str) -> list[OutboxAction]:
    cache = open_cache(db_url)
    with cache.sessions() as session:
        actions = list(session.exec(select(OutboxAction)))
    cache.close()
    return actions


def in_stock(store: SimStore) -> Stocked:
    found = next(
        level
        for item in store.inventory.values()
        for level in item.levels
        if level.location.name == MAIN and level.available > 5
    )
    return Stocked(found)


def test_show_prints_a_line_per_location_and_quantity_name(shop: SimStore) -> None:
    stocked = in_stock(shop)
    result = oms("stock", "show", stocked.sku, "--location", MAIN)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    assert lines[0].split() == [*MAIN.split(), "available", str(stocked.level.available)]
    assert [line.split()[-2] for line in lines][:3] == ["available", "on_hand", "committed"]
    everywhere = oms("stock", "show", stocked.sku).stdout.splitlines()
    assert len(everywhere) == 8 * len([lv for lv in stocked.level.item.levels if lv.location.is_active])


def test_adjust_and_move_are_recorded_and_the_store_gets_them_once(
    shop: SimStore, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stocked = in_stock(shop)
    available, damaged = stocked.level.available, stocked.level.damaged
    adjusted = oms(
        "stock",
        "adjust",
        stocked.sku,
        "--by",
        "-2",
        "--reason",
        "shrinkage",
        "--location",
        MAIN,
        "--staff",
        "P02",
    )
    assert adjusted.exit_code == 0, adjusted.output
    assert adjusted.stdout == f"action 1: inventory_adjust {stocked.sku}\n"
    moved = oms(
        "stock",
        "move",
        stocked.sku,
        "--from",
        "available",
        "--to",
        "damaged",
        "--qty",
        "1",
        "--location",
        MAIN,
        "--staff",
        "P02",
    )
    assert moved.exit_code == 0, moved.output
    with serving(shop, monkeypatch):
        pushed = oms("outbox", "push")
    assert pushed.stdout == "sent 2, rejected 0, still waiting 0\n", pushed.output
    assert (stocked.level.available, stocked.level.damaged) == (available - 3, damaged + 1)
    reasons = [e.reason for e in shop.inventory_book.ledger if e.sku == stocked.sku]
    assert reasons[-3:] == ["shrinkage", "damaged", "damaged"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["adjust", "NO-SUCH-SKU", "--by", "1", "--reason", "correction"], "NO-SUCH-SKU: no stock of it"),
        (["adjust", "{sku}", "--by", "1", "--reason", "because"], "Invalid value for '--reason'"),
        (["adjust", "{sku}", "--by", "0", "--reason", "correction"], "at least one unit"),
        (
            ["move", "{sku}", "--from", "damaged", "--to", "damaged", "--qty", "1"],
            "--from and --to must differ",
        ),
        (["move", "{sku}", "--from", "damaged", "--to", "available", "--qty", "999999"], "only"),
        (["count", "Z-99-9"], "nothing to count"),
        (["count", "A-01-1", "--counted", "A-01-1:{sku}=x"], "write BIN:SKU=N"),
    ],
)
def test_bad_input_is_one_line_and_records_nothing(
    shop: SimStore, db_url: str, args: list[str], said: str
) -> None:
    sku = in_stock(shop).sku
    result = oms("stock", *[arg.format(sku=sku) for arg in args], "--location", MAIN, "--staff", "P02")
    assert result.exit_code != 0
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert said in error
    assert recorded(db_url) == []


def test_a_count_of_bins_lists_them_then_sends_what_was_counted(
    shop: SimStore, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stocked = stocked_sku(shop, skip=3)
    cache = open_cache(db_url)
    with cache.sessions() as session:
        session.add(BinLocation(location_id=stocked.location_id, sku=stocked.sku, code="A-01-1"))
        session.commit()
    cache.close()
    listed = oms("stock", "count", "a-01-1", "--location", MAIN, "--staff", "P02")
    assert listed.exit_code == 0, listed.output
    code, sku, _, expected = listed.stdout.split(": ", 1)[1].split()
    assert (code, sku) == ("A-01-1", stocked.sku)
    off = int(expected) - 4
    refused = oms(
        "stock", "count", "A-01-1", "--counted", f"A-01-1:{sku}={off}", "--location", MAIN, "--staff", "P02"
    )
    assert refused.exit_code != 0 and "count the bin again" in refused.output
    assert recorded(db_url) == []
    sent = oms(
        "stock",
        "count",
        "A-01-1",
        "--counted",
        f"A-01-1:{sku}={off}",
        "--recounted",
        "--location",
        MAIN,
        "--staff",
        "P02",
    )
    assert sent.exit_code == 0, sent.output
    with serving(shop, monkeypatch):
        assert oms("outbox", "push").stdout == "sent 1, rejected 0, still waiting 0\n"
    assert stocked.level.on_hand - stocked.level.damaged - stocked.level.quality_control == off


def test_a_manager_sets_a_bins_role_and_minimum_for_every_sku_in_it(shop: SimStore, db_url: str) -> None:
    first, second = stocked_sku(shop), stocked_sku(shop, skip=1)
    cache = open_cache(db_url)
    with cache.sessions() as session:
        received_into_bin(session, first.location_id, "R-01-1", first.sku, 20)
        received_into_bin(session, second.location_id, "R-01-1", second.sku, 3)
        session.add(BinLocation(location_id=first.location_id, sku=first.sku, code="A-09-9"))  # never counted
        session.commit()
    cache.close()
    assert oms("staff", "add", "M01", "Maya Manager", "--role", "manager").exit_code == 0
    skus = sorted([(first.sku, 20), (second.sku, 3)])

    shown = oms("stock", "bin", "r-01-1", "--location", MAIN)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        f"R-01-1  {sku}  {units} unit(s)  pick  minimum 5 (default)" for sku, units in skus
    ]
    made = oms(
        "stock", "bin", "R-01-1", "--role", "reserve", "--min", "8", "--location", MAIN, "--staff", "M01"
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines() == [
        f"R-01-1  {sku}  {units} unit(s)  reserve  minimum 8" for sku, units in skus
    ]
    back = oms("stock", "bin", "R-01-1", "--no-min", "--location", MAIN, "--staff", "M01")
    assert [line.split("  ", 3)[3] for line in back.stdout.splitlines()] == [
        "reserve  minimum 5 (default)"
    ] * 2

    cache = open_cache(db_url)
    with cache.sessions() as session:
        audited = [(e.action, e.staff_code, e.details) for e in session.exec(select(AuditEvent))]
    cache.close()
    assert [entry for entry in audited if entry[0].startswith("stock.bin")] == [
        ("stock.bin_role", "M01", {"location": first.location_id, "role": "reserve"}),
        ("stock.bin_minimum", "M01", {"location": first.location_id, "minimum": 8}),
        ("stock.bin_minimum", "M01", {"location": first.location_id, "minimum": None}),
    ]
    assert recorded(db_url) == []  # floor data of ours: nothing for the store

    for args, said in [
        (["R-01-1", "--role", "pick", "--staff", "P02"], "Pia Picker (picker) may not set bins' roles"),
        (["R-01-1", "--role", "pick"], "--staff: who sets it"),
        (["R-01-1", "--min", "2", "--no-min", "--staff", "M01"], "one or the other"),
        (["Z-99-9", "--role", "reserve", "--staff", "M01"], "no bin 'Z-99-9'"),
        (["Z-99-9"], "no bin 'Z-99-9'"),
        (["A-09-9", "--min", "3", "--staff", "M01"], "nothing counted or received in it yet"),
    ]:
        refused = oms("stock", "bin", *args, "--location", MAIN)
        assert refused.exit_code != 0
        (error,) = [line for line in refused.output.splitlines() if line.startswith("Error:")]
        assert said in error
    assert oms("stock", "bin", "R-01-1", "--location", MAIN).stdout == back.stdout  # nothing changed


def test_the_outbox_lists_a_stock_change_by_its_sku_and_location(shop: SimStore) -> None:
    stocked = in_stock(shop)
    args = ["--by", "-1", "--reason", "shrinkage", "--location", MAIN, "--staff", "P02"]
    assert oms("stock", "adjust", stocked.sku, *args).exit_code == 0
    listed = oms("outbox")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.split()[:5] == ["1", "pending", "inventory_adjust", "stock", stocked.sku]
    assert f"stock {stocked.sku} @ {MAIN}  tries 0" in listed.stdout
    asked = CliRunner().invoke(main, ["outbox", "discard", "1"], input="n\n")
    assert f"Discard inventory_adjust for stock {stocked.sku} @ {MAIN}? The store" in asked.output
