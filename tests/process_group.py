"""Child processes that never outlive their test: each starts in a process group of its own, and the
whole group (with whatever it started) is killed when the test ends, passed, failed or timed out."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any


@contextmanager
def process_group(command: list[str], **options: Any) -> Iterator[subprocess.Popen[Any]]:
    """`subprocess.Popen(command, **options)` in a new process group, killed with it on the way out."""
    process = subprocess.Popen(command, start_new_session=True, **options)
    try:
        yield process
    finally:
        kill_group(process)


def ended(pid: int) -> bool:
    """Whether process `pid` (not necessarily a child of this one) has ended; a zombie has."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def kill_group(process: subprocess.Popen[Any]) -> None:
    """Kill the process's group (the process and everything it started that stayed in it), then reap."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with suppress(OSError):
                stream.close()


class ProcessGroups:
    """The child processes of one test, each in a group of its own; `kill_all` ends every group."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[Any]] = []

    def start(self, command: list[str], **options: Any) -> subprocess.Popen[Any]:
        process = subprocess.Popen(command, start_new_session=True, **options)
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self.started:
            kill_group(process)
