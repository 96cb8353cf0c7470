"""Steps that arrive faster than the database answers (a scanner's bursts, keys pressed back to back),
kept in the order they came and run one after another off the UI thread.

The pick, pack and returns screens each own one: `add` from the UI thread, and one worker thread at a
time takes the steps in order and hands each to the screen's `run_one`, which does the step in its own
transaction and reports back to the UI thread. A step added while the worker runs joins its queue; the
worker stops only once, under the lock, it finds the queue empty, so no step is left waiting.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.dom import DOMNode

Step = TypeVar("Step")


class StepQueue(Generic[Step]):
    def __init__(self, owner: DOMNode, run_one: Callable[[Step], Any], group: str) -> None:
        """`run_one`: does one step, in the worker's thread. `group`: the worker's group (for tests)."""
        self.owner, self.run_one, self.group = owner, run_one, group
        self.steps: deque[Step] = deque()
        self.lock = threading.Lock()
        self.running = False  # a worker is taking steps

    def add(self, step: Step) -> None:
        with self.lock:
            self.steps.append(step)
            if self.running:
                return
            self.running = True
        self.owner.run_worker(self._run, thread=True, group=self.group, exit_on_error=False)

    def _run(self) -> None:
        while True:
            with self.lock:
                if not self.steps:
                    self.running = False
                    return
                step = self.steps.popleft()
            try:
                self.run_one(step)
            except BaseException:  # the worker fails loudly; the next step starts a new one
                with self.lock:
                    self.running = False
                raise
