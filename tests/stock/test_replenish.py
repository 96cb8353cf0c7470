"""Replenishment lists the pick bins below their minimum with the reserve bins that refill them, in
walking order."""

from __future__ import annotations

from pathlib import Path

from oms_tui.cache.database import open_cache
from oms_tui.cache.enums import BinRole
from oms_tui.floor.picking.walking import WalkRule
from oms_tui.floor.stock.bin_stock import received_into_bin, set_bin
from oms_tui.floor.stock.replenish import refills

LOC = "gid://shopify/Location/1"


def test_pick_bins_below_their_minimum_are_refilled_from_reserve_fullest_first(tmp_path: Path) -> None:
    cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    with cache.sessions() as session:
        for code, sku, units, role, minimum in [
            ("A-01-1", "TEE", 2, BinRole.PICK, 5),  # below its own minimum: wants 8 to reach 10
            ("A-01-2", "CAP", 6, BinRole.PICK, None),  # at the default minimum (4): fine
            ("A-01-3", "SOCK", 1, BinRole.PICK, None),  # below the default: wants 7
            ("R-09-1", "TEE", 4, BinRole.RESERVE, None),
            ("R-02-1", "TEE", 6, BinRole.RESERVE, None),
            ("R-03-1", "SOCK", 3, BinRole.RESERVE, None),
        ]:
            received_into_bin(session, LOC, code, sku, units)
            set_bin(session, LOC, code, sku, role, minimum)
        session.commit()
        found = refills(session, LOC, 4, WalkRule())
    assert [(r.take_from, r.units, r.sku, r.pick_bin) for r in found] == [
        ("R-02-1", 6, "TEE", "A-01-1"),  # the fullest reserve first, then the next for the rest
        ("R-03-1", 3, "SOCK", "A-01-3"),  # all there is
        ("R-09-1", 2, "TEE", "A-01-1"),
    ]
