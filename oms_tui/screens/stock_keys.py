"""Stock keys other screens share: a damaged unit found while picking is set aside by one key."""

from __future__ import annotations

from typing import Any

from oms_tui.actions.stock_common import MoveName
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.picking.pick_sheet import SheetLine
from oms_tui.floor.stock.damaged import damaged_in_pick
from oms_tui.screens.choice_modal import Choice, ChoiceModal


def ask_set_aside(screen: Any, pick_list_id: int, line: SheetLine, actor: Actor) -> None:
    """Ask where the unit goes (damaged, or quality control), then record it through `screen.write`."""
    what = line.sku or line.title

    def chosen(choice: Choice | None) -> None:
        if choice is None:
            return
        target = MoveName(choice.value)
        screen.write(
            lambda session: damaged_in_pick(session, actor, pick_list_id, line.sku, line.bin_code, target),
            "Damaged unit",
            f"1 x {what} set aside as {target.value.replace('_', ' ')}",
        )

    options = [("Damaged", MoveName.DAMAGED.value), ("Quality control", MoveName.QUALITY_CONTROL.value)]
    screen.app.push_screen(
        ChoiceModal(f"1 x {what} from {line.bin_code or '(no bin)'}: set aside as", options), chosen
    )
