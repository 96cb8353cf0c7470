"""Scanner or person: the burst rule alone, keys with chosen timestamps."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from oms_tui.floor.orders.scan_burst import ScanBurst

GAP = 0.040
ENTER = "\r"
printable = st.characters(categories=("L", "M", "N", "P", "S"), include_characters=" ")  # str.isprintable
codes = st.text(printable, min_size=3, max_size=60)


def feed(burst: ScanBurst[str], keys: list[tuple[str, float]]) -> tuple[list[str], list[str]]:
    """Each (character, time) through the rule, then a pause: (keys handled as typing, scans)."""
    typed: list[str] = []
    scans: list[str] = []
    for character, at in keys:
        enter = character == ENTER
        verdict = burst.press(character, at, character=None if enter else character, enter=enter)
        typed += verdict.typed
        if verdict.scan is not None:
            scans.append(verdict.scan)
    return typed + burst.paused(), scans


def burst_keys(code: str, at: float, gap: float = 0.0) -> list[tuple[str, float]]:
    return [(character, at + n * gap) for n, character in enumerate(code + ENTER)]


@given(st.lists(codes, min_size=1, max_size=8))
def test_bursts_back_to_back_with_no_gap_are_each_a_scan(scanned: list[str]) -> None:
    keys = [key for code in scanned for key in burst_keys(code, 100.0)]
    assert feed(ScanBurst(GAP, 3), keys) == ([], scanned)


def test_a_slow_scanner_needs_a_larger_gap_setting() -> None:
    keys = burst_keys("1Z999AA10123456784", 5.0, gap=0.080)  # a Bluetooth scanner, 80 ms a key
    assert feed(ScanBurst(0.120, 3), keys) == ([], ["1Z999AA10123456784"])
    typed, scans = feed(ScanBurst(GAP, 3), keys)
    assert (typed, scans) == (list("1Z999AA10123456784\r"), [])


def test_a_person_typing_is_typing_even_when_it_ends_in_enter() -> None:
    keys = [(character, 7.0 + n * 0.15) for n, character in enumerate("#1004\r")]
    assert feed(ScanBurst(GAP, 3), keys) == (list("#1004\r"), [])


def test_a_short_burst_is_typing() -> None:
    assert feed(ScanBurst(GAP, 3), burst_keys("12", 1.0)) == (["1", "2", ENTER], [])


def test_a_key_typed_just_before_a_scan_stays_typing() -> None:
    keys = [("3", 1.0), *burst_keys("1004", 1.5)]
    assert feed(ScanBurst(GAP, 3), keys) == (["3"], ["1004"])


def test_no_gap_setting_means_no_scanner() -> None:
    assert feed(ScanBurst(0, 3), burst_keys("1004", 1.0)) == (list("1004\r"), [])


@given(
    st.lists(
        st.tuples(st.one_of(printable, st.just(ENTER), st.just("tab")), st.floats(0, 0.3)),
        max_size=80,
    ),
    st.floats(0.001, 0.2),
    st.integers(1, 6),
)
def test_nothing_is_dropped_or_reordered(
    presses: list[tuple[str, float]], gap: float, min_length: int
) -> None:
    """Whatever the timing: the keys handled as typing, with each scan put back where it was (its
    characters and its Enter), are exactly the keys pressed, in order."""
    at, stamped = 0.0, []
    for key, pause in presses:
        at += pause
        stamped.append((key, at))
    burst: ScanBurst[str] = ScanBurst(gap, min_length)
    rebuilt: list[str] = []
    for key, when in stamped:
        enter, printed = key == ENTER, len(key) == 1 and key != ENTER
        verdict = burst.press(key, when, character=key if printed else None, enter=enter)
        rebuilt += verdict.typed
        if verdict.scan is not None:
            assert len(verdict.scan) >= min_length
            rebuilt += [*verdict.scan, ENTER]
    rebuilt += burst.paused()
    assert rebuilt == [key for key, _ in stamped]
