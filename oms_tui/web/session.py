"""One browser tab's app: the app (or the board alone) on the web driver, guarded by its server."""

from __future__ import annotations

from oms_tui.app import OmsApp, run_app
from oms_tui.config import Settings
from oms_tui.web.session_guard import GuardedWebDriver, SessionGuard


def run_web_session(settings: Settings, *, parent: int, board: bool) -> None:
    """Run until the tab closes, the server asks to quit, or the server (process `parent`) is gone."""

    def guard(app: OmsApp) -> None:
        session_guard = SessionGuard(parent, lambda: app.call_from_thread(app.exit))
        GuardedWebDriver.guard = session_guard
        session_guard.start()

    run_app(settings, board=board, driver_class=GuardedWebDriver, started=guard)
