"""The recovery kit: one printable page holding a vault's recovery key.

The page is laid out inside the area that A4 and US Letter share (with margins that
survive either), so it prints whole on both. The PDF is a secret: the report service
writes it readable by its owner only, and the page tells the person to delete the file
once printed.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from crmdesk.reports.context import ReportContext
from crmdesk.reports.fonts import MONO, SANS, SANS_BOLD, register_fonts
from crmdesk.reports.watermark import draw_page_marks

# The content stays within the part of the page both A4 (595 x 842 pt) and
# US Letter (612 x 792 pt) have, so printing "actual size" on either loses nothing.
PAGE_W, PAGE_H = A4
SHARED_H = 792.0
MARGIN_X = 56.0
TOP = PAGE_H - (PAGE_H - SHARED_H) / 2 - 44.0
BOTTOM = (PAGE_H - SHARED_H) / 2 + 40.0
WIDTH = PAGE_W - 2 * MARGIN_X

INK = HexColor("#1b2430")
MUTED = HexColor("#5b6573")
ACCENT = HexColor("#1f3a5f")
WARN = HexColor("#9b1c1c")
PANEL = HexColor("#f3f5f8")
RULE = HexColor("#c9ced6")

GROUPS_PER_LINE = 7


def key_lines(recovery_key: str) -> list[str]:
    """The key's groups of four, seven to a line (two lines for a crmdesk key)."""
    groups = [g for g in recovery_key.replace(" ", "-").split("-") if g]
    return [
        "-".join(groups[i : i + GROUPS_PER_LINE]) for i in range(0, len(groups), GROUPS_PER_LINE)
    ]


def _style(
    size: float = 9.5, *, color: Color = INK, leading: float | None = None
) -> ParagraphStyle:
    return ParagraphStyle(
        "kit", fontName=SANS, fontSize=size, leading=leading or size * 1.35, textColor=color
    )


def _paragraph(
    c: Canvas, html: str, x: float, top: float, width: float, style: ParagraphStyle
) -> float:
    """Draw a wrapped paragraph with its top at ``top``; returns the y under it."""
    para = Paragraph(html, style)
    _, height = para.wrap(width, 1000)
    para.drawOn(c, x, top - height)
    return top - height


def _confidential_tag(c: Canvas, right: float, top: float) -> None:
    c.setFont(SANS_BOLD, 9)
    text = "CONFIDENTIAL"
    width = pdfmetrics.stringWidth(text, SANS_BOLD, 9) + 14
    c.setStrokeColor(WARN)
    c.setFillColor(WARN)
    c.setLineWidth(1.2)
    c.roundRect(right - width, top - 17, width, 17, 3, stroke=1, fill=0)
    c.drawCentredString(right - width / 2, top - 12, text)


