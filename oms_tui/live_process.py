"""A station's live loop (sync and outbox) in a process of its own, beside its screens.

In one process the sync's work (pages parsed, validated and written) holds the interpreter lock that
the screens need to answer a scan; in its own process it runs on another core. The two share the
cache, as two stations do, and a pipe each way:
- to the loop: `sync` and `reconcile` (the palette's commands); its end closing says stop;
- to the app: each `LiveUpdate` the loop reports, and the loop's log records (the app keeps the log).
The loop's process stops when the app's end of that pipe closes: when the app quits, and when it is
killed (the system closes it), so no sync outlives its app. A loop's process that dies is started
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oms_tui.cache.database import open_cache
from oms_tui.collector import settle as settle_collector
from oms_tui.runtime import LiveUpdate, Runtime, one_line, retry_delay

if TYPE_CHECKING:  # imported where a child is started: the app imports this module at its start
    from multiprocessing.connection import Connection

AVAILABLE = os.name == "posix"  # the pipes are handed to the child by descriptor (`pass_fds`)
SYNC, RECONCILE = "sync", "reconcile"
REPORT, LOG = "report", "log"
POLL_S = 0.1  # how soon the app's side notices `stop`
STOP_WAIT_S = 5.0  # the loop cancels a pass in flight within a tenth of a second, then closes the cache
RESTART_S = 5.0  # after the loop's process died; doubled while it dies before it syncs
POOL = (2, 1)  # a pass's session and its page writer's (the screens' pool is the app's)


class LiveProcess:
    """The live loop of the app's runtime, in a child process (`run` blocks: call it from a thread)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.process: subprocess.Popen[bytes] | None = None  # the running child, for tests
        self._commands: Connection | None = None
        self._lock = threading.Lock()  # commands come from the UI thread and the live worker

    def sync_now(self) -> None:
        self._send(SYNC)

    def reconcile_now(self) -> None:
        self._send(RECONCILE)

    def run(self, report: Callable[[LiveUpdate], object], stop: threading.Event) -> None:
        """Until `stop` is set (then the child is stopped too); a child that dies is started again,
        later each time it dies again without a pass that reached the store."""
        failures = 0
        while not stop.is_set():
            code, last, synced = self._run_child(report, stop)
            if stop.is_set():
                return
            failures = 0 if synced else failures + 1
            delay = retry_delay(RESTART_S, failures)
            why = last.text if last and last.error else f"the sync process ended (exit code {code})"
            text = f"{why}; starting the sync again in {delay:g}s"
            logging.getLogger(__name__).warning("%s", text)
            report(LiveUpdate(text, error=True))
            stop.wait(delay)

    def _run_child(
        self, report: Callable[[LiveUpdate], object], stop: threading.Event
    ) -> tuple[int | None, LiveUpdate | None, bool]:
        """One child, until it ends or `stop`: its exit code, the last thing it reported, and
        whether a pass of it reached the store."""
        from multiprocessing.connection import Connection

        commands_in, commands_out = os.pipe()
        reports_in, reports_out = os.pipe()
        process = subprocess.Popen(  # a fresh interpreter: no fork of the app's threads and their locks
            [sys.executable, "-m", __name__, str(commands_in), str(reports_out)],
            pass_fds=(commands_in, reports_out),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # the terminal is the app's screen: nothing else draws on it
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the terminal's signals are the app's; the child ends with the pipe
        )
        os.close(commands_in)  # the child's ends: its pipe then closes when the child ends
        os.close(reports_out)
        commands, reports = Connection(commands_out, readable=False), Connection(reports_in, writable=False)
        runtime = self.runtime
        level = logging.getLogger("oms_tui").getEffectiveLevel()
        with self._lock:
            self._commands, self.process = commands, process
            with contextlib.suppress(OSError):  # a child that died at once: its exit code says
                commands.send((runtime.settings, runtime.shop_url, runtime.token, runtime.simulated, level))
        last, synced = None, False
        try:
            while not stop.is_set():
                if not reports.poll(POLL_S):
                    continue
                try:
                    message = reports.recv()
                except (EOFError, OSError):  # the child ended
                    break
                last = relay(message, report) or last
                synced = synced or bool(last and last.reachable and not last.error)
        finally:
            self._stop(process)
            reports.close()
        return process.returncode, last, synced

    def _stop(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:  # the end of the pipe: the child stops
            if self._commands is not None:
                self._commands.close()
            self._commands = None
        try:
            process.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _send(self, command: str) -> None:
        with self._lock:
            if self._commands is not None:
                with contextlib.suppress(OSError):  # the child just ended: `run` starts another
                    self._commands.send(command)


def relay(message: tuple[Any, ...], report: Callable[[LiveUpdate], object]) -> LiveUpdate | None:
    """A message from the child: a report for the app (returned), or a record for the app's log."""
    if message[0] == REPORT:
        report(message[1])
        return message[1]
    _, level, name, text = message
    logging.getLogger(name).log(level, "%s", text)
    return None


def serve(commands: Connection, reports: Connection) -> None:
    """The child: the live loop until the app's end of the pipe closes."""
    settings, shop_url, token, simulated, level = commands.recv()
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock, contextlib.suppress(OSError, ValueError):  # the app is gone: `obey` stops the loop
            reports.send(message)

    ours = logging.getLogger("oms_tui")
    ours.setLevel(level)
    ours.addHandler(ToApp(send))
    stop = threading.Event()
    try:
        cache = open_cache(  # the app opened it, and brought it up to date
            settings.database_url, migrate=False, create=False, listen_url=settings.listen_url, pool=POOL
        )
        runtime = Runtime(settings, cache, shop_url, token, simulated=simulated)
    except Exception as exc:  # a cache that cannot be opened: said in the header, tried again
        send((REPORT, LiveUpdate(f"sync could not start ({one_line(exc)})", error=True)))
        raise SystemExit(1) from None
    threading.Thread(target=obey, args=(commands, runtime, stop), daemon=True).start()
    settle_collector()  # what start-up made lives as long as the loop (oms_tui/collector.py)
    try:
        asyncio.run(runtime.live_loop(lambda update: send((REPORT, update)), stop))
    finally:
        runtime.close()


def obey(commands: Connection, runtime: Runtime, stop: threading.Event) -> None:
    """The app's commands, until the end of the pipe (the app quit, or was killed): then `stop`."""
    while True:
        try:
            command = commands.recv()
        except (EOFError, OSError):
            stop.set()
            return
        if command == SYNC:
            runtime.sync_now()
        elif command == RECONCILE:
            runtime.reconcile_now()


class ToApp(logging.Handler):
    """The child's log records, formatted, to the app's log (which alone writes the log file)."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None]) -> None:
        super().__init__()
        self.send = send

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.send((LOG, record.levelno, record.name, self.format(record)))
        except Exception:  # a record that cannot be formatted: logging's own report
            self.handleError(record)


if __name__ == "__main__":
    from multiprocessing.connection import Connection

    serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
