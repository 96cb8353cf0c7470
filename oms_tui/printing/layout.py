"""ReportLab pieces shared by the slips and the pick lists: text styles, barcodes, the document."""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from oms_tui.printing.paper import Paper

# A scanner reads a module (the narrowest bar) down to about 0.25 mm; these leave room for a worn
# thermal head and a skewed hand-held scan.
BAR_WIDTH = 0.9  # points per module, on office paper
LABEL_BAR_WIDTH = 0.75
QUIET_MODULES = 10  # the blank margin Code128 asks for on either side (ReportLab's default is wider)


def style(paper: Paper, scale: float = 1.0, *, bold: bool = False) -> ParagraphStyle:
    size = paper.font_size * scale
    font = "Helvetica-Bold" if bold else "Helvetica"
    return ParagraphStyle(f"{font}-{size}", fontName=font, fontSize=size, leading=size * 1.25)


def text(value: str, paper: Paper, scale: float = 1.0, *, bold: bool = False) -> Paragraph:
    """Plain text (never markup: titles and addresses are customers' and merchants' words)."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style(paper, scale, bold=bold))


def barcode(value: str, paper: Paper, height: float, scale: float = 1.0) -> Code128:
    """Code128 of `value`, with the value printed under it for a person to read."""
    width = (LABEL_BAR_WIDTH if paper.label else BAR_WIDTH) * scale
    quiet = QUIET_MODULES * width
    return Code128(
        value,
        barWidth=width,
        barHeight=height,
        humanReadable=True,
        fontSize=paper.font_size * 0.8,
        lquiet=quiet,
        rquiet=quiet,
    )


def render(paper: Paper, title: str, story: Sequence[Flowable]) -> bytes:
    """The PDF of `story` on `paper` (title: the PDF's document title, as a print queue shows it)."""
    out = io.BytesIO()
    margin = paper.margin
    document = SimpleDocTemplate(
        out,
        pagesize=paper.size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author="oms-tui",
    )
    document.build(list(story))
    return out.getvalue()
