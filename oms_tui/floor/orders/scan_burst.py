"""Telling a barcode scanner from a person: both are keyboards; a scanner types its code in one burst of
printable keys ending in Enter, faster than any hand.

Printable keys are held back while they may still be a scan. A key that comes more than `gap` seconds
after the one before (by each key's own timestamp, not by when it is handled), a key that is not
printable, an Enter after too few keys, or a pause with no key at all (`paused`) gives them back, in
order, to be handled as typing. An Enter within `gap` of a burst of at least `min_length` keys is a scan:
its keys and the Enter are consumed and the code is returned. Nothing is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")  # a key as the caller knows it (an event), handed back untouched when it was typing


@dataclass(frozen=True)
class Verdict(Generic[K]):
    typed: list[K] = field(default_factory=list)  # handle these as ordinary keys, in this order
    scan: str | None = None  # a scanner's code, when this key ended a burst


class ScanBurst(Generic[K]):
    def __init__(self, gap: float, min_length: int) -> None:
        """`gap`: the longest pause between a scanner's keys, in seconds (0: every key is typing)."""
        self.gap, self.min_length = gap, min_length
        self.held: list[tuple[K, str]] = []
        self.last = 0.0  # the timestamp of the newest held key

    @property
    def holding(self) -> bool:
        return bool(self.held)

    def press(self, key: K, time: float, *, character: str | None, enter: bool = False) -> Verdict[K]:
        """`character`: what a printable key types (None for others). `enter`: the key is Enter."""
        if self.gap <= 0:
            return Verdict([key])
        typed = self.paused() if self.held and time - self.last > self.gap else []
        if enter and len(self.held) >= self.min_length:
            code = "".join(character for _, character in self.held)
            self.held = []
            return Verdict(typed, code)
        if enter or character is None:
            return Verdict([*typed, *self.paused(), key])
        self.held.append((key, character))
        self.last = time
        return Verdict(typed)

    def paused(self) -> list[K]:
        """No key came for `gap`: what was held was typing."""
        keys = [key for key, _ in self.held]
        self.held = []
        return keys
