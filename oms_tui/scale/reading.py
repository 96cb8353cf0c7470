"""One reading of a scale: a weight in grams and what the scale said about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GRAMS_PER = {"mg": 0.001, "g": 1.0, "kg": 1000.0, "oz": 28.349523125, "lb": 453.59237}


class ScaleState(StrEnum):
    STABLE = "stable"
    MOTION = "in motion"
    ZERO = "at zero"  # nothing on the platter
    UNDER = "under zero"  # tare off, or the platter lifted
    OVER = "over capacity"
    FAULT = "fault"  # the scale reports an error (calibration, memory)
    SILENT = "not answering"
    OFFLINE = "not connected"  # unplugged, no such device, or the line dropped


@dataclass(frozen=True)
class Reading:
    state: ScaleState
    grams: float | None = None
    detail: str = ""  # why it is silent or offline, in a few words

    @property
    def usable(self) -> bool:
        """A weight to ship with: the scale is still and something is on it."""
        return self.state is ScaleState.STABLE and self.grams is not None and self.grams > 0

    def __str__(self) -> str:
        weight = f"{self.grams:,.0f} g" if self.grams is not None else ""
        if self.state is ScaleState.STABLE:
            return weight
        said = (
            f"{self.state.value}: {weight}"
            if weight and self.state is ScaleState.MOTION
            else self.state.value
        )
        return f"scale {said}{f' ({self.detail})' if self.detail else ''}"


def to_grams(value: float, unit: str) -> float | None:
    """`value` in `unit` (g, kg, oz, lb, any case) as grams; None for a unit we do not know."""
    factor = GRAMS_PER.get(unit.strip().lower())
    return None if factor is None else value * factor
