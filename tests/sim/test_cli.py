"""`oms-tui store-sim`: bad options are one line before the banner; the banner tells the real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from oms_tui.cli import main
from oms_tui.sim.app import DEFAULT_TOKEN


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["store-sim", *args])
    return result.exit_code, result.output


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_one_line(port: str) -> None:
    assert run("--port", port) == (
        1,
        f"Error: --port {port} is not a port: use 1-65535, or 0 for any free one\n",
    )


def test_a_port_in_use_is_one_line_before_the_banner(taken_port: int) -> None:
    assert run("--port", str(taken_port)) == (
        1,
        f"Error: cannot listen on 127.0.0.1:{taken_port}: Address already in use\n",
    )


def test_a_host_that_is_not_this_machine_is_one_line_before_the_banner() -> None:
    assert run("--host", "192.0.2.1") == (  # TEST-NET-1: never an address of this machine
        1,
        "Error: cannot listen on 192.0.2.1:8787: Cannot assign requested address\n",
    )


def test_port_0_prints_the_port_it_got_and_dropped_connections_are_not_tracebacks() -> None:
    # Seed 7 of the mild profile drops the 7th request's connection on purpose.
    command = [
        sys.executable,
        "-m",
        "oms_tui.cli",
        "store-sim",
        "--port",
        "0",
        "--orders",
        "5",
        "--faults",
        "mild",
    ]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert banner.startswith("Store simulator: http://127.0.0.1:") and ":0 " not in banner
        url = banner.split()[2]
        graphql = server.stdout.readline().split()[1]
        assert graphql == f"{url}/admin/api/2026-04/graphql.json"
        dropped = 0
        for _ in range(8):
            try:
                httpx.post(
                    graphql,
                    json={"query": "{ locations(first: 1) { nodes { id } } }"},
                    headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
                    timeout=10,
                )
            except httpx.RemoteProtocolError:
                dropped += 1
        assert dropped == 1  # the fault fired: the server really dropped a connection
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert "Traceback" not in errors and "Exception in ASGI application" not in errors
