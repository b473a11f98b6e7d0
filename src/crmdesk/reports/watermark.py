"""The marks on every printed page: the one place they are drawn.

Each page carries, on top of its content so nothing can cover them: a diagonal watermark
with the printer's full name and the time of printing (three times down the page, so a
cropped photo still shows it), a header marking the page a trade secret, and a footer
saying who printed it, when, which report it is and which page.
"""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from crmdesk.reports.context import ReportContext
from crmdesk.reports.fonts import SANS, SANS_BOLD

MARK_INK = HexColor("#1f3a5f")
MUTED = HexColor("#5b6573")
WARN = HexColor("#9b1c1c")
RULE = HexColor("#c9ced6")
WATERMARK_ALPHA = 0.12
SIDE_MARGIN = 42.0
HEADER_FROM_TOP = 30.0
FOOTER_FROM_BOTTOM = 24.0
FOOTER_SIZE = 7.0


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def watermark_text(ctx: ReportContext) -> str:
    return f"{ctx.printed_by} · {ctx.printed_text}"


def footer_text(ctx: ReportContext, page_number: int, page_count: int) -> str:
    text = (
        f"Printed by {ctx.printed_by} · {ctx.printed_text} · Report {ctx.report_id} · "
        f"page {page_number} of {page_count}"
    )
    if ctx.audit_head:
        text += f" · Audit head {ctx.audit_head[:16]}…"
    return text


def _watermark(c: Canvas, ctx: ReportContext, width: float, height: float) -> None:
    text = watermark_text(ctx)
    angle = 35.0 if height >= width else 22.0
    # As large as fits across the page at that angle, but not shouting.
    size = min(34.0, 0.78 * width / max(stringWidth(text, SANS_BOLD, 1), 1.0))
    c.saveState()
    c.setFillColor(MARK_INK)
    c.setFillAlpha(WATERMARK_ALPHA)
    c.setFont(SANS_BOLD, size)
    for fraction in (0.2, 0.5, 0.8):
        c.saveState()
        c.translate(width / 2, height * fraction)
        c.rotate(angle)
        c.drawCentredString(0, -size / 3, text)
        c.restoreState()
    c.restoreState()


def _header(c: Canvas, ctx: ReportContext, width: float, height: float) -> None:
    y = height - HEADER_FROM_TOP
    left, right = SIDE_MARGIN, width - SIDE_MARGIN
    marking = "CONFIDENTIAL — trade secret" + (f" of {ctx.business}" if ctx.business else "")
    marking = _fit(marking, SANS_BOLD, 7.5, (right - left) * 0.55)
    c.setFont(SANS_BOLD, 7.5)
    c.setFillColor(WARN)
    c.drawString(left, y, marking)
    room = right - left - stringWidth(marking, SANS_BOLD, 7.5) - 24
    c.setFont(SANS, 7.5)
    c.setFillColor(MUTED)
    c.drawRightString(right, y, _fit(ctx.title, SANS, 7.5, room))
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.line(left, y - 5, right, y - 5)


def _footer(c: Canvas, ctx: ReportContext, width: float, page: int, count: int) -> None:
    left, right = SIDE_MARGIN, width - SIDE_MARGIN
    y = FOOTER_FROM_BOTTOM
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.line(left, y + 10, right, y + 10)
    c.setFillColor(MUTED)
    text = footer_text(ctx, page, count)
    size = FOOTER_SIZE
    while size > 5.5 and stringWidth(text, SANS, size) > right - left:
        size -= 0.25
    c.setFont(SANS, size)
    if stringWidth(text, SANS, size) <= right - left:
        c.drawString(left, y, text)
        return
    # Too long even small: the audit head goes on a second line, and a very long name
    # is shortened so the ID and page number always show.
    tail = f" · {ctx.printed_text} · Report {ctx.report_id} · page {page} of {count}"
    room = right - left - stringWidth("Printed by " + tail, SANS, size)
    c.drawString(left, y, f"Printed by {_fit(ctx.printed_by, SANS, size, room)}{tail}")
    if ctx.audit_head:
        c.drawString(left, y - size * 1.3, f"Audit head {ctx.audit_head[:16]}…")


def draw_page_marks(c: Canvas, ctx: ReportContext, page_number: int, page_count: int) -> None:
    """Draw the watermark, header and footer on the current page (after its content)."""
    width, height = c._pagesize
    c.saveState()
    _watermark(c, ctx, width, height)
    _header(c, ctx, width, height)
    _footer(c, ctx, width, page_number, page_count)
    c.restoreState()
