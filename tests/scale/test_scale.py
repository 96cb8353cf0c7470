"""Scales read as the pack bench reads them: an NCI serial scale on a pseudo-terminal, a USB postal
scale's reports through a FIFO; a scale that moves, goes quiet or is unplugged mid-reading says so."""

from __future__ import annotations

import queue
import termios
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from oms_tui.scale.feed import Scale, scale_for, watch
from oms_tui.scale.hid import HidScale, parse_report
from oms_tui.scale.nci import SerialScale, parse_reply
from oms_tui.scale.reading import Reading, ScaleState
from tests.scale.fake_scales import FifoHid, PtyScale, nci_reply

WAIT_S = 5.0  # only a broken reader waits this long


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (nci_reply("  1.250kg", "00"), Reading(ScaleState.STABLE, 1250.0)),
        (nci_reply("002.50LB", "00"), Reading(ScaleState.STABLE, 2.5 * 453.59237)),
        (nci_reply("  12.0oz", "00"), Reading(ScaleState.STABLE, 12 * 28.349523125)),
        (nci_reply("  0.840kg", "10"), Reading(ScaleState.MOTION, 840.0)),
        (nci_reply("  0.000kg", "20"), Reading(ScaleState.ZERO, 0.0)),
        (nci_reply("  0.000kg", "r0"), Reading(ScaleState.ZERO, 0.0)),  # bit 6: "a byte follows"
        (nci_reply(" -0.120kg", "01"), Reading(ScaleState.UNDER)),
        (nci_reply("--------", "02"), Reading(ScaleState.OVER)),
        (nci_reply("  1.000kg", "40"), Reading(ScaleState.FAULT, detail="memory or calibration error")),
        (nci_reply("  1.000st", "00"), Reading(ScaleState.FAULT, detail="unit 'st' unknown")),
    ],
)
def test_an_nci_reply_reads_as_grams_and_the_scales_flags(reply: bytes, expected: Reading) -> None:
    reading = parse_reply(reply)
    assert reading.state is expected.state and reading.detail == expected.detail
    assert reading.grams == pytest.approx(expected.grams)


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (bytes([3, 4, 2, 0, 0xE2, 0x04]), Reading(ScaleState.STABLE, 1250.0)),  # 1250 g
        (bytes([3, 4, 11, 0xFF, 125, 0]), Reading(ScaleState.STABLE, 12.5 * 28.349523125)),  # 12.5 oz
        (bytes([3, 3, 2, 0, 100, 0]), Reading(ScaleState.MOTION, 100.0)),
        (bytes([3, 2, 2, 0, 0, 0]), Reading(ScaleState.ZERO, 0.0)),
        (bytes([3, 5, 2, 0, 20, 0]), Reading(ScaleState.UNDER, -20.0)),
        (bytes([3, 6, 2, 0, 0, 0]), Reading(ScaleState.OVER)),
        (bytes([3, 8, 2, 0, 0, 0]), Reading(ScaleState.FAULT, detail="needs zeroing")),
        (
            bytes([4, 4, 2, 0, 0, 0]),
            Reading(ScaleState.FAULT, detail="not a scale report: 04 04 02 00 00 00"),
        ),
    ],
)
def test_a_usb_scale_report_reads_as_grams_and_its_status(report: bytes, expected: Reading) -> None:
    reading = parse_report(report)
    assert reading.state is expected.state and reading.detail == expected.detail
    assert reading.grams == pytest.approx(expected.grams)


@contextmanager
def watching(scale: Scale, retry: float = 0.05) -> Iterator[Callable[[Callable[[Reading], bool]], Reading]]:
    """The scale read in a thread as the pack screen reads it; `until(test)` waits for a reading."""
    readings: queue.Queue[Reading] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(scale, readings.put, stop, retry), daemon=True)
    thread.start()

    def until(wanted: Callable[[Reading], bool]) -> Reading:
        seen = []
        while True:
            try:
                reading = readings.get(timeout=WAIT_S)
            except queue.Empty:
                raise AssertionError(f"no such reading; saw {seen}") from None
            if wanted(reading):
                return reading
            seen.append(reading)

    try:
        yield until
    finally:
        stop.set()
        thread.join(timeout=WAIT_S)
        assert not thread.is_alive(), "the reader did not stop"


def test_a_serial_scale_on_a_pty_weighs_moves_and_drops_mid_reading() -> None:
    fake = PtyScale(nci_reply("  0.000kg", "20"))
    with watching(SerialScale(fake.device, timeout=0.3)) as until:
        assert until(lambda r: r.state is ScaleState.ZERO)
        fake.reply = nci_reply("  0.731kg", "10")  # the parcel lands: the scale settles
        assert until(lambda r: r.state is ScaleState.MOTION).grams == pytest.approx(731.0)
        fake.reply = nci_reply("  0.745kg", "00")
        stable = until(lambda r: r.state is ScaleState.STABLE)
        assert stable.usable and str(stable) == "745 g"
        fake.drop()  # the cable pulled between readings (or in the middle of one)
        gone = until(lambda r: r.state is not ScaleState.STABLE)
        assert gone.state is ScaleState.OFFLINE and not gone.usable
        assert str(gone).startswith("scale not connected")


def test_a_serial_scale_that_stops_answering_says_so() -> None:
    fake = PtyScale(nci_reply("  0.500kg", "00"))
    with watching(SerialScale(fake.device, timeout=0.1)) as until:
        assert until(lambda r: r.state is ScaleState.STABLE)
        fake.mute = True
        silent = until(lambda r: r.state is not ScaleState.STABLE)
        assert str(silent) == "scale not answering (no reply within 0.1 s)"
    fake.drop()


def test_no_scale_at_the_named_device_is_not_connected_and_the_reader_keeps_trying(tmp_path: Path) -> None:
    scale = scale_for("serial", str(tmp_path / "ttyUSB9"))
    assert scale is not None
    with watching(scale) as until:
        assert until(lambda r: r.state is ScaleState.OFFLINE).detail


def test_a_usb_scale_through_its_hidraw_node_weighs_and_is_unplugged(tmp_path: Path) -> None:
    fake = FifoHid(tmp_path / "hidraw0")
    with watching(HidScale(fake.device, timeout=0.1)) as until:
        fake.push(status=3, unit=2, factor=0, raw=600)
        assert until(lambda r: r.state is ScaleState.MOTION).grams == 600
        fake.push(status=4, unit=11, factor=-1, raw=224)  # 22.4 oz, still
        assert until(lambda r: r.usable).grams == pytest.approx(635.03, abs=0.01)
        fake.unplug()
        assert until(lambda r: r.state is ScaleState.OFFLINE).detail == "the device closed"


def test_typed_needs_no_scale() -> None:
    assert scale_for("typed", "/dev/ttyUSB0") is None and scale_for("serial", None) is None


class GoneLine:
    """A POSIX serial port whose cable was pulled: pyserial's flush fails in termios (EIO)."""

    def reset_input_buffer(self) -> None:
        raise termios.error(5, "Input/output error")

    def close(self) -> None:
        pass


def test_a_line_that_drops_between_readings_shows_the_scale_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """termios' error is no OSError: unconverted, it would end the feed's thread, the scale silent."""
    scale, stop, seen = SerialScale("/dev/ttyUSB0"), threading.Event(), []
    monkeypatch.setattr(scale, "open", lambda: setattr(scale, "port", GoneLine()))

    def publish(reading: Reading) -> None:
        seen.append(reading)
        stop.set()

    watch(scale, publish, stop, retry=0)
    assert [(r.state, r.detail) for r in seen] == [(ScaleState.OFFLINE, "Input/output error")]
