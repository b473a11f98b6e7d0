"""Page layout shared by the reports: the document, its metadata and common styles."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfdoc import PDFArray, PDFBase85Encode, PDFName, PDFStream, PDFZCompress
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.fonts import SANS, SANS_BOLD, register_fonts
from crmdesk.reports.paper import page_size, shared_size
from crmdesk.reports.watermark import SIDE_MARGIN, TOTAL_MARK, draw_page_marks

INK = HexColor("#1b2430")
MUTED = HexColor("#5b6573")
ACCENT = HexColor("#1f3a5f")
WARN = HexColor("#9b1c1c")
ZEBRA = HexColor("#f3f5f8")
HEAD_BG = HexColor("#e4e9f0")
RULE = HexColor("#c9ced6")

TOP_MARGIN = 58.0
BOTTOM_MARGIN = 52.0
HEADING_ROOM = 110.0  # a heading needs this much page below it, or it moves on


@dataclass(frozen=True)
class Styles:
    """Paragraph styles of the reports."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_right: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """The shared paragraph styles (DejaVu throughout)."""
    register_fonts()

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("fontName", SANS)
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, fontSize=size, leading=kw.pop("leading", size * 1.3), **kw)

    cell = style("cell", 8.5, leading=10.8)
    head = style("cell_head", 8, fontName=SANS_BOLD, textColor=ACCENT, leading=10)
    return Styles(
        title=style("title", 22, fontName=SANS_BOLD, textColor=ACCENT, spaceAfter=4),
        subtitle=style("subtitle", 10.5, textColor=MUTED, spaceAfter=2),
        heading=style(
            "heading",
            13,
            fontName=SANS_BOLD,
            textColor=ACCENT,
            spaceBefore=16,
            spaceAfter=6,
        ),
        subheading=style(
            "subheading", 10, fontName=SANS_BOLD, spaceBefore=8, spaceAfter=3, keepWithNext=1
        ),
        body=style("body", 9.5, leading=13),
        small=style("small", 8, textColor=MUTED),
        label=style("label", 8.5, textColor=MUTED, leading=10.8),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_head=head,
        cell_head_right=ParagraphStyle("cell_head_right", parent=head, alignment=TA_RIGHT),
    )


def para(text: object, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain (escaped) text; line breaks are kept."""
    html = escape("" if text is None else str(text)).replace("\n", "<br/>")
    return Paragraph(html, style or styles().body)


def heading(text: str, *, confidential: bool = False) -> Paragraph:
    """A section heading; value-added sections carry a small "Confidential" tag."""
    html = escape(text)
    if confidential:
        html += (
            f'&nbsp;&nbsp;<font name="{SANS_BOLD}" size="6.5" color="#9b1c1c">CONFIDENTIAL</font>'
        )
    return Paragraph(html, styles().heading)


def table_style(*, header: bool = True, right_columns: Iterable[int] = ()) -> TableStyle:
    """Zebra rows, a tinted repeated header row, hairline rules."""
    first = 1 if header else 0
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), SANS),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 10.8),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.white, ZEBRA]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("FONTNAME", (0, 0), (-1, 0), SANS_BOLD),
            ("FONTSIZE", (0, 0), (-1, 0), 8),
            ("TEXTCOLOR", (0, 0), (-1, 0), ACCENT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ]
    for col in right_columns:
        commands.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    return TableStyle(commands)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    right_columns: Iterable[int] = (),
) -> Table:
    """A table with a header row repeated on every page; str cells are wrapped."""
    right = set(right_columns)
    s = styles()
    head = [para(h, s.cell_head_right if i in right else s.cell_head) for i, h in enumerate(header)]

    def cell(i: int, value: object) -> object:
        if not isinstance(value, str):
            return value
        # Plain text wrapped here (the table style sets the same font and leading):
        # laying out a Paragraph per cell costs ten times more, which adds up over
        # 500 purchases or 10,000 clients.
        room = widths[i] - 10
        return "\n".join(
            part
            for line in value.split("\n")
            for part in simpleSplit(line, SANS, 8.5, room) or [""]
        )

    body = [[cell(i, v) for i, v in enumerate(row)] for row in rows]
    table = Table([head, *body], colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(right_columns=right))
    return table


