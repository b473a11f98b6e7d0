"""The marks on every printed page: the one place they are drawn.

Each page carries, on top of its content so nothing can cover them: a diagonal watermark
with the printer's full name and the time of printing (three times down the page, so a
cropped photo still shows it), a header marking the page a trade secret, and a footer
saying who printed it, when, which report it is and which page.

The page total ("page 3 of M") is not known while a long report is still being laid out.
Rather than hold every page back until the end, a page may be marked as it closes with
:data:`TOTAL_MARK` in place of the total; the canvas puts the total in its place when
the document is saved (see ``layout._marked_canvas``).
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
# Stands for a page total not known yet. Plain ASCII, so it is written into the page's
# content as these very bytes (reportlab keeps ASCII readable in its font subsets), and
# the footer is drawn last, so the page's last occurrence of it is the footer's.
TOTAL_MARK = "~~~~"
# A total not known yet is measured as this many digits when choosing the footer's size
# (DejaVu Sans digits are all one width, so only their number matters).
_RESERVED_DIGITS = 4


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def watermark_text(ctx: ReportContext) -> str:
    return f"{ctx.printed_by} · {ctx.printed_text}"


def footer_text(ctx: ReportContext, page_number: int, page_count: int | str) -> str:
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


def _footer(c: Canvas, ctx: ReportContext, width: float, page: int, count: int | None) -> None:
    left, right = SIDE_MARGIN, width - SIDE_MARGIN
    y = FOOTER_FROM_BOTTOM
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.line(left, y + 10, right, y + 10)
    c.setFillColor(MUTED)
    # An unknown total is measured as the widest it is likely to be, drawn as the mark.
    widest = "9" * max(len(str(page)), _RESERVED_DIGITS) if count is None else str(count)
    measured = footer_text(ctx, page, widest)
    shown = TOTAL_MARK if count is None else str(count)
    size = FOOTER_SIZE
    while size > 5.5 and stringWidth(measured, SANS, size) > right - left:
        size -= 0.25
    c.setFont(SANS, size)
    if stringWidth(measured, SANS, size) <= right - left:
        c.drawString(left, y, footer_text(ctx, page, shown))
        return
    # Too long even small: the audit head goes on a second line, and a very long name
    # is shortened so the ID and page number always show.
    tail = f" · {ctx.printed_text} · Report {ctx.report_id} · page {page} of "
    room = right - left - stringWidth("Printed by " + tail + widest, SANS, size)
    c.drawString(left, y, f"Printed by {_fit(ctx.printed_by, SANS, size, room)}{tail}{shown}")
    if ctx.audit_head:
        c.drawString(left, y - size * 1.3, f"Audit head {ctx.audit_head[:16]}…")


def draw_page_marks(
    c: Canvas, ctx: ReportContext, page_number: int, page_count: int | None
) -> None:
    """Draw the watermark, header and footer on the current page (after its content).

    ``page_count`` None: the footer shows :data:`TOTAL_MARK`, for the canvas to replace.
    """
    width, height = c._pagesize
    c.saveState()
    _watermark(c, ctx, width, height)
    _header(c, ctx, width, height)
    _footer(c, ctx, width, page_number, page_count)
    c.restoreState()
