"""A pick list: one row per stop in walking order (bin, SKU with its Code128, title, units, totes)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from oms_tui.printing.content import PickListPaper
from oms_tui.printing.layout import barcode, render, text
from oms_tui.printing.paper import Paper


def render_pick_lists(sheets: Sequence[PickListPaper], paper: Paper) -> bytes:
    """One pick list per sheet (a location's batch), each from a new page."""
    story: list[Flowable] = []
    for n, sheet in enumerate(sheets):
        if n:
            story.append(PageBreak())
        story.extend(_pick_list(sheet, paper))
    orders = ", ".join(order for sheet in sheets for _, order in sheet.orders)
    return render(paper, f"Pick list {orders}", story)


def _pick_list(sheet: PickListPaper, paper: Paper) -> list[Flowable]:
    width = paper.size[0] - 2 * paper.margin
    totes = "   ".join(f"{tote} = {order}" for tote, order in sheet.orders)
    units = sum(line.quantity for line in sheet.lines)
    header = [text(h, paper, bold=True) for h in ("#", "Bin", "SKU", "Item", "Qty", "Totes")]
    rows = [header]
    for line in sheet.lines:
        shares = "\n".join(f"{share.quantity} in {share.tote}" for share in line.totes)
        rows.append(
            [
                text(str(line.sequence), paper),
                text(line.bin_code or "no bin", paper, 1.2, bold=True),
                barcode(line.sku, paper, height=paper.font_size * 2.2)
                if line.sku
                else text("(no SKU)", paper),
                text(line.title, paper),
                text(str(line.quantity), paper, 1.4, bold=True),
                text(shares, paper),
            ]
        )
    table = Table(
        rows,
        colWidths=[width * f for f in (0.05, 0.12, 0.36, 0.28, 0.07, 0.12)],
        repeatRows=1,
        style=TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), paper.font_size * 0.4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), paper.font_size * 0.4),
            ]
        ),
    )
    return [
        text(f"Pick list{f' - {sheet.location}' if sheet.location else ''}", paper, 1.6, bold=True),
        text(f"{len(sheet.lines)} stops, {units} units, {len(sheet.orders)} totes", paper),
        text(totes, paper),
        Spacer(1, paper.font_size),
        table,
    ]
