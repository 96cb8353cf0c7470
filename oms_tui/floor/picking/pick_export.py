"""A pick list as plain text: for a printer without the PDF path, an email, or a clipboard."""

from __future__ import annotations

from oms_tui.floor.picking.pick_sheet import PickSheet, SheetLine

WIDTHS = (4, 12, 16, 30, 9)  # #, bin, SKU, title, qty


def export_text(sheet: PickSheet) -> str:
    picked, needed = sheet.units
    header = [
        f"Pick list {sheet.pick_list_id} · {sheet.staff_code} at {sheet.station}"
        f" · {sheet.created_at:%Y-%m-%d %H:%M} UTC · {sheet.state}",
        f"{len(sheet.lines)} lines, {picked}/{needed} units picked",
        "",
        _row("#", "Bin", "SKU", "Title", "Picked", "Totes"),
        _row("-" * WIDTHS[0], "-" * WIDTHS[1], "-" * WIDTHS[2], "-" * WIDTHS[3], "-" * WIDTHS[4], "-----"),
    ]
    body = [
        _row(
            str(line.stop),
            line.bin_code or "(no bin)",
            line.sku or "",
            line.title,
            f"{line.picked}/{line.needed}",
            _totes(line),
        )
        for line in sheet.lines
    ]
    totes = {tote.tote: tote for line in sheet.lines for tote in line.totes}
    legend = ["", "Totes:"] + [
        f"  {name} = {tote.order_name}" + (f" ({tote.withdrawn})" if tote.withdrawn else "")
        for name, tote in sorted(totes.items(), key=lambda item: int(item[0][1:] or 0))
    ]
    return "\n".join(header + body + legend) + "\n"


def _totes(line: SheetLine) -> str:
    parts = []
    for tote in line.totes:
        mark = f" short {tote.short}" if tote.short else ""
        mark += f" {tote.withdrawn}" if tote.withdrawn else ""
        parts.append(f"{tote.tote}x{tote.needed}{mark}")
    return ", ".join(parts)


def _row(*cells: str) -> str:
    fixed = [cell[:width].ljust(width) for cell, width in zip(cells, WIDTHS, strict=False)]
    return "  ".join([*fixed, *cells[len(WIDTHS) :]]).rstrip()
