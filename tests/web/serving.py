"""`oms-tui serve` in a process of its own, on a store simulator on loopback, for the web tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
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


class Served(NamedTuple):
    process: subprocess.Popen[bytes]
    url: str  # on loopback, whatever interface it listens on
    output: list[str]  # what it printed (its address first), growing while it runs


def station_environment(shop: SimServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a wall station on `shop`, with its cache in `tmp_path` made (as `oms-tui db
    upgrade` makes it) and no settings file of its own."""
    config = tmp_path / "config.toml"
    config.touch()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OMS_CONFIG_FILE": str(config),
        "OMS_SHOP_URL": shop.url,
        "OMS_SHOPIFY_TOKEN": shop.token,
        "OMS_DATABASE_URL": f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        "OMS_STATION": "wall",
        "OMS_POLL_INTERVAL": "1",
        **extra,
    }
    open_cache(env["OMS_DATABASE_URL"]).close()
    return env


@contextmanager
def serving(
    shop: SimServer,
    tmp_path: Path,
    *options: str,
    port: int | None = None,
    host: str = "127.0.0.1",
    environment: dict[str, str] | None = None,
) -> Iterator[Served]:
    """`oms-tui serve` on `host` (a free port unless given) with a cache in `tmp_path`; yields the
    server process, a loopback URL for it and what it printed."""
    port = port or free_port("127.0.0.1")
    env = station_environment(shop, tmp_path, **(environment or {}))
    command = [sys.executable, "-m", "oms_tui", "serve", "--host", host, "--port", str(port), *options]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    output: list[str] = []
    threading.Thread(target=_read_lines, args=(server, output), daemon=True).start()
    try:
        wait_for(f"{url} to answer", lambda: _answers(url, server) and output)
        yield Served(server, url, output)
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
        return httpx.get(url, timeout=1).status_code < 500  # a refusal is an answer too
    except httpx.TransportError:
        return False


def _read_lines(server: subprocess.Popen[bytes], output: list[str]) -> None:
    """Keeps what the server prints, and keeps its pipe from filling up."""
    assert server.stdout is not None
    for line in server.stdout:
        output.append(line.decode(errors="replace"))


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


async def until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {WAIT_S:g} s")
        await asyncio.sleep(0.1)


class Tab(NamedTuple):
    ws: aiohttp.ClientWebSocketResponse
    seen: bytearray  # everything the app has sent so far


@asynccontextmanager
async def tab(url: str, **handshake: Any) -> AsyncIterator[Tab]:
    """What a browser tab does: open the session's websocket (`handshake`: headers, auth, ... for
    aiohttp's `ws_connect`) and wait for the app's first screen."""
    websocket = f"{url}/ws?width=120&height=36"
    seen = bytearray()
    async with aiohttp.ClientSession() as http, http.ws_connect(websocket, **handshake) as ws:
        while True:
            message = await asyncio.wait_for(ws.receive(), WAIT_S)
            assert message.type == aiohttp.WSMsgType.BINARY, f"the session ended: {message}"
            seen += message.data
            if b"Floor board" in message.data or len(message.data) > 1000:  # a screen, not a preamble
                break
        reading = asyncio.create_task(_read(ws, seen))  # as a browser does, so the session never blocks
        try:
            yield Tab(ws, seen)
        finally:
            reading.cancel()


async def _read(ws: aiohttp.ClientWebSocketResponse, seen: bytearray) -> None:
    async for message in ws:
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
