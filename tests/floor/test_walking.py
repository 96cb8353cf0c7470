"""Walking order: bins in the order a picker meets them, as the settings describe the walk."""

from __future__ import annotations

from oms_tui.floor.picking.walking import WalkRule, walk_sorted


def walk(bins: list[str | None], rule: WalkRule | None = None) -> list[str | None]:
    return walk_sorted(bins, lambda code: code, rule or WalkRule())


def test_numbers_in_bin_codes_sort_as_numbers_and_bins_missing_come_last() -> None:
    assert walk(["A-12-1", None, "B-1-1", "A-3-2", "a-3-1", "A-03-3", "A-10-1"]) == [
        "a-3-1",
        "A-3-2",
        "A-03-3",
        "A-10-1",
        "A-12-1",
        "B-1-1",
        None,
    ]


def test_zones_named_in_the_settings_are_walked_first_in_their_order() -> None:
    rule = WalkRule.of("natural", ["c", "A"])
    assert walk(["A-1-1", "B-1-1", "C-2-1", "D-1-1", "C-1-1"], rule) == [
        "C-1-1",
        "C-2-1",
        "A-1-1",
        "B-1-1",
        "D-1-1",
    ]


def test_serpentine_walks_every_second_aisle_visited_from_its_high_end() -> None:
    rule = WalkRule.of("serpentine")
    bins = ["A-1-1", "A-9-1", "C-2-1", "C-10-1", "B-2-2", "B-2-1", "B-10-1"]
    # A up, B down (bay 10 first, shelves of bay 2 still bottom up), C up again: B is the 2nd aisle visited.
    assert walk(bins, rule) == ["A-1-1", "A-9-1", "B-10-1", "B-2-1", "B-2-2", "C-2-1", "C-10-1"]
