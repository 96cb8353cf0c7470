"""The floor under load at a small size (`bench/floor_load.py` runs sixteen): four station processes
(a receiving station that syncs, the manager's board, a picker and a packer: the real app, worked by
scripted scanners) on one PostgreSQL cache, with a live store that fails now and then."""

from __future__ import annotations

import pytest

from bench.floor_load import run
from tests.conftest import postgres_url

pytestmark = pytest.mark.postgres


def test_four_stations_under_load_ship_and_never_double_work_lose_or_invent_anything() -> None:
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests need OMS_TEST_POSTGRES_URL")
    # 30 s of work: on a loaded machine one batch may take the picker most of 20 (3 orders, their
    # units at 0.3 s each plus the screen's answer), and the packer needs one finished to ship it
    figures = run(stations=4, seconds=30, alone=3, speed=10, orders=200, base=url)
    assert figures["scans"] > 0 and figures["board_updates"] > 0  # the floor worked, the board followed
    assert figures["store_events"].get("new_order", 0) > 0  # the store kept trading meanwhile
    assert figures["packs_shipped"] > 0  # the packer shipped what the picker picked
    assert (
        figures["double_claims"],
        figures["double_shipments"],
        figures["lost_shipments"],
        figures["overpicked_units"],
    ) == (0, 0, 0, 0)
