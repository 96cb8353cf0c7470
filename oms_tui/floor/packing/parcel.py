"""The parcel of the open pack, between the last item scanned and the label: its weight (from the
scale, or typed) and its box. Held by the pack station while it packs; what is bought for it is
recorded by the label desk (`oms_tui.floor.labels`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from oms_tui.floor.packing.boxes import BoxPreset
from oms_tui.scale.reading import Reading, to_grams

MAX_GRAMS = 70_000  # the heaviest parcel carriers take (150 lb)
_TYPED = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]{0,2})\s*$")


class BadWeight(ValueError):
    pass


def typed_weight(text: str) -> float:
    """Grams from what the packer typed: `745`, `745 g`, `1.2 kg`, `2,5 lb`, `12 oz` (grams unless said)."""
    found = _TYPED.match(text)
    if found is None:
        raise BadWeight(f"{text!r} is not a weight like 745, 1.2 kg or 12 oz")
    grams = to_grams(float(found.group(1).replace(",", ".")), found.group(2) or "g")
    if grams is None:
        raise BadWeight(f"{found.group(2)!r} is not a unit: g, kg, oz or lb")
    if not 0 < grams <= MAX_GRAMS:
        raise BadWeight(f"{text.strip()}: a parcel weighs more than nothing and at most {MAX_GRAMS:,} g")
    return grams


@dataclass(frozen=True)
class ParcelStep:
    order_id: str
    reading: Reading | None = None  # the scale's last word (None: no scale at this bench)
    typed_grams: float | None = None  # typed by the packer: wins over the scale
    box: BoxPreset | None = None
    box_was_last: bool = False  # the box is the one last used for these items

    @property
    def grams(self) -> float | None:
        if self.typed_grams is not None:
            return self.typed_grams
        if self.reading is not None and self.reading.usable:
            return self.reading.grams
        return None

    @property
    def quote_key(self) -> tuple[int, str] | None:
        """What the rates depend on: the weight (to the gram) and the box; None until both are known."""
        grams = self.grams
        return None if grams is None or self.box is None else (round(grams), self.box.name)

    def weighed(self, reading: Reading) -> ParcelStep:
        return replace(self, reading=reading)
