"""The scale named in the settings, read over and over until told to stop: every change of reading
goes to the caller (the pack screen, from its worker thread). A scale that fails is closed and opened
again every `retry` seconds, saying meanwhile that it is not connected; nothing here ever waits
longer than one read's timeout, so stopping is prompt."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from oms_tui.scale.reading import Reading, ScaleState

RETRY_S = 1.0


class Scale(Protocol):
    pause: float  # seconds between two reads

    def open(self) -> None: ...
    def read(self) -> Reading: ...
    def close(self) -> None: ...


def scale_for(kind: str, device: str | None, baud: int = 9600, frame: str = "7E1") -> Scale | None:
    """The scale of the settings' `scale` kind (serial, hid) on `device`; None when the weight is typed."""
    if kind == "typed" or not device:
        return None
    if kind == "serial":
        from oms_tui.scale.nci import SerialScale

        return SerialScale(device, baud, frame)
    if kind == "hid":
        from oms_tui.scale.hid import HidScale

        return HidScale(device)
    raise ValueError(f"scale kind {kind!r} unknown: typed, serial or hid")


def watch(
    scale: Scale, publish: Callable[[Reading], object], stop: threading.Event, retry: float = RETRY_S
) -> None:
    """Read `scale` until `stop` is set, publishing each reading that differs from the one before."""
    last: Reading | None = None
    opened = False
    while not stop.is_set():
        wait = scale.pause
        try:
            if not opened:
                scale.open()
                opened = True
            reading = scale.read()
        except (OSError, ValueError) as exc:  # pyserial's SerialException is an OSError
            scale.close()
            opened, wait = False, retry
            reading = Reading(ScaleState.OFFLINE, detail=_why(exc))
        if reading != last:
            publish(reading)
            last = reading
        if wait:
            stop.wait(wait)
    if opened:
        scale.close()


def _why(exc: Exception) -> str:
    text = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()
    return text.splitlines()[0][:80]
