"""Paper sizes: office sheets (A4, US Letter) and the 4x6 inch label of thermal printers."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import inch, mm


@dataclass(frozen=True)
class Paper:
    name: str
    size: tuple[float, float]  # points, portrait
    margin: float
    font_size: float  # body text; headings scale from it

    @property
    def label(self) -> bool:
        """A small thermal label rather than an office sheet."""
        return self.size[0] < 5 * inch


PAPERS = {
    "a4": Paper("a4", A4, 15 * mm, 10),
    "letter": Paper("letter", letter, 0.6 * inch, 10),
    "4x6": Paper("4x6", (4 * inch, 6 * inch), 0.15 * inch, 7.5),
}