def _draw(
    c: Canvas,
    *,
    vault_id: str,
    recovery_key: str,
    owner_name: str,
    business: str,
    vault_folder: str,
    created: datetime,
) -> None:
    left, right = MARGIN_X, MARGIN_X + WIDTH
    y = TOP

    # Header: the title, the marking, and whose vault this is.
    _confidential_tag(c, right, y + 4)
    c.setFillColor(ACCENT)
    c.setFont(SANS_BOLD, 22)
    c.drawString(left, y - 16, "crmdesk recovery kit")
    y -= 36
    c.setFillColor(MUTED)
    c.setFont(SANS, 10)
    c.drawString(
        left, y, "The spare key to an encrypted crmdesk vault. Print it, then keep it locked away."
    )
    y -= 14
    c.setStrokeColor(ACCENT)
    c.setLineWidth(1.5)
    c.line(left, y, right, y)
    y -= 22

    # Which vault: a small two-column table.
    rows = [
        ("Business", business or "—"),
        ("Owner", owner_name),
        ("Vault id", vault_id),
        ("Vault folder", vault_folder),
        ("Created", _date_text(created)),
    ]
    label_w = 92.0
    for label, value in rows:
        c.setFillColor(MUTED)
        c.setFont(SANS, 9.5)
        c.drawString(left, y - 10, label)
        font = MONO if label == "Vault id" else SANS
        style = _style(10.5)
        style.fontName = font
        bottom = _paragraph(c, escape(value), left + label_w, y, WIDTH - label_w, style)
        y = bottom - 8
    y -= 10

    # The key itself, large and monospaced, two lines of seven groups.
    lines = key_lines(recovery_key)
    size = 19.0
    line_h = size * 1.55
    panel_h = 34 + line_h * len(lines) + 10
    c.setFillColor(PANEL)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.8)
    c.roundRect(left, y - panel_h, WIDTH, panel_h, 6, stroke=1, fill=1)
    c.setFillColor(MUTED)
    c.setFont(SANS_BOLD, 9.5)
    c.drawString(left + 14, y - 20, "RECOVERY KEY")
    c.setFont(SANS, 8.5)
    c.drawRightString(
        right - 14, y - 20, "Capital letters and digits; dashes and case do not matter"
    )
    c.setFillColor(INK)
    c.setFont(MONO, size)
    text_y = y - 34 - size
    for line in lines:
        c.drawCentredString(left + WIDTH / 2, text_y, line)
        text_y -= line_h
    y -= panel_h + 24

    # What it is for, in a box that says where it belongs.
    body = [
        "<b>What it is for.</b> With this key you can open the vault on a new computer, or "
        "after this computer's keyring entry for crmdesk was lost or deleted: run "
        "<font name='DejaVuSansMono'>crmdesk recover</font> (or choose “Restore access "
        "with a recovery key” when crmdesk starts) and type the key.",
        "<b>Anyone who has this page can open the vault</b> and read every client record in "
        "it. Treat it like the key to your safe: do not photograph it, e-mail it, or keep it "
        "with the computer or its backups.",
        "<b>It stops working when the vault key is changed (rotated).</b> Print the new kit "
        "then, and destroy this one.",
        "crmdesk shows the recovery key only once and never stores it. If you saved this "
        "page as a PDF file, delete the file once the page is printed.",
    ]
    inner_x, inner_w = left + 16, WIDTH - 32
    para_style = _style(9.5)
    heights = []
    for html in body:
        _, h = Paragraph(html, para_style).wrap(inner_w, 1000)
        heights.append(h)
    box_h = 40 + sum(heights) + 7 * (len(body) - 1) + 14
    c.setStrokeColor(WARN)
    c.setLineWidth(1.6)
    c.setFillColor(HexColor("#fffaf9"))
    c.roundRect(left, y - box_h, WIDTH, box_h, 6, stroke=1, fill=1)
    c.setFillColor(WARN)
    c.setFont(SANS_BOLD, 13)
    c.drawString(inner_x, y - 24, "Keep this page locked away")
    para_y = y - 36
    for html in body:
        para_y = _paragraph(c, html, inner_x, para_y, inner_w, para_style) - 7
    y -= box_h + 34

    # A line to fill in by hand: where the page was put, by whom, when.
    c.setFillColor(INK)
    c.setFont(SANS, 10)
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.6)
    x = left
    for label, width in (("Stored at:", 190.0), ("by:", 100.0), ("date:", 0.0)):
        c.drawString(x, y, label)
        x += pdfmetrics.stringWidth(label, SANS, 10) + 5
        end = right if width == 0.0 else x + width
        c.line(x, y - 2, end, y - 2)
        x = end + 12

    # Footer, repeated marking.
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(left, BOTTOM + 14, right, BOTTOM + 14)
    c.setFont(SANS_BOLD, 8)
    c.setFillColor(WARN)
    c.drawString(left, BOTTOM, "CONFIDENTIAL")
    c.setFont(SANS, 8)
    c.setFillColor(MUTED)
    c.drawRightString(right, BOTTOM, f"crmdesk recovery kit · vault {vault_id}")


def _date_text(created: datetime) -> str:
    text = created.strftime("%Y-%m-%d %H:%M")
    if created.tzinfo is not None:
        text += f" {created.tzname() or ''}".rstrip()
    return text


def render_recovery_kit(
    *,
    vault_id: str,
    recovery_key: str,
    owner_name: str,
    business: str,
    vault_folder: str | Path,
    created: datetime,
    ctx: ReportContext | None = None,
) -> bytes:
    """The one-page recovery kit as PDF bytes; with ``ctx``, marked like every report
    (the printer's name across the page, report ID in the footer)."""
    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle("crmdesk recovery kit")
    c.setSubject(f"Recovery key of crmdesk vault {vault_id}")
    c.setCreator("crmdesk")
    if ctx is not None:
        c.setAuthor(ctx.printed_by)
        c.setKeywords(f"crmdesk report {ctx.report_id} {ctx.login}")
    _draw(
        c,
        vault_id=vault_id,
        recovery_key=recovery_key,
        owner_name=owner_name,
        business=business,
        vault_folder=str(vault_folder),
        created=created,
    )
    if ctx is not None:
        draw_page_marks(c, ctx, 1, 1)  # after the content: on top of it
    c.showPage()
    c.save()
    return buffer.getvalue()
