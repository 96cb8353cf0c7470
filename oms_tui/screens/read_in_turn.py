"""A screen's read of what it shows, one at a time: asked for again while one is under way, it runs
once more right after it. On a busy floor changes land faster than a screen reads; reads started
beside each other (or queued behind a lock, one per change) would each show later. One at a time,
the last change is on screen within two reads."""

from __future__ import annotations

from collections.abc import Callable


class ReadInTurn:
    def __init__(self, start: Callable[[], object]) -> None:
        """`start`: begins a read (a worker); its end is told with `done`. Both on the UI thread."""
        self.start = start
        self.running = False  # a read is under way
        self.again = False  # asked for while it was: read once more after

    def ask(self) -> None:
        if self.running:
            self.again = True
            return
        self.running, self.again = True, False
        self.start()

    def done(self, *, read_again: bool = True) -> None:
        """The read ended; `read_again`: the one asked for meanwhile follows now (else at the next ask)."""
        self.running = False
        if read_again and self.again:
            self.ask()
