"""A queue as a table reads it, from worker threads: a count, windows, a row's position."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from oms_tui.floor.queues import queue_filters
from oms_tui.floor.queues.queue_filters import GATHER, Picked, QueueFilter
from oms_tui.floor.queues.queues import QueueRow, SortKey, count, position, window
from oms_tui.floor.queues.stages import Stage


class QueueSource:
    """One queue (a stage with filters) as a table reads it: a count, windows, a row's position.

    Called from worker threads; each call uses its own session. Windows next to one already read are
    read by keyset from its edge (the cost does not grow with depth); others by OFFSET from the nearer
    end. A new `count()` starts afresh: the rows may have moved since, and the orders a tag or a
    search picks (`picked_orders`) are gathered again; windows use the ones gathered last.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        stage: Stage,
        filters: QueueFilter,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions, self.stage, self.filters, self.clock = sessions, stage, filters, clock
        self._lock = threading.Lock()
        self._edges: dict[int, SortKey] = {}  # row index -> its sort key, for the rows at window edges
        self._total: int | None = None
        self._picked: Picked | None = GATHER

    def count(self) -> int:
        with self.sessions() as session:
            with self._lock:  # the first count follows the first windows: what they gathered holds
                picked = self._picked if self._total is None else GATHER
            picked = queue_filters.gathered(session, self.stage, self.filters, picked)
            total = count(session, self.stage, self.filters, self.clock(), picked=picked)
        with self._lock:
            self._edges.clear()
            self._total, self._picked = total, picked
        return total

    def _picked_in(self, session: Session) -> Picked | None:
        with self._lock:
            picked = self._picked
        if picked is GATHER:  # a window before the first count
            picked = queue_filters.picked_orders(session, self.stage, self.filters)
            with self._lock:
                self._picked = picked
        return picked

    def window(self, offset: int, limit: int) -> list[QueueRow]:
        with self._lock:
            after, before, total = self._edges.get(offset - 1), self._edges.get(offset + limit), self._total
        if total is not None:
            limit = max(0, min(limit, total - offset))

        def read(**where: Any) -> list[QueueRow]:
            now, picked = self.clock(), self._picked_in(session)
            return window(session, self.stage, self.filters, now, limit=limit, picked=picked, **where)

        with self.sessions() as session:
            if offset == 0 or limit == 0:
                rows = read(offset=offset)
            elif after is not None:
                rows = read(after=after)
            elif before is not None:
                rows = read(before=before)
            elif total is not None and total - offset - limit < offset:
                rows = read(offset=total - offset - limit, from_end=True)
            else:
                rows = read(offset=offset)
        if rows:
            with self._lock:
                self._edges[offset] = rows[0].sort_key
                self._edges[offset + len(rows) - 1] = rows[-1].sort_key
        return rows

    def position(self, key: str) -> int | None:
        with self.sessions() as session:
            return position(
                session, self.stage, self.filters, self.clock(), key, picked=self._picked_in(session)
            )
