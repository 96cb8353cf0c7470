"""A tally sheet per inbound shipment: what it holds, line by line, with what this receipt counted
(accepted into which bins, rejected and why) or blank columns to tally on paper at the dock."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from sqlmodel import Session, col, select

from oms_tui.cache.models import InboundReceipt, InventoryShipment, InventoryShipmentLine
from oms_tui.config import Settings
from oms_tui.floor.inbound.receiving import Receipt, read_receipt
from oms_tui.printing.layout import barcode, render, text
from oms_tui.printing.output import Document
from oms_tui.printing.paper import PAPERS, Paper


@dataclass(frozen=True)
class TallyLine:
    sku: str | None
    title: str
    shipped: int
    expected: int  # still to receive when the receipt began
    accepted: str  # "" on a blank sheet
    rejected: str
    bins: str


@dataclass(frozen=True)
class TallySheet:
    shipment_name: str
    transfer_name: str
    route: str  # "East Coast DC -> Main Warehouse"
    tracking: str
    lines: tuple[TallyLine, ...]
    counted_by: str  # "" on a blank sheet


def tally_sheet(session: Session, shipment: InventoryShipment) -> TallySheet:
    """The shipment's sheet, with its latest receipt's counts (blank when none was started)."""
    latest = session.exec(
        select(InboundReceipt.id)
        .where(InboundReceipt.shipment_id == shipment.id)
        .order_by(col(InboundReceipt.id).desc())
    ).first()
    receipt: Receipt | None = read_receipt(session, latest) if latest is not None else None
    if receipt is not None:
        lines = tuple(
            TallyLine(
                line.sku,
                line.title,
                line.shipped,
                line.expected,
                str(line.accepted),
                f"{line.rejected} {', '.join(line.reasons)}".strip() if line.rejected else "0",
                ", ".join(f"{units} in {code}" for code, units in line.bins),
            )
            for line in receipt.lines
        )
    else:
        rows = session.exec(
            select(InventoryShipmentLine)
            .where(InventoryShipmentLine.shipment_id == shipment.id)
            .order_by(col(InventoryShipmentLine.position))
        )
        lines = tuple(
            TallyLine(row.sku, row.title or row.sku or "", row.quantity, row.unreceived_quantity, "", "", "")
            for row in rows
        )
    route = f"{shipment.origin_name or '?'} -> {shipment.destination_name or '?'}"
    tracking = " ".join(part for part in (shipment.tracking_company, shipment.tracking_number) if part)
    who = f"counted by {receipt.staff_code} ({receipt.state})" if receipt else ""
    return TallySheet(shipment.name, shipment.transfer_name, route, tracking, lines, who)


def tally_document(session: Session, shipment: InventoryShipment, settings: Settings) -> Document:
    sheet = tally_sheet(session, shipment)
    pdf = render_tally(sheet, PAPERS[settings.paper])
    return Document(f"tally-{shipment.name.lstrip('#')}", pdf)


def render_tally(sheet: TallySheet, paper: Paper) -> bytes:
    width = paper.size[0] - 2 * paper.margin
    head = Table(
        [
            [
                [
                    text(f"Tally sheet {sheet.shipment_name}", paper, 1.5, bold=True),
                    text(f"Transfer {sheet.transfer_name}: {sheet.route}", paper),
                    text(sheet.tracking or "no tracking", paper, 0.9),
                ],
                barcode(sheet.shipment_name, paper, height=paper.font_size * 3.5, scale=1.2),
            ]
        ],
        colWidths=[width * 0.6, width * 0.4],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
    )
    header = [
        text(h, paper, bold=True)
        for h in ("SKU", "Item", "Shipped", "Expected", "Accepted", "Rejected", "Bins")
    ]
    rows: list[list[Flowable]] = [header]
    for line in sheet.lines:
        rows.append(
            [
                barcode(line.sku, paper, height=paper.font_size * 2) if line.sku else text("(no SKU)", paper),
                text(line.title, paper, 0.9),
                text(str(line.shipped), paper),
                text(str(line.expected), paper, bold=True),
                text(line.accepted, paper, 1.2, bold=True),
                text(line.rejected, paper, 0.9),
                text(line.bins, paper, 0.9),
            ]
        )
    table = Table(
        rows,
        colWidths=[width * f for f in (0.22, 0.2, 0.07, 0.1, 0.1, 0.14, 0.17)],
        repeatRows=1,
        style=TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )
    shipped = sum(line.shipped for line in sheet.lines)
    story: list[Flowable] = [head, Spacer(1, paper.font_size), table, Spacer(1, paper.font_size / 2)]
    story.append(
        text(f"{shipped} unit(s) shipped on {len(sheet.lines)} line(s). {sheet.counted_by}", paper, 0.9)
    )
    return render(paper, f"Tally sheet {sheet.shipment_name}", story)
