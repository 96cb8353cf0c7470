"""What the pick screen draws: a line of the list, the summary above it, where the cursor goes."""

from __future__ import annotations

from rich.text import Text

from oms_tui.cache.models import Staff
from oms_tui.floor.picking.pick_sheet import PickSheet, SheetLine
from oms_tui.widgets.table_columns import Column

COLUMNS = (  # bin, item and count first: a narrow screen hides the stop number, cuts the title
    Column("#", justify="right", priority=3), Column("Bin", max_width=14), Column("SKU", max_width=24),
    Column("Title", min_width=12, max_width=40, priority=2), Column("Picked"),
    Column("Totes", min_width=10, priority=2),
)  # fmt: skip


def line_cells(line: SheetLine) -> tuple[Text, ...]:
    done = not line.left
    style = "dim green" if done else ""
    picked = Text(f"{line.picked}/{line.needed}", style="bold green" if done else "bold")
    if line.short:
        picked.append(f" short {line.short}", style="bold yellow")
    totes = ", ".join(
        f"{tote.tote}x{tote.needed}" + (f" {tote.withdrawn}" if tote.withdrawn else "") for tote in line.totes
    )
    return (
        Text(str(line.stop), style=style),
        Text(line.bin_code or "(no bin)", style=style or "bold"),
        Text(line.sku or "", style=style),
        Text(line.title, style=style),
        picked,
        Text(totes, style=style),
    )


def summary(sheet: PickSheet, staff: Staff | None) -> Text:
    picked, needed = sheet.units
    totes = {tote.tote: tote for line in sheet.lines for tote in line.totes}
    return Text.assemble(
        (f"Pick list {sheet.pick_list_id}", "bold"),
        f" · {staff.name if staff else sheet.staff_code} at {sheet.station} · ",
        (f"{picked}/{needed}", "bold"),
        " units · ",
        ", ".join(
            f"{name} {tote.order_name}" + (f" ({tote.withdrawn})" if tote.withdrawn else "")
            for name, tote in sorted(totes.items(), key=lambda item: int(item[0][1:] or 0))
        ),
    )


def cursor_after(sheet: PickSheet, counted: int | None) -> int | None:
    """Where the cursor goes after a count of stop `counted` (None: a list just opened): the line
    counted while it has units left, then the next one after it that has (the picker walks on), else
    the first that has; once everything is fetched, the line counted (a list just opened: None)."""
    index = next((n for n, line in enumerate(sheet.lines) if line.stop == counted), None)
    if index is None:
        return sheet.current
    ahead = next((n for n, line in enumerate(sheet.lines[index:], index) if line.left), None)
    return ahead if ahead is not None else sheet.current if sheet.current is not None else index


def typing_line(typed: str) -> Text:
    """The code being typed, until Enter counts it."""
    if not typed:
        return Text("")
    return Text.assemble(("Typed ", "dim"), (typed, "bold"), "▏", ("  Enter counts it · Esc drops it", "dim"))
