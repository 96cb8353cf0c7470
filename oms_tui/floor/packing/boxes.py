"""The box a pack goes in: one of the station's presets (the `boxes` setting), chosen by a key or by
scanning the barcode on its shelf (`BOX-` and its name: `BOX-MEDIUM`). The box last used for the same
items (SKUs and quantities: two tees may not fit where one did) is offered first; the others follow in
the settings' order."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from oms_tui.cache.models import BoxUsed
from oms_tui.floor.packing.pack_state import Pack


@dataclass(frozen=True)
class BoxPreset:
    name: str
    length_cm: float
    width_cm: float
    height_cm: float

    @property
    def code(self) -> str:
        """The barcode on the box's shelf."""
        return "BOX-" + "-".join(self.name.upper().split())

    def __str__(self) -> str:
        return f"{self.name} ({self.length_cm:g} x {self.width_cm:g} x {self.height_cm:g} cm)"


def presets(boxes: Mapping[str, Sequence[float]]) -> tuple[BoxPreset, ...]:
    """The settings' boxes (name = [length, width, height] in cm), in their order."""
    return tuple(BoxPreset(name, *size[:3]) for name, size in boxes.items())


def contents(pack: Pack) -> str:
    """What is in the parcel, as a key: its SKUs (or barcodes, titles) and units, in any order."""
    units = Counter[str]()
    for line in pack.lines:
        units[line.name.casefold()] += line.verified or line.needed
    listing = "\n".join(f"{name}\t{count}" for name, count in sorted(units.items()) if count)
    return hashlib.sha256(listing.encode()).hexdigest()


def offered(session: Session, pack: Pack, boxes: Sequence[BoxPreset]) -> list[BoxPreset]:
    """The presets, the one last used for these items first."""
    used = session.get(BoxUsed, contents(pack))
    last = [box for box in boxes if used is not None and box.name == used.box]
    return last + [box for box in boxes if box not in last]


def last_used(session: Session, pack: Pack) -> str | None:
    used = session.get(BoxUsed, contents(pack))
    return used.box if used else None


def by_code(boxes: Sequence[BoxPreset], code: str) -> BoxPreset | None:
    """The preset whose shelf barcode (any case) is `code`."""
    wanted = code.strip().casefold()
    return next((box for box in boxes if box.code.casefold() == wanted), None)


def remember(session: Session, pack: Pack, box: BoxPreset, now: datetime) -> None:
    """`box` is the one for these items from now on (at every station sharing the cache)."""
    key = contents(pack)
    for _ in range(2):  # another station may insert the same items' row at the same moment
        row = session.get(BoxUsed, key)
        try:
            with session.begin_nested():
                if row is None:
                    session.add(BoxUsed(contents=key, box=box.name, used_at=now))
                else:
                    row.box, row.used_at = box.name, now
            return
        except IntegrityError:
            continue
