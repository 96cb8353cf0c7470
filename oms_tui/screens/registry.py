"""The app's screens, each reachable by one key from anywhere.

`catalog.SCREENS` lists a `ScreenEntry` per screen (its key, its name and how to make it), and the
app installs each as a mode: a screen made once, kept while others are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.screen import Screen

from oms_tui.cache.database import Cache
from oms_tui.config import Settings
from oms_tui.floor_settings import FloorSettings
from oms_tui.runtime import Runtime


@dataclass(frozen=True)
class ScreenContext:
    """What a screen may use: the runtime (cache, settings) and the app's clock (frozen in tests)."""

    runtime: Runtime
    clock: Callable[[], datetime]

    @property
    def cache(self) -> Cache:
        return self.runtime.cache

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def floor(self) -> FloorSettings:
        return self.runtime.floor


@dataclass(frozen=True)
class ScreenEntry:
    key: str  # as Textual names keys: "f2"
    name: str  # the mode's name, unique: "queues"
    title: str  # in the Footer, the help screen and the command palette
    make: Callable[[ScreenContext], Screen[Any]]
    module: str = ""  # `oms_tui.screens.<module>` that `make` imports: loaded ahead, after the first frame
