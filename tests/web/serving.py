"""`oms-tui serve` in a process of its own, on a store simulator on loopback, for the web tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from oms_tui.cache.database import open_cache
from oms_tui.sim.server import SimServer, free_port

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 30.0  # a loaded CI machine starts an app session in a few seconds; this is the give-up point


def wait_for(what: str, check: Callable[[], object], timeout: float = WAIT_S) -> object:
    """`check()`'s first true answer, polling; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer := check():
            return answer
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what} after {timeout:g} s")


@contextmanager
def serving(
    shop: SimServer, tmp_path: Path, *options: str, port: int | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`oms-tui serve` on loopback (a free port unless given) with a cache in `tmp_path`; yields the
    server process and its URL."""
    config = tmp_path / "config.toml"
    config.touch()
    port = port or free_port("127.0.0.1")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OMS_CONFIG_FILE": str(config),
        "OMS_SHOP_URL": shop.url,
        "OMS_SHOPIFY_TOKEN": shop.token,
        "OMS_DATABASE_URL": f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        "OMS_STATION": "wall",
        "OMS_POLL_INTERVAL": "1",
    }
    open_cache(env["OMS_DATABASE_URL"]).close()  # as `oms-tui db upgrade` makes it
    command = [sys.executable, "-m", "oms_tui", "serve", "--port", str(port), *options]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url} to answer", lambda: _answers(url, server))
        yield server, url
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGKILL)
        server.wait()
        for pid in sessions_of(server.pid):  # a failed test must not leave sessions behind
            os.kill(pid, signal.SIGKILL)


def _answers(url: str, server: subprocess.Popen[bytes]) -> bool:
    if server.poll() is not None:
        stderr = server.stderr.read().decode() if server.stderr else ""
        raise AssertionError(f"oms-tui serve exited with {server.returncode}: {stderr}")
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def children(pid: int) -> list[int]:
    """The running processes whose parent is `pid`, from /proc."""
    return [child for child, stat in _processes() if int(stat[1]) == pid and stat[0] != "Z"]


def sessions_of(server: int) -> list[int]:
    """The running app sessions that `server` started, wherever they were moved after it died."""
    mark = f"--parent\0{server}\0".encode()
    found = []
    for pid, stat in _processes():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        if mark in command and stat[0] != "Z":
            found.append(pid)
    return found


def _processes() -> Iterator[tuple[int, list[str]]]:
    """Every process's id and the fields of its /proc stat after the command (state, parent, ...)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            yield int(entry.name), stat.rsplit(")", 1)[1].split()
