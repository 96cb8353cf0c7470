"""The cyclic garbage collector, set for a station that runs for hours.

What a process has made by the time its work starts (modules, table models, the store's schema, the
first screen) lives as long as the process: it is frozen, out of the collector's full passes, which
would walk all of it again and again (0.1 s pauses).

A sync pass holds pages of objects alive until they are written (a batch of 250 orders and their
lines). Each young pass promotes what is alive at that moment, so at Python's default threshold (700
new objects) the pages in hand keep climbing into the oldest generation, and full passes follow to
walk them. Measured on a 3,000-order sync: 879 young and 7 full passes, 0.47 s of collection, at
700; 40 young and no full pass, 0.24 s, at 10,000 (`bench/sync.py`'s ingest pass runs with this).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Freeze what was made so far, and turn the collector on with a larger young generation."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()
