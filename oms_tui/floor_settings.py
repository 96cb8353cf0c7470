"""The floor's rules as the settings make them, built once per station: the exception rules (SLA,
carrier, return window), ship-by times, the managers' order rules, the walking order of pick lists,
and how a barcode scanner is told apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cached_property
from typing import TYPE_CHECKING

from oms_tui.cache.ship_by import MethodPromise, ShipByPolicy
from oms_tui.config import DAY_NAMES, Settings
from oms_tui.floor.exceptions.rules import RuleSettings

if TYPE_CHECKING:  # picking's code loads with the first pick screen, not at start
    from oms_tui.floor.picking.walking import WalkRule
    from oms_tui.rules_settings import Rule


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
        return RuleSettings(settings.sla_hours, settings.carrier, settings.return_window_days, self.ship_by)

    @cached_property
    def ship_by(self) -> ShipByPolicy:
        """When orders must leave: the shipping methods' cut-offs, the warehouse's calendar, the SLA."""
        settings = self.settings
        methods = {
            name.strip().casefold(): MethodPromise(
                method.carrier,
                method.service,
                time.fromisoformat(method.cutoff),
                method.delivery_days,
                method.handling_days,
            )
            for name, method in settings.shipping_methods.items()
        }
        return ShipByPolicy(
            settings.sla_hours,
            settings.warehouse_timezone,
            frozenset(DAY_NAMES.index(day) for day in settings.weekend),
            frozenset(settings.holidays),
            methods,
        )

    @cached_property
    def order_rules(self) -> list[Rule]:
        """The managers' rules on orders, as the settings (checked when they loaded) write them."""
        from oms_tui.rules_settings import check_rules

        return check_rules(self.settings.rules)

    @cached_property
    def walk(self) -> WalkRule:
        from oms_tui.floor.picking.walking import WalkRule

        return WalkRule.of(self.settings.pick_walk, self.settings.pick_zones)

    @cached_property
    def scanner(self) -> Scanner:
        return Scanner(self.settings.scan_gap_ms, self.settings.scan_min_length)
