"""`oms-tui store-sim`: bad options are one line before the banner; the banner tells the real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from oms_tui.sim.app import DEFAULT_TOKEN


def store_sim(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "oms_tui.cli", "store-sim", "--orders", "5", *args]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    environment.pop("OMS_SIM_TOKEN", None)  # only the token a test gives
    environment.update(env or {})
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_bad_ports_and_hosts_are_one_line_before_the_banner(taken_port: int) -> None:
    refusals = {
        ("--port", "70000"): "--port 70000 is not a port: use 1-65535, or 0 for any free one",
        ("--port", "-1"): "--port -1 is not a port: use 1-65535, or 0 for any free one",
        ("--port", str(taken_port)): f"cannot listen on 127.0.0.1:{taken_port}: Address already in use",
        # TEST-NET-1 is never an address of this machine.
        ("--host", "192.0.2.1"): "cannot listen on 192.0.2.1:8787: Cannot assign requested address",
    }
    started = {options: store_sim(*options) for options in refusals}  # side by side: one start-up wait
    for options, process in started.items():
        try:
            out, errors = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"store-sim {' '.join(options)} started serving instead of refusing")
        assert (process.returncode, out, errors) == (1, "", f"Error: {refusals[options]}\n")


def test_port_0_prints_the_port_it_got_and_dropped_connections_are_not_tracebacks() -> None:
    # Seed 7 of the mild profile drops the 7th request's connection on purpose.
    server = store_sim("--port", "0", "--faults", "mild")
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


def test_absurd_rates_and_buckets_are_refused_before_the_banner() -> None:
    refusals = {
        ("--live-rate", "-3"): "Invalid value for '--live-rate': -3.0 is not in the range 0<=x<=100.0.",
        (
            "--live-rate",
            "1e9",
        ): "Invalid value for '--live-rate': 1000000000.0 is not in the range 0<=x<=100.0.",
        ("--bucket", "0"): "Invalid value for '--bucket': 0.0 is not in the range x>=1.",
        ("--restore-rate", "0"): "Invalid value for '--restore-rate': 0.0 is not in the range x>0.",
    }
    started = {options: store_sim("--port", "0", *options) for options in refusals}
    for options, process in started.items():
        try:
            out, errors = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"store-sim {' '.join(options)} started serving instead of refusing")
        assert (process.returncode, out) == (2, "")
        assert errors.endswith(f"\nError: {refusals[options]}\n") and "Traceback" not in errors


def banner_of(server: subprocess.Popen[str]) -> tuple[str, str, str]:
    assert server.stdout is not None
    return server.stdout.readline(), server.stdout.readline().split()[1], server.stdout.readline()


def test_the_token_comes_from_the_environment_and_the_banner_says_where_not_what() -> None:
    token = "shpat_sim_canary_91d2"
    server = store_sim("--port", "0", "--live-rate", "0", env={"OMS_SIM_TOKEN": token})
    try:
        first, graphql, token_line = banner_of(server)
        assert first.rstrip().endswith("(5 orders, seed 7, faults none, not live)")
        assert token_line == "Token:   as set in OMS_SIM_TOKEN\n"
        query = {"query": "{ shop { name } }"}
        assert httpx.post(graphql, json=query, headers={"X-Shopify-Access-Token": token}).status_code == 200
        refused = httpx.post(graphql, json=query, headers={"X-Shopify-Access-Token": DEFAULT_TOKEN})
        assert refused.status_code == 401
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert token not in first + token_line + out


def test_a_rate_alone_makes_the_shop_live_and_a_token_on_the_command_line_is_warned_about() -> None:
    server = store_sim("--port", "0", "--live-rate", "2.5", "--token", "shpat_given")
    try:
        first, _, token_line = banner_of(server)
        assert first.rstrip().endswith("(5 orders, seed 7, faults none, live 2.5/s)")
        assert (
            token_line
            == "Token:   as given with --token (visible to every user in `ps`: prefer OMS_SIM_TOKEN)\n"
        )
    finally:
        server.terminate()
        server.communicate(timeout=20)
    server = store_sim("--port", "0")
    try:
        first, _, token_line = banner_of(server)
        assert first.rstrip().endswith("(5 orders, seed 7, faults none, not live)")
        assert token_line == (
            "Token:   the demo token (`oms-tui store-sim --help` shows it; set OMS_SIM_TOKEN to choose one)\n"
        )
        assert DEFAULT_TOKEN not in first + token_line
    finally:
        server.terminate()
        server.communicate(timeout=20)
