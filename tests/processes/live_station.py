"""A stand-in for the app, for the live loop's process: `python -m tests.processes.live_station`.

Settings come from the environment, as for `oms-tui`. It starts the live loop in its own process, as
the app does, prints that process's id, and waits to be killed.
"""

from __future__ import annotations

import threading
import time

from oms_tui.config import Settings
from oms_tui.live_process import LiveProcess
from oms_tui.runtime import Runtime


def main() -> None:
    live = LiveProcess(Runtime.start(Settings()))
    threading.Thread(target=live.run, args=(lambda _update: None, threading.Event()), daemon=True).start()
    while live.process is None:
        time.sleep(0.01)
    print(live.process.pid, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
