"""The floor's rules as the settings make them, built once per station: the exception rules (SLA,
carrier, return window), the walking order of pick lists, and how a barcode scanner is told apart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from oms_tui.config import Settings
from oms_tui.floor.exceptions.rules import RuleSettings

if TYPE_CHECKING:  # picking's code loads with the first pick screen, not at start
    from oms_tui.floor.picking.walking import WalkRule


@dataclass(frozen=True)
class Scanner:
    gap_ms: float  # the longest pause between a scanner's keys; 0: no scanner, every key is typing
    min_length: int  # the fewest characters a scan has


@dataclass
class FloorSettings:
    settings: Settings

    @cached_property
    def rules(self) -> RuleSettings:
        settings = self.settings
        return RuleSettings(settings.sla_hours, settings.carrier, settings.return_window_days)

    @cached_property
    def walk(self) -> WalkRule:
        from oms_tui.floor.picking.walking import WalkRule

        return WalkRule.of(self.settings.pick_walk, self.settings.pick_zones)

    @cached_property
    def scanner(self) -> Scanner:
        return Scanner(self.settings.scan_gap_ms, self.settings.scan_min_length)
