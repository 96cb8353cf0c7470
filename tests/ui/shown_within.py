"""Waiting, up to a bound, for a screen to show something (while another connection writes, say)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tests.writer_busy import PATIENCE_S


async def shown_within(pilot: Pilot[Any], shown: Callable[[Any], bool], seconds: float = PATIENCE_S) -> bool:
    """Whether `shown(app)` comes true within `seconds`."""
    deadline = time.monotonic() + seconds
    app: App[Any] = pilot.app
    while time.monotonic() < deadline:
        if shown(app):
            return True
        await pilot.pause(0.05)
    return False
