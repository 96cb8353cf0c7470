"""Serve the simulator with uvicorn on a loopback port, in a background thread (the app's demo mode)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore

API_VERSION = "2026-04"


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
