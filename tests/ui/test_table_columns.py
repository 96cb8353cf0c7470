"""How the line tables share out a row: by content and priority, never a column cut to nothing."""

from __future__ import annotations

from oms_tui.widgets.table_columns import Column, fit

QUEUE_LIKE = [
    Column("Order"),
    Column("Customer", min_width=12, max_width=28),
    Column("Tags", min_width=6, priority=2),
    Column("Location", min_width=10, priority=3),
]


def test_every_column_as_wide_as_its_content_when_there_is_room() -> None:
    assert fit(QUEUE_LIKE, [5, 15, 10, 14], 200) == [5, 15, 10, 14]


def test_a_long_cell_stops_at_the_column_s_max_width() -> None:
    """At 200 columns the customer no longer takes what the others leave (110 of them)."""
    assert fit(QUEUE_LIKE, [5, 60, 4, 14], 200)[1] == 28


def test_the_least_useful_column_is_hidden_first() -> None:
    # order 5 + customer 15 + tags 10 + three gaps = 36: no room for the location's 10 more
    assert fit(QUEUE_LIKE, [5, 15, 10, 14], 40) == [5, 15, 10, 0]
    assert fit(QUEUE_LIKE, [5, 15, 10, 14], 26) == [5, 15, 0, 0]


def test_a_less_useful_column_never_squeezes_a_more_useful_one() -> None:
    """Room for the tags only at their narrowest would cut the name: the tags are hidden instead."""
    assert fit(QUEUE_LIKE, [5, 15, 10, 14], 28) == [5, 15, 0, 0]  # not [5, 13, 6, 0]


def test_the_most_useful_columns_shrink_to_their_narrowest_rather_than_hide() -> None:
    assert fit(QUEUE_LIKE, [5, 20, 10, 14], 19) == [5, 12, 0, 0]


def test_the_room_left_goes_to_the_flexible_columns() -> None:
    columns = [Column("Kind"), Column("Problem", flex=True), Column("Fix", flex=True)]
    assert fit(columns, [10, 20, 20], 81) == [10, 33, 34]


def test_a_fixed_width_is_kept_and_a_first_column_too_wide_is_cut() -> None:
    assert fit([Column("Order", width=8), Column("Name")], [20, 4], 30) == [8, 4]
    assert fit([Column("Note")], [50], 20) == [20]
