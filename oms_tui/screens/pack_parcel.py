"""The pack station's parcel: its weight, from the bench's scale (read in a worker thread, never in the
way: a silent, unplugged or unsteady scale says so and the weight can always be typed) or typed, and
its box, chosen by a key or by scanning the shelf's barcode (the box last used for the same items is
offered first). `PackScreen` mixes this in; its bindings name the actions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from sqlmodel import Session
from textual import work
from textual.message import Message

from oms_tui.floor.packing import boxes
from oms_tui.floor.packing.pack_reading import read_pack
from oms_tui.floor.packing.pack_state import Pack, PackProblem
from oms_tui.floor.packing.parcel import BadWeight, ParcelStep, typed_weight
from oms_tui.scale.feed import Scale, scale_for, watch
from oms_tui.scale.reading import Reading
from oms_tui.screens.choice_modal import Choice, ChoiceModal
from oms_tui.screens.lean_screen import LeanScreen
from oms_tui.screens.text_modal import TextModal
from oms_tui.widgets.blocking_error import block

if TYPE_CHECKING:
    from oms_tui.cache.database import Cache
    from oms_tui.config import Settings


Offered = tuple[list[boxes.BoxPreset], bool]  # the boxes, the last used first; whether there is one


class Weighed(Message):
    """The scale's reading changed (posted from the scale's worker thread)."""

    def __init__(self, reading: Reading) -> None:
        super().__init__()
        self.reading = reading


class ParcelScreen(LeanScreen[None]):
    """The parcel's part of the pack screen, which `PackScreen` builds on."""

    cache: Cache
    settings: Settings
    clock: Callable[[], datetime]
    pack: Pack | None
    parcel: ParcelStep | None = None
    offered: list[boxes.BoxPreset] = []
    offered_order: str | None = None  # the order `offered` is for
    reading: Reading | None = None  # the scale's last word, whatever pack is open
    scale_stop: threading.Event | None = None

    def run_step(self, step: Callable[[Session], Pack]) -> None:
        """A step in the pack's order of steps (the pack screen's)."""
        raise NotImplementedError

    def show_shipping(self) -> None:
        raise NotImplementedError

    # --- the scale --------------------------------------------------------------------------------

    def start_scale(self) -> None:
        settings = self.settings
        scale = scale_for(settings.scale, settings.scale_device, settings.scale_baud, settings.scale_frame)
        if scale is None:
            return
        self.scale_stop = threading.Event()
        self.read_scale(scale, self.scale_stop)

    @work(thread=True, exit_on_error=False, group="pack-scale")
    def read_scale(self, scale: Scale, stop: threading.Event) -> None:
        watch(scale, lambda reading: self.post_message(Weighed(reading)), stop)

    def stop_scale(self) -> None:
        if self.scale_stop is not None:
            self.scale_stop.set()

    def on_weighed(self, message: Weighed) -> None:
        self.reading = message.reading
        if self.parcel is not None:
            self.parcel = self.parcel.weighed(message.reading)
            self.parcel_changed()
        else:
            self.show_shipping()

    # --- typed weight, box ------------------------------------------------------------------------

    def action_weight(self) -> None:
        if self.parcel is None:
            if self.pack is not None and self.pack.state == "open":
                self.notify("Scan every item first: the weight is the whole parcel's", severity="warning")
            return

        def typed(text: str | None) -> None:
            if text is None or self.parcel is None:
                return
            try:
                grams = typed_weight(text)
            except BadWeight as exc:
                block(self.app, "Not a weight", str(exc), "Press w to type it again")
                return
            self.parcel = ParcelStep(**{**self.parcel.__dict__, "typed_grams": grams})
            self.parcel_changed()

        hint = "745, 745 g, 1.2 kg, 2.5 lb or 12 oz · Enter to keep · Esc to cancel"
        self.app.push_screen(TextModal("Parcel weight", placeholder="grams", hint=hint), typed)

    def action_box(self) -> None:
        if self.parcel is None:
            if self.pack is not None and self.pack.state == "open":
                self.notify("Scan every item first, then choose the box", severity="warning")
            return
        chosen = self.parcel.box if self.parcel.box_was_last else None

        def picked(choice: Choice | None) -> None:
            box = next((box for box in self.offered if choice and box.name == choice.value), None)
            if box is not None:
                self.choose_box(box)

        options = [(f"{box}{'  (last used)' if box == chosen else ''}", box.name) for box in self.offered]
        self.app.push_screen(ChoiceModal("Box", options), picked)

    def parcel_panel(self) -> list[tuple[str, Text]]:
        """The rows of the shipping panel about the parcel: weight, box."""
        parcel = self.parcel
        reading = self.reading
        if parcel is not None and parcel.typed_grams is not None:
            weight = Text(f"{parcel.typed_grams:,.0f} g", "bold")
            weight.append(" typed", "dim")
        elif reading is not None and reading.usable:
            weight = Text(str(reading), "bold")
        elif reading is not None:
            weight = Text(f"{reading}: w to type it", "yellow")
        else:
            weight = Text("w to type it" if parcel is not None else "—", "dim")
        rows = [("Weight", weight)]
        if parcel is not None and parcel.box is not None:
            box = Text(str(parcel.box))
            if parcel.box_was_last:
                box.append("  last used for these items", "dim")
            rows.append(("Box", box))
        return rows

    # --- keeping the parcel in step with the pack -------------------------------------------------

    @property
    def presets(self) -> tuple[boxes.BoxPreset, ...]:
        return boxes.presets(self.settings.boxes)

    def box_scanned(self, code: str) -> bool:
        """A box's shelf barcode, scanned while a pack is open: that box is chosen."""
        box = boxes.by_code(self.presets, code)
        if box is None or self.pack is None or self.pack.state != "open":
            return False
        self.choose_box(box)
        return True

    def choose_box(self, box: boxes.BoxPreset) -> None:
        """The packer's box: remembered for these items (in the steps' order, after the scans before)."""
        if self.parcel is None:
            self.parcel = ParcelStep(self.pack.order_id if self.pack else "", reading=self.reading)
        self.parcel = ParcelStep(**{**self.parcel.__dict__, "box": box, "box_was_last": False})
        self.parcel_changed()

        def remember(session: Session) -> Pack:
            pack = self.pack
            if pack is None:
                raise PackProblem("No order open", "Scan an order, then its box")
            boxes.remember(session, pack, box, self.clock())
            return read_pack(session, pack.session_ids)

        self.run_step(remember)

    def offered_for(self, session: Session, pack: Pack | None) -> Offered | None:
        """In the steps' thread: the boxes to offer once every item is verified (None: not yet), and
        whether the first is the one last used for these items."""
        if pack is None or pack.state != "open" or not pack.ready_for_tracking:
            return None
        if self.offered_order == pack.order_id:
            return None  # already offered
        return boxes.offered(session, pack, self.presets), boxes.last_used(session, pack) is not None

    def parcel_for(self, pack: Pack | None, offer: Offered | None) -> None:
        """On the UI thread, after a step: a new parcel when the items are all in; none without a pack."""
        if pack is None or pack.state != "open":
            self.parcel, self.offered_order = None, None
            return
        if self.parcel is not None and self.parcel.order_id != pack.order_id:
            self.parcel = None
        if offer is not None:
            self.offered, was_last = offer
            self.offered_order = pack.order_id
            if self.parcel is None:  # a box scanned before the last item stays chosen
                first = self.offered[0] if self.offered else None
                self.parcel = ParcelStep(pack.order_id, self.reading, box=first, box_was_last=was_last)
            self.parcel_changed()

    def parcel_changed(self) -> None:
        """The weight or box changed: what depends on them is shown again."""
        self.show_shipping()
