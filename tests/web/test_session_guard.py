"""Each of a served session's guards on its own: the parent watch (the server died but something still
holds the session's stdin open), the end of stdin (the server closed it, and is still alive), and the
hard exit after the grace period (the app never finishes its orderly exit).

`test_serve_processes.py` stops a whole server, which sets off several guards at once; here each test
leaves exactly one of them a way to end the session. Each process is killed, with its group, if a
test fails or gives up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.process_group import ended, process_group
from tests.web.serving import REPO, WAIT_S, station_environment, wait_for

pytestmark = pytest.mark.slow


# A session's guard alone, with no app: `exit_app` ends the process at once, or (HUNG) never does.
GUARDED = """
import os, sys, threading
from oms_tui.web.session_guard import SessionGuard

asked = threading.Event()
parent = int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid()
SessionGuard(parent, asked.set if "{hung}" != "True" else (lambda: None)).start()
print("guarded", flush=True)
asked.wait()
print("asked to exit", flush=True)
"""


def guarded(hung: bool = False) -> str:
    return textwrap.dedent(GUARDED.replace("{hung}", str(hung)))


def test_a_session_whose_server_died_ends_though_its_stdin_stays_open() -> None:
    # The "server" starts the session and dies; the session's stdin is this test's, still open.
    server = f"""
import subprocess, sys, threading
session = subprocess.Popen([sys.executable, "-c", {guarded()!r}], stdout=subprocess.PIPE, text=True)
print(session.pid, session.stdout.readline().strip(), flush=True)
threading.Event().wait()
"""
    with process_group(
        [sys.executable, "-c", server], cwd=REPO, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        pid, said = process.stdout.readline().split(" ", 1)
        assert said.strip() == "guarded"
        process.send_signal(signal.SIGKILL)  # the server dies: the session is handed to init
        process.wait()
        wait_for("the orphaned session to end", lambda: ended(int(pid)))


def test_a_session_whose_app_never_exits_ends_after_the_grace_period() -> None:
    not_my_parent = "0"  # the guard finds its server gone at once; the app ignores the request to exit
    command = [sys.executable, "-c", guarded(hung=True), not_my_parent]
    with process_group(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as process:
        try:
            code = process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the hung session was still running after {WAIT_S:g} s") from None
        assert process.stdout is not None
        assert (code, process.stdout.read()) == (0, "guarded\n")


@pytest.fixture
def shop() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=30, seed=5), plan="plus") as server:
        yield server


def until_first_frame(stream: IO[bytes]) -> None:
    """Read the web driver's packets (a type byte, a 4-byte length, the data) until a drawn frame."""
    while True:
        kind, size = stream.read(1), int.from_bytes(stream.read(4), "big")
        data = stream.read(size)
        assert kind, "the session ended before it drew anything"
        if kind == b"D" and len(data) > 1000:
            return


def test_a_session_whose_stdin_ends_ends_while_its_server_lives(shop: SimServer, tmp_path: Path) -> None:
    env = station_environment(shop, tmp_path)
    # This test process is the session's server, and stays alive throughout.
    command = [sys.executable, "-m", "oms_tui", "web-session", "--parent", str(os.getpid()), "--board"]
    with process_group(command, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as session:
        assert session.stdin is not None and session.stdout is not None
        assert session.stdout.readline() == b"__GANGLION__\n"  # the app has started on the web driver
        until_first_frame(session.stdout)  # a tab closed once the board showed, not mid-start
        threading.Thread(target=session.stdout.read, daemon=True).start()  # as the server reads it
        session.stdin.close()
        try:
            code = session.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the session was still running {WAIT_S:g} s after its stdin ended"
            ) from None
        assert code == 0


def test_a_board_tab_closed_while_it_starts_ends_cleanly(shop: SimServer, tmp_path: Path) -> None:
    """A browser tab closed at once: the board was still mounting when its session was told to end."""
    env = station_environment(shop, tmp_path)
    command = [sys.executable, "-m", "oms_tui", "web-session", "--parent", str(os.getpid()), "--board"]
    ended = subprocess.run(command, cwd=REPO, env=env, input=b"", capture_output=True, timeout=WAIT_S)
    assert ended.returncode == 0, ended.stderr.decode()[-2000:]
    assert b"Traceback" not in ended.stderr and b"NoMatches" not in ended.stderr
