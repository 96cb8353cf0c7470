"""The imitation's postage labels and scan forms: a 4x6 PDF (ReportLab, Code128 of the tracking
number, as carriers print it) or ZPL for a thermal printer, and a letter-size PDF manifest."""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

LABEL_SIZE = (4 * inch, 6 * inch)


def _lines(address: dict[str, Any]) -> list[str]:
    city = " ".join(str(address.get(key) or "") for key in ("city", "state", "zip")).strip()
    found = [
        address.get("name"),
        address.get("company"),
        address.get("street1"),
        address.get("street2"),
        city,
    ]
    return [str(line).upper() for line in found if line]


def label_pdf(shipment: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=LABEL_SIZE, pageCompression=1)
    page.setTitle(f"Label {shipment['tracking_code']}")
    width, height = LABEL_SIZE
    rate = shipment["selected_rate"]
    page.setFont("Helvetica-Bold", 20)
    page.drawString(0.2 * inch, height - 0.45 * inch, f"{rate['carrier']} {rate['service']}".upper()[:26])
    page.setFont("Helvetica", 8)
    y = height - 0.75 * inch
    for line in _lines(shipment["from_address"]):
        page.drawString(0.2 * inch, y, line[:60])
        y -= 10
    page.line(0.1 * inch, y - 4, width - 0.1 * inch, y - 4)
    page.setFont("Helvetica-Bold", 12)
    y -= 24
    page.drawString(0.2 * inch, y, "SHIP TO:")
    for line in _lines(shipment["to_address"]):
        y -= 15
        page.drawString(0.4 * inch, y, line[:40])
    # bars of 1.6 pt: wide enough for a 300 dpi thermal printer and for a reader of the rendered page
    code = Code128(shipment["tracking_code"], barWidth=1.6, barHeight=1.1 * inch, quiet=True)
    left = max(0.05 * inch, (width - code.width) / 2)
    code.drawOn(page, left, 1.0 * inch)
    page.setFont("Helvetica-Bold", 11)
    page.drawCentredString(width / 2, 0.7 * inch, f"TRACKING # {shipment['tracking_code']}")
    page.setFont("Helvetica", 7)
    page.drawCentredString(width / 2, 0.4 * inch, f"REF {shipment.get('reference') or ''}  {shipment['id']}")
    page.showPage()
    page.save()
    return buffer.getvalue()


def label_zpl(shipment: dict[str, Any]) -> bytes:
    rate = shipment["selected_rate"]
    fields = [
        "^XA",
        "^CI28",
        f"^FO40,40^A0N,50,50^FD{rate['carrier']} {rate['service']}^FS".upper(),
    ]
    y = 110
    for line in _lines(shipment["from_address"]):
        fields.append(f"^FO40,{y}^A0N,24,24^FD{_zpl_text(line)}^FS")
        y += 28
    y += 30
    fields.append(f"^FO40,{y}^A0N,34,34^FDSHIP TO:^FS")
    for line in _lines(shipment["to_address"]):
        y += 40
        fields.append(f"^FO80,{y}^A0N,34,34^FD{_zpl_text(line)}^FS")
    fields += [
        f"^FO60,820^BY3^BCN,250,N,N,N^FD{shipment['tracking_code']}^FS",
        f"^FO60,1100^A0N,36,36^FDTRACKING # {shipment['tracking_code']}^FS",
        "^XZ",
    ]
    return ("\n".join(fields) + "\n").encode()


def _zpl_text(text: str) -> str:
    return text.replace("^", " ").replace("~", " ")


def scan_form_pdf(form: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=letter)
    page.setTitle(f"Scan form {form['id']}")
    height = letter[1]
    page.setFont("Helvetica-Bold", 16)
    page.drawString(inch, height - inch, f"SHIPMENT CONFIRMATION ACCEPTANCE NOTICE {form['id']}")
    Code128(form["id"], barWidth=1.2, barHeight=0.6 * inch).drawOn(page, inch, height - 1.9 * inch)
    page.setFont("Helvetica", 10)
    y = height - 2.3 * inch
    page.drawString(inch, y, f"{len(form['tracking_codes'])} parcels")
    for code in form["tracking_codes"]:
        y -= 14
        if y < inch:
            page.showPage()
            page.setFont("Helvetica", 10)
            y = height - inch
        page.drawString(inch, y, code)
    page.showPage()
    page.save()
    return buffer.getvalue()
