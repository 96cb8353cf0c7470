"""Messages between the app shell and its screens."""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.worker import Worker

from oms_tui.cache.models import Staff
from oms_tui.runtime import LiveUpdate


class LiveUpdated(Message, bubble=False):
    """The live loop reported (a pass or a page of one); the app hands it to every screen it made."""

    def __init__(self, update: LiveUpdate) -> None:
        super().__init__()
        self.update = update


class OpenOrder(Message):
    """Show an order: its name as people say it (`#1004`, `1004`) or its id."""

    def __init__(self, order: str) -> None:
        super().__init__()
        self.order = order


class Scanned(Message):
    """A barcode scanner's burst (the characters before its Enter), told apart from typing by the app.

    The app posts it to the active screen; a screen that works by scan (pick, pack) handles it and
    stops it, otherwise the app routes the code (an order opens, a parcel opens its order, a SKU or
    barcode finds its orders, anything else: "unknown code"). An active staff badge never gets here:
    the app signs its person in first, from any screen but a `BlockingError` (which rings instead).
    """

    SHOWN = 40  # characters of a code repeated on screen: a scanner gone wild sends thousands

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    @property
    def shown(self) -> str:
        """The code quoted for a message, cut short when long: `'1Z999…'`."""
        code = self.code if len(self.code) <= self.SHOWN else f"{self.code[: self.SHOWN]}…"
        return repr(code)


class StaffChanged(Message, bubble=False):
    """Someone signed in or out at this station (`staff` None: nobody is signed in now); the app has
    already replaced `app.desk` and tells every screen it has."""

    def __init__(self, staff: Staff | None, previous: Staff | None) -> None:
        super().__init__()
        self.staff, self.previous = staff, previous


class WorkFailed(Message, bubble=False):
    """A screen's worker raised: the screen hands it to the app, whose one handler shows and logs it
    (Textual tells only the worker's own node, and the app's own workers reach it directly)."""

    def __init__(self, worker: Worker[Any], where: str) -> None:
        super().__init__()
        self.worker, self.where = worker, where
