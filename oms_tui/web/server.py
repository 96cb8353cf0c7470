"""`oms-tui serve`: the app in browsers, one app process per browser tab, through textual-serve.

Every tab gets its own `oms-tui web-session` process (a Textual app with the web driver) talking to
the server over its stdin and stdout. The sessions end with the server: it asks them to quit when it
stops, and each session's guard (`session_guard`) ends it when the server is gone all the same.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import signal
import sys
from typing import Any

from aiohttp import web
from rich.logging import RichHandler
from textual_serve.server import Server

from oms_tui.web.access import Access, check_origin, forwarded_https

SHUTDOWN_S = 1.0  # how long a stopping server waits for open tabs before it closes them

# Textual-serve shows "Session ended" and a Restart button when the connection drops; a wall screen
# has nobody to press it, so the page waits for the server to answer again and starts a new session.
RECONNECT = """<script>
new MutationObserver(async () => {
  if (!document.body.classList.contains("-closed") || window.omsReconnecting) return;
  window.omsReconnecting = true;
  for (;;) {
    await new Promise((done) => setTimeout(done, 2000));
    try { if ((await fetch(getStartUrl(), {cache: "no-store"})).ok) break; } catch (e) {}
  }
  window.location.href = getStartUrl();
}).observe(document.body, {attributes: true, attributeFilter: ["class"]});
</script>
</body>"""


def session_command(*, board: bool) -> str:
    """The shell command the server runs per tab: `exec`, so the session is the server's own child
    (the guard watches its parent) rather than a shell's."""
    words = [sys.executable, "-m", "oms_tui", "web-session", "--parent", str(os.getpid())]
    if board:
        words.append("--board")
    return "exec " + shlex.join(words)


class FloorServer(Server):
    """Textual-serve's server, checking `access` on the page, the websocket handshake (before any
    session starts) and downloads; its static files are the library's own scripts and styles."""

    def __init__(self, *, host: str, port: int, board: bool, access: Access, announcement: str) -> None:
        title = "oms-tui board" if board else "oms-tui"
        super().__init__(session_command(board=board), host=host, port=port, title=title)
        self.access, self.announcement = access, announcement

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        self.access.check(request, self.port)
        # The page's websocket and static URLs, as the browser reached this server: with --host 0.0.0.0
        # the configured address would send a wall TV's browser to 0.0.0.0, i.e. to itself; behind a
        # TLS proxy, an https page may only open a wss:// websocket.
        scheme = "https" if forwarded_https(request) else request.scheme
        self.public_url = f"{scheme}://{request.host}"
        page = await super().handle_index(request)
        assert isinstance(page, web.Response) and page.text is not None
        page.text = page.text.replace("</body>", RECONNECT, 1)
        self.access.remember(request, page, self.port)
        return page

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        check_origin(request)
        self.access.check(request, self.port)
        return await super().handle_websocket(request)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        self.access.check(request, self.port)
        return await super().handle_download(request)

    def initialize_logging(self) -> None:
        """As textual-serve's, but a traceback never shows local variables (a password may be one)."""
        handler = RichHandler(show_path=False, show_time=False, console=self.console)
        logging.basicConfig(level="DEBUG" if self.debug else "INFO", format="%(message)s", handlers=[handler])

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to say before the port is bound (see `serve`)."""

    def serve(self, debug: bool = False) -> None:
        """As textual-serve's, but a stop does not wait a minute for the open tabs to go away."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            shutdown_timeout=SHUTDOWN_S,
            print=lambda *_: self.console.print(
                self.announcement, soft_wrap=True, markup=False, highlight=False
            ),
        )


def serve(
    *,
    host: str,
    port: int,
    board: bool,
    access: Access,
    announcement: str,
    environment: dict[str, Any] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, printing `announcement` once listening; `environment` is added to
    every session's."""
    os.environ.update(environment or {})  # textual-serve hands the sessions a copy of this environment
    FloorServer(host=host, port=port, board=board, access=access, announcement=announcement).serve()
