"""A damaged unit found while picking leaves `available` for `damaged` at the store, once; our bin holds
one less."""

from __future__ import annotations

from pathlib import Path

import pytest

from oms_tui.actions.stock_common import MoveName
from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import BinStock, PickList
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.stock.damaged import damaged_in_pick
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.stock.stock_shop import cached_level, ledger_of, stocked_sku
from tests.store.simulated import simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.team import hire

PICKER = Actor(station="pick-1", staff_code="P02")


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    opened = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    hire(opened)
    return opened


async def test_a_damaged_unit_found_while_picking_is_moved_to_damaged_once(cache: Cache) -> None:
    store = SimStore(orders=20, seed=3)
    stocked = stocked_sku(store)
    available, damaged = stocked.level.available, stocked.level.damaged
    client, _tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            pick_list = PickList(staff_code="P02", station="pick-1", location_id=stocked.location_id)
            session.add(pick_list)
            session.add(BinStock(location_id=stocked.location_id, code="D-01-1", sku=stocked.sku, quantity=6))
            session.flush()
            assert pick_list.id is not None
            damaged_in_pick(session, PICKER, pick_list.id, stocked.sku, "D-01-1", MoveName.DAMAGED)
            session.commit()
            assert session.get_one(BinStock, (stocked.location_id, "D-01-1", stocked.sku)).quantity == 5
        level = cached_level(cache, stocked)
        assert (level.available, level.damaged) == (available - 1, damaged + 1), "the station sees it at once"
        app.state.faults.drop_after_mutations = 1  # the move's answer lost
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert (stocked.level.available, stocked.level.damaged) == (available - 1, damaged + 1)
    ledger = ledger_of(store, stocked)
    assert [(e["name"], e["delta"], e["reason"]) for e in ledger] == [
        ("available", -1, "damaged"),
        ("damaged", 1, "damaged"),
    ]
    assert ledger[0]["reference_document_uri"] == f"gid://oms-tui/PickList/{pick_list.id}"
