"""One read at a time: asked for while one runs, it runs once more right after, unless that read failed."""

from __future__ import annotations

from oms_tui.screens.read_in_turn import ReadInTurn


def test_asks_while_a_read_runs_make_one_more_read_after_it() -> None:
    started = []
    reads = ReadInTurn(lambda: started.append(len(started)))
    reads.ask()
    for _ in range(5):  # changes landing while the first read runs
        reads.ask()
    assert started == [0]
    reads.done()
    assert started == [0, 1]
    reads.done()
    assert started == [0, 1]  # nothing was asked during the second


def test_after_a_failed_read_the_next_waits_to_be_asked_for() -> None:
    """A cache that just failed a read is not read again at once for the changes heard meanwhile
    (the screen tries again later, or at the next change)."""
    started = []
    reads = ReadInTurn(lambda: started.append(len(started)))
    reads.ask()
    reads.ask()
    reads.done(read_again=False)
    assert started == [0]
    reads.ask()
    assert started == [0, 1]
