"""Keys with timestamps the test chooses, as a barcode scanner or a person would type them.

The app tells scans from typing by the keys' own timestamps (`event.time`), so these helpers post key
events stamped as a scanner (no gap at all) or a person (a long gap) would make them, at once, and
wait until the app has judged every one: no test sleeps for the gap, none depends on the machine's speed.

    app = OmsApp(scanner_on(runtime), live=False, clock=lambda: NOW, staff=...)  # the fixture has none
    await scan(pilot, "#1004", "TEE-BLK-M")  # two bursts back to back: two `Scanned`
    await type_slowly(pilot, "3")  # a person pressing 3
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from dataclasses import replace
from typing import Any

from textual import events
from textual.app import App
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.pilot import Pilot

from oms_tui.runtime import Runtime

GAP_MS = 40.0  # the stations' setting in these tests, the default
PERSON_S = 0.25  # a quick typist's pause between keys


def scanner_on(runtime: Runtime, gap_ms: float = GAP_MS) -> Runtime:
    """The runtime with a scanner at its station (the shared fixture's keys come from Pilot: typing)."""
    return replace(runtime, settings=runtime.settings.model_copy(update={"scan_gap_ms": gap_ms}))


def key_event(character: str, at: float) -> events.Key:
    """The key event a terminal sends for `character` ("\\r" for Enter), stamped `at`."""
    event = events.Key("enter" if character == "\r" else key_name(character), character)
    event.time = at
    return event


def key_name(character: str) -> str:
    """Textual's name for the key that types `character`: `a`, `3`, `number_sign`, `slash`."""
    if character.isalnum():
        return character
    name = unicodedata.name(character, character).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


async def handled(app: App[Any]) -> None:
    """Until the app has handled every message posted to it so far."""
    done = asyncio.Event()
    app.call_later(done.set)
    await done.wait()


async def send(pilot: Pilot[Any], stamped: list[tuple[str, float]]) -> None:
    """Post these (character, time) keys to the app as a terminal would, then wait until the app has
    decided about each one (a held key goes on as typing once the gap has passed)."""
    app: Any = pilot.app
    for character, at in stamped:
        app.post_message(key_event(character, at))
    await handled(app)
    for _ in range(500):
        if not app.scan_input.holding:
            break
        await asyncio.sleep(0.01)
        await handled(app)
    else:
        raise AssertionError("keys still held back long after the gap")
    await pilot.pause()


async def scan(pilot: Pilot[Any], *codes: str, gap_ms: float = 0.0) -> None:
    """A scanner's bursts, back to back, each ending in Enter, `gap_ms` between every two keys."""
    assert pilot.app.scan_input.burst.gap > 0, "no scanner at this station: use scanner_on(runtime)"
    at = time.monotonic()
    stamped = []
    for character in "".join(f"{code}\r" for code in codes):
        stamped.append((character, at))
        at += gap_ms / 1000
    await send(pilot, stamped)


async def type_slowly(pilot: Pilot[Any], text: str, pause_s: float = PERSON_S) -> None:
    """A person typing `text` ("\\r" for Enter), `pause_s` between keys."""
    at = time.monotonic()
    await send(pilot, [(character, at + n * pause_s) for n, character in enumerate(text)])
