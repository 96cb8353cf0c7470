"""Packing slips: one page per order, with the order number as a Code128 the pack station scans."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from oms_tui.printing.content import PackingSlip
from oms_tui.printing.layout import barcode, render, text
from oms_tui.printing.paper import Paper


def render_slips(slips: Sequence[PackingSlip], paper: Paper) -> bytes:
    story: list[Flowable] = []
    for n, slip in enumerate(slips):
        if n:
            story.append(PageBreak())
        story.extend(_slip(slip, paper))
    names = ", ".join(slip.order_name for slip in slips)
    return render(paper, f"Packing slips {names}", story)


def _slip(slip: PackingSlip, paper: Paper) -> list[Flowable]:
    width = paper.size[0] - 2 * paper.margin
    head = Table(
        [
            [
                [text(slip.shop_name, paper, 1.6, bold=True), text(f"Order {slip.order_name}", paper, 1.3)],
                barcode(slip.order_name, paper, height=paper.font_size * 4, scale=1.3),
            ]
        ],
        colWidths=[width * 0.55, width * 0.45],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
    )
    ship_to = [text("Ship to", paper, 0.9, bold=True), text("\n".join(slip.ship_to), paper, 1.1)]
    rows = [[text("Qty", paper, bold=True), text("Item", paper, bold=True), text("SKU", paper, bold=True)]]
    for line in slip.lines:
        title = f"{line.title} (bundle)" if line.components else line.title
        rows.append(
            [
                text(str(line.quantity), paper, 1.2, bold=True),
                text(title, paper, bold=bool(line.components)),
                text(line.sku or "", paper),
            ]
        )
        rows += [  # a bundle's components, beneath it: what goes in the box as it
            [
                text(str(part.quantity), paper, 0.9),
                text(f"· {part.title}", paper, 0.9),
                text(part.sku or "", paper, 0.9),
            ]
            for part in line.components
        ]
    items = Table(
        rows,
        colWidths=[width * 0.12, width * 0.58, width * 0.30],
        repeatRows=1,
        style=TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )
    gap = paper.font_size
    units = sum(line.units for line in slip.lines)
    return [
        head,
        Spacer(1, gap),
        *ship_to,
        Spacer(1, gap),
        items,
        Spacer(1, gap / 2),
        text(f"{units} item(s)", paper, 0.9),
        Spacer(1, gap),
        text(slip.note, paper, 1.0),
    ]
