"""Scales played by the tests: an NCI serial scale on a pseudo-terminal, a USB scale's hidraw node
as a FIFO the test writes reports into."""

from __future__ import annotations

import os
import threading
import tty
from pathlib import Path

ETX = b"\x03"


def nci_reply(weight: str, status: str = "00") -> bytes:
    """The NCI reply to `W`: `weight` as the scale shows it (`1.250kg`), two status characters."""
    return b"\n" + weight.encode() + b"\r\n" + status.encode() + b"\r" + ETX


class PtyScale:
    """An NCI scale at the far end of a pseudo-terminal: it answers each `W<CR>` with `reply`, which
    the test changes as things go on the platter; `drop()` pulls the plug mid-reading."""

    def __init__(self, reply: bytes = nci_reply("0.000kg", "20")) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)  # bytes as they are: no echo, no CR to LF
        self.device = os.ttyname(slave)
        os.close(slave)  # the station opens it by its name, as it would /dev/ttyUSB0
        self.reply = reply
        self.requests = 0
        self.answered = threading.Event()
        self.mute = False  # hears requests, answers none (a scale switched to another mode)
        self.dropped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        heard = b""
        while not self.dropped.is_set():
            try:
                chunk = os.read(self.master, 64)
            except OSError:  # nobody has the other end open (yet, or any more)
                if self.dropped.wait(0.01):
                    return
                continue
            heard += chunk
            while b"\r" in heard:
                request, heard = heard.split(b"\r", 1)
                if request.strip() == b"W" and not self.mute and not self.dropped.is_set():
                    self.requests += 1
                    os.write(self.master, self.reply)
                    self.answered.set()

    def drop(self) -> None:
        """The cable pulled: the pseudo-terminal's master end closes, its slave is gone."""
        self.dropped.set()
        os.close(self.master)
        self.thread.join(timeout=2)


class FifoHid:
    """A hidraw node stood in by a FIFO: each `push` is one 6-byte report from the scale."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.device = str(path)
        self.fd: int | None = os.open(path, os.O_RDWR)  # a writer from the start: no end of file

    def push(self, status: int, unit: int, factor: int, raw: int) -> None:
        assert self.fd is not None
        report = bytes([3, status, unit, factor & 0xFF]) + raw.to_bytes(2, "little")
        os.write(self.fd, report)

    def unplug(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
