"""Serve the simulator with uvicorn on a loopback port, in a background thread (the app's demo mode)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from oms_tui.sim.app import DEFAULT_TOKEN, InjectedDrop, create_app
from oms_tui.sim.store import SimStore

API_VERSION = "2026-04"


def _not_an_injected_drop(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], InjectedDrop))


def quiet_injected_drops() -> None:
    """Keep uvicorn from logging the simulator's deliberate dropped connections as tracebacks."""
    logger = logging.getLogger("uvicorn.error")
    if _not_an_injected_drop not in logger.filters:
        logger.addFilter(_not_an_injected_drop)


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host:port` (port 0: any free port), as uvicorn would open it.

    Raises OSError when the port is taken or the host is not an address of this machine.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class SimServer:
    """A running simulator: `url` (shop base URL), `graphql_url`, `token`; `stop()` or use as a context."""

    def __init__(
        self,
        store: SimStore,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        **app_options: Any,
    ) -> None:
        self.store, self.token, self.host = store, token, host
        self.port = port or free_port(host)
        self.app = create_app(store, token=token, **app_options)
        config = uvicorn.Config(self.app, host=host, port=self.port, log_level="warning", lifespan="on")
        quiet_injected_drops()
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="store-sim", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/admin/api/{API_VERSION}/graphql.json"

    def start(self, timeout: float = 10.0) -> SimServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"store simulator did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> SimServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def run_in_thread(store: SimStore, **options: Any) -> SimServer:
    """Start the simulator in a daemon thread: `with run_in_thread(store) as server: server.url`."""
    return SimServer(store, **options).start()
