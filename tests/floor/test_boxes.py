"""Box presets at the pack bench: a shelf barcode chooses one, and the box last used for the same items
is offered first (at any station on the cache), the others in the settings' order."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oms_tui.cache.database import open_cache
from oms_tui.config import Settings
from oms_tui.floor.packing.boxes import BoxPreset, by_code, offered, presets, remember
from oms_tui.floor.packing.pack_state import Pack, PackLine

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
BOXES = presets({"S": [23, 15, 8], "M": [30, 25, 15], "Poly mailer": [35, 25, 1]})


def pack_of(*units: tuple[str, int], order: str = "#1001") -> Pack:
    lines = tuple(
        PackLine("fo", f"line-{sku}", sku, None, sku, needed=count, verified=count) for sku, count in units
    )
    return Pack(order, order, "", (1,), lines, "open")


def names(boxes: list[BoxPreset]) -> list[str]:
    return [box.name for box in boxes]


def test_the_box_last_used_for_the_same_items_is_offered_first(tmp_path: Path) -> None:
    cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}", create=True)
    with cache.sessions() as session:
        assert names(offered(session, pack_of(("TEE-M", 1), ("CAP", 1)), BOXES)) == ["S", "M", "Poly mailer"]
        remember(session, pack_of(("TEE-M", 1), ("CAP", 1)), BOXES[2], NOW)
        session.commit()
    with cache.sessions() as session:  # another order, the same items in another order of lines
        same = pack_of(("cap", 1), ("tee-m", 1), order="#1002")
        assert names(offered(session, same, BOXES)) == ["Poly mailer", "S", "M"]
        more = pack_of(("CAP", 1), ("TEE-M", 2), order="#1003")  # two tees: not the same parcel
        assert names(offered(session, more, BOXES)) == ["S", "M", "Poly mailer"]
        remember(session, same, BOXES[1], NOW)  # the mailer was too small after all
        session.commit()
    with cache.sessions() as session:
        assert names(offered(session, pack_of(("TEE-M", 1), ("CAP", 1)), BOXES)) == ["M", "S", "Poly mailer"]


def test_a_shelf_barcode_names_its_box() -> None:
    assert by_code(BOXES, "box-m") == BOXES[1]  # BOX- and the name, any case
    assert by_code(BOXES, "BOX-POLY-MAILER") == BOXES[2]  # words joined by dashes
    assert by_code(BOXES, "BOX-MAILER") is None and by_code(BOXES, "TEE-M") is None


def test_the_default_boxes_have_shelf_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    assert [box.code for box in presets(Settings().boxes)] == ["BOX-SMALL", "BOX-MEDIUM", "BOX-LARGE"]
    assert str(presets(Settings().boxes)[1]) == "medium (30 x 22 x 15 cm)"