def key_values(pairs: Sequence[tuple[str, str]], width: float, label_width: float = 110) -> Table:
    """A quiet two-column table of labels and values (empty values left out)."""
    s = styles()
    rows = [[para(k, s.label), para(v, s.cell)] for k, v in pairs if v]
    if not rows:
        rows = [[para("—", s.label), para("", s.cell)]]
    table = Table(rows, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def empty_note(text: str = "None recorded.") -> Paragraph:
    return para(text, styles().small)


def keep(*flowables: Flowable) -> KeepTogether:
    return KeepTogether(list(flowables))


def gap(height: float = 6) -> Spacer:
    return Spacer(1, height)


def frame_width(*, wide: bool = False) -> float:
    """The width content may use: the same on A4 and Letter (see reports/paper.py)."""
    return shared_size(wide=wide)[0] - 2 * SIDE_MARGIN


def frame_height(paper: str, *, wide: bool = False) -> float:
    """The height content may use on one page of ``paper``."""
    return page_size(paper, wide=wide)[1] - TOP_MARGIN - BOTTOM_MARGIN


class Checkpoint(Flowable):
    """A zero-size flowable that reports layout progress and honours cancellation."""

    def __init__(
        self,
        done: int,
        progress: Callable[[int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        super().__init__()
        self.done, self.progress, self.cancelled = done, progress, cancelled

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:  # noqa: N803
        if self.cancelled is not None and self.cancelled():
            raise ReportCancelled("The report was cancelled.")
        return 0, 0

    def draw(self) -> None:
        if self.progress is not None:
            self.progress(self.done)


class Deferred(Flowable):
    """A zero-size stand-in for flowables made only when the layout reaches it.

    A long report keeps its rows as plain data until their page comes: a laid-out table
    holds a style object per cell, which for 100,000 clients is most of the memory.
    """

    _ZEROSIZE = True

    def __init__(self, make: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self._make: Callable[[], list[Flowable]] | None = make

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        if self._make is not None:
            made, self._make = self._make(), None
            self._frame.add_generated_content(*made)  # laid out next, in this frame


def _marked_canvas(ctx: ReportContext) -> type[Canvas]:
    """A canvas that marks each page as it closes and holds it only compressed.

    A page's footer shows ``TOTAL_MARK`` where the page total goes; at save each page
    is unpacked in turn, the mark replaced by the total, and the page encoded as
    reportlab would. Memory stays flat however long the report: holding every page's
    drawing state until the count was known took ~900 MB for 100,000 clients.
    """

    class MarkedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[bytes] = []  # each page's content, compressed

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            draw_page_marks(self, ctx, self._pageNumber, None)  # after the content: on top
            Canvas.showPage(self)
            page = self._doc.Pages.pages[-1]
            # Level 1: this copy is unpacked again at save; speed matters more here.
            self._held.append(zlib.compress(_stream_bytes(page.stream), 1))
            page.stream = None

        def save(self) -> None:
            total = str(len(self._held)).encode("ascii")
            mark = TOTAL_MARK.encode("ascii")
            held, self._held = self._held, []
            pages = self._doc.Pages.pages
            if len(pages) != len(held):
                raise ValueError("a page was not marked")
            for i, page in enumerate(pages):
                # Each held copy let go once encoded: never the whole document twice.
                content, held[i] = zlib.decompress(held[i]), b""
                at = content.rfind(mark)
                if at >= 0:
                    content = content[:at] + total + content[at + len(mark) :]
                page.Contents = _page_stream(content, compressed=bool(page.compression))
            del held
            Canvas.save(self)

    return MarkedCanvas


def _stream_bytes(stream: str | bytes) -> bytes:
    # As reportlab's own filter encodes a page's text.
    return stream.encode("utf-8") if isinstance(stream, str) else stream


def _page_stream(content: bytes, *, compressed: bool) -> PDFStream:
    """A page's content stream, encoded now with the filters reportlab would apply when
    writing the file (a stream that names its filters is written as it is)."""
    filters = []
    if compressed:
        filters = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
    data: bytes | str = content
    for f in reversed(filters):
        data = f.encode(data)
    stream = _WrittenOnce(content=data)
    if filters:
        stream.dictionary["Filter"] = PDFArray([PDFName(f.pdfname) for f in filters])
    stream.__Comment__ = "page stream"
    return stream


class _WrittenOnce(PDFStream):
    """A page's content stream that lets go of its bytes once formatted into the file:
    otherwise every page is held twice while reportlab assembles the document (the
    100,000-client list: 19 MB more at the peak). Formatted a second time, it fails."""

    def format(self, document: Any) -> bytes:
        try:
            return super().format(document)
        finally:
            self.content = None


class _Written:
    """Where reportlab writes the finished document: its bytes kept as they are (a
    ``BytesIO`` holds a copy, and ``getvalue`` may make another)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def getvalue(self) -> bytes:
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)


def _headings_kept(story: list[Flowable]) -> list[Flowable]:
    """A section heading starts a new page unless its first lines fit under it.

    (keepWithNext would glue a heading to its whole table, and a table longer than the
    rest of the page would then leave that space empty.)
    """
    out: list[Flowable] = []
    for flowable in story:
        if isinstance(flowable, Paragraph) and flowable.style.name == "heading":
            out.append(CondPageBreak(HEADING_ROOM))
        out.append(flowable)
    return out


def build_pdf(story: list[Flowable], ctx: ReportContext, *, wide: bool = False) -> bytes:
    """Lay ``story`` out on the context's paper (landscape if ``wide``) with every page
    marked; PDF bytes. The content is as wide on A4 as on Letter, centred."""
    register_fonts()
    pagesize = page_size(ctx.paper, wide=wide)
    side = (pagesize[0] - frame_width(wide=wide)) / 2
    buffer = _Written()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=side,
        rightMargin=side,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=ctx.title,
        author=ctx.printed_by,
        subject=f"Report {ctx.report_id}",
        keywords=[f"report {ctx.report_id}", f"printed by {ctx.login}", ctx.kind, "crmdesk"],
        creator="crmdesk",
        producer="crmdesk (reportlab)",
        pageCompression=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=pagesize)])
    doc.build(_headings_kept(story), canvasmaker=_marked_canvas(ctx))
    return buffer.getvalue()


# ---------------------------------------------------------------------------- formatting

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def money(value: object) -> str:
    """``1234.5`` / ``"1234.50"`` -> ``1,234.50``; empty for None or nonsense."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def day(value: object) -> str:
    """A date (or ISO date text) as ``1 Dec 2025``; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"
    return str(value)


def as_date(value: object) -> dt.date | None:
    """A date from a date or ISO text; None if it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
