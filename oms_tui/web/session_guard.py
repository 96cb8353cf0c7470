"""An app session started by `oms-tui serve` ends when its server goes away.

Without this, a session whose server was killed kept running: the web driver only stops reading
stdin at end of file, nothing tells the app, so the live loop (syncing every few seconds) goes on for
ever. SIGTERM did not help either: the app's shutdown writes its goodbye to the dead server's pipe,
fails there before its unmount (which stops the live loop's thread), and `asyncio.run` then waits for
that thread for ever. So the guard asks the app to exit, and ends the process outright if it has not
within a grace period.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from textual.drivers.web_driver import WebDriver

CHECK_EVERY_S = 0.25
GRACE_S = 2.0  # time for an orderly exit (the live loop stops, the cache closes) before the hard one


class SessionGuard:
    """Watches the server process (`parent`): when it is gone or closed the session's stdin, the
    session ends, politely through `exit_app` first, then with `os._exit`."""

    def __init__(self, parent: int, exit_app: Callable[[], None]) -> None:
        self.parent, self.exit_app = parent, exit_app
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="session-guard", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _watch(self) -> None:
        while not self.lost.wait(CHECK_EVERY_S):
            if os.getppid() != self.parent:  # the server died: this process was handed to init
                self.lost.set()
        hard_exit = threading.Timer(GRACE_S, os._exit, args=(0,))
        hard_exit.daemon = True  # an orderly exit within the grace period is not held up
        hard_exit.start()
        self.exit_app()


class GuardedWebDriver(WebDriver):
    """Textual's web driver, telling the guard when the server closed stdin without asking to quit."""

    guard: SessionGuard | None = None  # set before the app starts (Textual makes the driver itself)

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set() and self.guard is not None:
            self.guard.lost.set()
