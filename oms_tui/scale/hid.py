"""A USB HID postal scale (Dymo M-series, Stamps.com and most others follow the HID point-of-sale
usage tables), read from its `/dev/hidraw*` node: the scale pushes a 6-byte input report whenever it
weighs: report id 3, status, unit, scale factor (a signed power of ten), weight low byte, high byte.

Status: 1 fault, 2 stable at zero, 3 in motion, 4 stable, 5 under zero, 6 over capacity, 7 needs
calibrating, 8 needs zeroing. Units: 1 mg, 2 g, 3 kg, 11 ounces, 12 pounds (others are not postal).
"""

from __future__ import annotations

import os
import select

from oms_tui.scale.reading import GRAMS_PER, Reading, ScaleState

REPORT_ID, REPORT_SIZE = 3, 6
UNITS = {1: "mg", 2: "g", 3: "kg", 11: "oz", 12: "lb"}
_STATES = {
    1: ScaleState.FAULT,
    2: ScaleState.ZERO,
    3: ScaleState.MOTION,
    4: ScaleState.STABLE,
    5: ScaleState.UNDER,
    6: ScaleState.OVER,
    7: ScaleState.FAULT,
    8: ScaleState.FAULT,
}


def parse_report(report: bytes) -> Reading:
    if len(report) != REPORT_SIZE or report[0] != REPORT_ID:
        return Reading(ScaleState.FAULT, detail=f"not a scale report: {report.hex(' ')}")
    status, unit, factor = report[1], report[2], int.from_bytes(report[3:4], signed=True)
    state = _STATES.get(status)
    if state is None:
        return Reading(ScaleState.FAULT, detail=f"status {status} unknown")
    if unit not in UNITS:
        return Reading(ScaleState.FAULT, detail=f"unit {unit} unknown")
    grams = int.from_bytes(report[4:6], "little") * 10.0**factor * GRAMS_PER[UNITS[unit]]
    if state is ScaleState.FAULT:
        return Reading(state, detail={7: "needs calibrating", 8: "needs zeroing"}.get(status, ""))
    if state in (ScaleState.OVER, ScaleState.ZERO):
        return Reading(state, 0.0 if state is ScaleState.ZERO else None)
    if state is ScaleState.UNDER:
        return Reading(state, -grams)
    return Reading(state, grams)


class HidScale:
    """The scale's hidraw node, read one report at a time; it waits at most `timeout` for one."""

    pause = 0.0  # the scale pushes its reports: read the next one at once

    def __init__(self, device: str, timeout: float = 1.0) -> None:
        self.device, self.timeout = device, timeout
        self.fd: int | None = None

    def __str__(self) -> str:
        return f"USB scale on {self.device}"

    def open(self) -> None:
        # non-blocking: a FIFO opens at once, and reads wait in select (so the loop can stop)
        self.fd = os.open(self.device, os.O_RDONLY | os.O_NONBLOCK)

    def read(self) -> Reading:
        fd = self.fd
        if fd is None:
            raise OSError("not open")
        ready, _, _ = select.select([fd], [], [], self.timeout)
        if not ready:
            return Reading(ScaleState.SILENT, detail=f"no report within {self.timeout:g} s")
        try:
            report = os.read(fd, 64)  # one read is one report on hidraw
        except BlockingIOError:
            return Reading(ScaleState.SILENT, detail="no report")
        if not report:  # end of file: a hidraw node never ends; the device went away
            raise OSError("the device closed")
        return parse_report(report[-REPORT_SIZE:] if len(report) % REPORT_SIZE == 0 else report)

    def close(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)
