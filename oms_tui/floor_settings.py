"""The floor's rules as the settings make them, built once per station: the exception rules (SLA,
carrier, return window), the walking order of pick lists, and how a barcode scanner is told apart."""

from __future__ import annotations

from dataclasses import dataclass

from oms_tui.config import Settings
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.floor.picking.walking import WalkRule


@dataclass(frozen=True)
class Scanner:
    gap_ms: float  # the longest pause between a scanner's keys; 0: no scanner, every key is typing
    min_length: int  # the fewest characters a scan has


@dataclass(frozen=True)
class FloorSettings:
    rules: RuleSettings
    walk: WalkRule
    scanner: Scanner

    @classmethod
    def of(cls, settings: Settings) -> FloorSettings:
        return cls(
            rules=RuleSettings(
                sla_hours=settings.sla_hours,
                carrier=settings.carrier,
                return_window_days=settings.return_window_days,
            ),
            walk=WalkRule.of(settings.pick_walk, settings.pick_zones),
            scanner=Scanner(settings.scan_gap_ms, settings.scan_min_length),
        )
