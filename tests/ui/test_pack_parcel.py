"""The parcel at the pack station: the weight from a scale on a pseudo-terminal (which may drop in the
middle of a reading: the screen says so and the weight can still be typed), and the box, chosen by
scanning its shelf's barcode and offered first the next time the same items are packed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.pilot import Pilot

from oms_tui.runtime import Runtime
from oms_tui.screens.messages import Scanned
from oms_tui.screens.pack_screen import PackScreen
from oms_tui.sim.store import SimStore
from tests.scale.fake_scales import PtyScale, nci_reply
from tests.ui.test_pack_screen import SIZE, packable, packer_app, runtime, shipping_text, store, sync

__all__ = ["runtime", "store"]  # the fixtures, shared with the pack screen's tests
WAIT_S = 10.0  # only a broken screen waits this long


async def steps_done(pilot: Pilot) -> None:
    """Until the pack's steps are done (the scale's reader runs on, by design)."""
    for _ in range(200):
        await pilot.pause()
        if not any(w.is_running and w.group != "pack-scale" for w in pilot.app.workers):
            await pilot.pause()
            return
        await asyncio.sleep(0.01)
    raise AssertionError("steps kept running")


async def shows(pilot: Pilot, wanted: Callable[[str], bool]) -> str:
    """The shipping panel once it shows what `wanted` looks for."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        text = shipping_text(pilot.app)  # type: ignore[arg-type]
        if wanted(text):
            return text
        await asyncio.sleep(0.02)
        await pilot.pause()
    raise AssertionError(f"the panel never showed it: {shipping_text(pilot.app)!r}")  # type: ignore[arg-type]


def with_scale(runtime: Runtime, device: str) -> Runtime:
    runtime.settings = runtime.settings.model_copy(update={"scale": "serial", "scale_device": device})
    return runtime


async def test_the_scale_weighs_the_parcel_and_a_dropped_line_leaves_typing(
    store: SimStore, runtime: Runtime
) -> None:
    scale = PtyScale(nci_reply("  0.000kg", "20"))
    await sync(store, with_scale(runtime, scale.device))
    (order,) = packable(runtime, 1)
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        assert await shows(pilot, lambda text: "scale at zero" in text)
        for code in (order.name, *order.skus):
            app.screen.post_message(Scanned(code))
        await steps_done(pilot)
        scale.reply = nci_reply("  1.180kg", "10")
        assert await shows(pilot, lambda text: "scale in motion: 1,180 g: w to type it" in text)
        scale.reply = nci_reply("  1.215kg", "00")
        assert await shows(pilot, lambda text: "Weight           1,215 g" in text)
        scale.drop()  # the cable pulled mid-reading
        said = await shows(pilot, lambda text: "scale not connected" in text)
        assert "1,215 g" not in said and "w to type it" in said
        await pilot.press("w", *"1.3 kg", "enter")  # never blocked by the scale
        assert await shows(pilot, lambda text: "1,300 g typed" in text)
        assert isinstance(app.screen, PackScreen)
    assert not any(worker.is_running for worker in app.workers), "the scale's reader outlived the app"


async def test_the_box_scanned_for_these_items_is_offered_first_next_time(
    store: SimStore, runtime: Runtime
) -> None:
    await sync(store, runtime)
    first, second = packable(runtime, 2)
    app = packer_app(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        for code in (first.name, *first.skus):
            app.screen.post_message(Scanned(code))
        await steps_done(pilot)
        assert "Box              small (22 x 16 x 10 cm)\n" in shipping_text(app) + "\n"  # the first preset
        app.screen.post_message(Scanned("box-large"))  # the shelf's barcode
        await steps_done(pilot)
        assert "large (40 x 30 x 20 cm)" in shipping_text(app)
        await pilot.press("x")  # abandoned: the box is still the one for these items
        await steps_done(pilot)
        for code in (first.name, *first.skus):
            app.screen.post_message(Scanned(code))
        await steps_done(pilot)
        assert "large (40 x 30 x 20 cm)  last used for these items" in shipping_text(app)
        await pilot.press("x")
        await steps_done(pilot)
        assert sorted(second.skus) != sorted(first.skus)
        for code in (second.name, *second.skus):
            app.screen.post_message(Scanned(code))
        await steps_done(pilot)
        assert "small (22 x 16 x 10 cm)\n" in shipping_text(app) + "\n"  # other items: the first preset
        await pilot.press("b", "down", "enter")  # by key: the second of the list
        await steps_done(pilot)
        assert "medium (30 x 22 x 15 cm)" in shipping_text(app)
