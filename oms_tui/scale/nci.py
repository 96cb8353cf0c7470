"""A serial scale speaking the NCI standard protocol (Avery Weigh-Tronix SCP-01, which most bench and
postal scales with a serial port offer, often called "Toledo-style"): the station sends `W<CR>`, the
scale answers `<LF>weight units<CR><LF>status<CR><ETX>`, e.g. `\\n  1.250kg\\r\\n00\\r\\x03`.

The status is two (or more) characters whose low bits are flags: in the first, bit 0 is "in motion",
bit 1 "at zero", bits 2-3 a RAM or EEPROM error; in the second, bit 0 "under capacity", bit 1 "over
capacity", bits 2-3 a ROM or calibration error. Bits 4-5 are always set (the characters are printable,
`0` when no flag is up) and bit 6 says another status character follows.
"""

from __future__ import annotations

import contextlib
import re

from oms_tui.scale.reading import Reading, ScaleState, to_grams

# What pyserial's POSIX port raises from a flush once the line is gone (EIO), which is no OSError.
# Windows has no termios: its ports raise SerialException, an OSError, for everything.
LINE_GONE: tuple[type[Exception], ...]
try:
    import termios

    LINE_GONE = (termios.error,)
except ImportError:
    LINE_GONE = ()

REQUEST = b"W\r"
ETX = b"\x03"
_WEIGHT = re.compile(rb"(-?\s*\d+(?:\.\d*)?|-?\s*\.\d+)\s*([A-Za-z]{1,3})")
FRAMES = {"N": "N", "E": "E", "O": "O"}


def parse_reply(reply: bytes) -> Reading:
    """The reading a `W` request's reply holds (everything up to and with ETX)."""
    fields = [field.strip() for field in re.split(rb"[\r\n]+", reply.rstrip(ETX)) if field.strip()]
    if not fields:
        return Reading(ScaleState.FAULT, detail="an empty reply")
    status = fields[-1]
    weight = _WEIGHT.fullmatch(fields[0]) if len(fields) > 1 else None
    grams = None
    if weight is not None:
        grams = to_grams(float(weight.group(1).replace(b" ", b"")), weight.group(2).decode())
        if grams is None:
            return Reading(ScaleState.FAULT, detail=f"unit {weight.group(2).decode()!r} unknown")
    if not all(0x30 <= byte < 0x80 for byte in status):
        return Reading(ScaleState.FAULT, detail=f"status {status!r} unreadable")
    first, second = status[0], status[1] if len(status) > 1 else 0x30
    if second & 0b10:
        return Reading(ScaleState.OVER)
    if second & 0b01:
        return Reading(ScaleState.UNDER)
    if first & 0b1100 or second & 0b1100:
        return Reading(ScaleState.FAULT, detail="memory or calibration error")
    if grams is None:
        return Reading(ScaleState.FAULT, detail="no weight in the reply")
    if first & 0b01:
        return Reading(ScaleState.MOTION, grams)
    if first & 0b10 or grams == 0:
        return Reading(ScaleState.ZERO, 0.0)
    if grams < 0:
        return Reading(ScaleState.UNDER, grams)
    return Reading(ScaleState.STABLE, grams)


class SerialScale:
    """An NCI scale on a serial port (or a USB-serial adapter), opened through pyserial."""

    pause = 0.1  # seconds between two requests: the scale updates about ten times a second

    def __init__(self, device: str, baud: int = 9600, frame: str = "7E1", timeout: float = 0.5) -> None:
        self.device, self.baud, self.frame, self.timeout = device, baud, frame, timeout
        self.port = None

    def __str__(self) -> str:
        return f"serial scale on {self.device}"

    def open(self) -> None:
        import serial  # pyserial loads when a scale is first opened, not at start

        bits, parity, stop = int(self.frame[0]), self.frame[1], int(self.frame[2])
        self.port = serial.serial_for_url(
            self.device,
            baudrate=self.baud,
            bytesize=bits,
            parity=FRAMES[parity],
            stopbits=stop,
            timeout=self.timeout,
        )

    def read(self) -> Reading:
        """One request and its reply; OSError when the port fails (pyserial's errors are OSErrors)."""
        port = self.port
        if port is None:
            raise OSError("not open")
        try:
            port.reset_input_buffer()  # a late reply to an earlier request is not this reading
        except LINE_GONE as exc:  # as an OSError: the feed shows the scale offline and opens it again
            raise OSError(*exc.args) from exc
        port.write(REQUEST)
        reply = port.read_until(ETX)
        if not reply.endswith(ETX):
            return Reading(ScaleState.SILENT, detail=f"no reply within {self.timeout:g} s")
        return parse_reply(reply)

    def close(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            with contextlib.suppress(OSError):  # a line that dropped may refuse to close: gone anyway
                port.close()
