"""The app's one handler for what goes wrong under it: a worker that raised (the app's own or a
screen's) and a cache that went away. The base of `OmsApp`.

A failed worker is logged and said in a blocking error over its screen, which goes on working. A
cache that does not answer (a database server stopped, a cut network, a dropped database) is said in
the header until the app's health read reaches it again; whatever failed meanwhile is refused in one
line.
"""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import platformdirs
from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual.app import App
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from oms_tui.cache.outage import is_outage, outage_reason
from oms_tui.config import APP_NAME
from oms_tui.runtime import one_line
from oms_tui.screens.messages import WorkFailed
from oms_tui.sync_health import SyncHealth
from oms_tui.widgets.blocking_error import BlockingError

log = logging.getLogger("oms_tui.app")
APP_WHERE = "oms-tui"  # where the app's own workers run (a screen's: its title)
LOG_BYTES, LOG_FILES = 1_000_000, 3


def log_to_file() -> Path | None:
    """Warnings and errors of a running app go to a file (the terminal is the app's); its path, or
    None when it cannot be written. Tracebacks there never show locals (`logging` prints none)."""
    path = Path(platformdirs.user_log_dir(APP_NAME)) / f"{APP_NAME}.log"
    ours = logging.getLogger("oms_tui")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_FILES, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    ours.addHandler(handler)
    return path


class FailureHandlingApp(App[None]):
    health: reactive[SyncHealth] = reactive(SyncHealth(""), init=False)
    refused_while_down: set[str]  # what was said to fail while the cache is away, said once
    log_file: ClassVar[Path | None] = None  # where `oms-tui` logs (`log_to_file`), for the error to say

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refused_while_down = set()

    @on(Worker.StateChanged)
    def own_worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker, APP_WHERE)

    @on(WorkFailed)
    def screen_worker_failed(self, message: WorkFailed) -> None:
        self.worker_failed(message.worker, message.where)

    def worker_failed(self, worker: Worker[Any], where: str) -> None:
        """Every worker's failure, the app's and its screens': logged, and said over the screen,
        which stays as it was (the app goes on)."""
        error = worker.error or RuntimeError("unknown error")
        what = worker.name.replace("_", " ")
        if is_outage(error):
            self.cache_lost(error, what if where == APP_WHERE else f"{what} on {where}")
            return
        log.error("%s: %s failed: %s", where, what, one_line(error), exc_info=error)
        if isinstance(self.screen, BlockingError):  # one at a time: a failing poll must not stack them
            return
        problem = f"{where}: {what} failed: {one_line(error)}"
        logged = f"Logged in {self.log_file}." if self.log_file else "Logged."
        hint = f"{logged} This screen still works: acknowledge, then try again; tell a manager if it repeats."
        self.push_screen(BlockingError("Something went wrong", problem, hint))

    def cache_lost(self, error: BaseException, what: str = "", *, asked: bool = False) -> None:
        """The cache did not answer: the header says so until a read reaches it again (`cache_back`).
        `what` failed (an action, a read) is said in one line: each time when a person `asked` for
        it, else once per outage (a poll's worker would repeat it)."""
        log.warning("cache unreachable%s: %s", f" ({what})" if what else "", one_line(error))
        self.health = replace(self.health, cache_down=outage_reason(error))
        if what and (asked or what not in self.refused_while_down):
            self.refused_while_down.add(what)
            self.notify(f"cache unreachable: {what} not done; try again once it is back", severity="error")

    def refuse(self, error: SQLAlchemyError, what: str) -> None:
        """A person's action on the UI thread met a cache error: refused in one line if the cache
        went away; any other database error is a bug, as in a worker."""
        if not is_outage(error):
            raise error
        self.cache_lost(error, what, asked=True)

    def cache_back(self) -> None:
        self.refused_while_down.clear()
        self.health = replace(self.health, cache_down="")
        self.notify("The cache is reachable again: actions work again")
