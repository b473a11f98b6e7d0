"""A printed client list: the clients of the current search and filters, one per row."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table

from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.fonts import SANS
from crmdesk.reports.layout import (
    Checkpoint,
    Deferred,
    build_pdf,
    day,
    frame_width,
    gap,
    money,
    para,
    styles,
    table_style,
)

CHUNK = 500
HEADER = (
    "Name", "Status", "Salesperson", "Phone", "Email",
    "Last contact", "12-month\nspend", "Expected\nnext order",
)  # fmt: skip
RIGHT = (6,)
_WIDTH = frame_width(wide=True)
# Name and email take what the fixed columns leave.
_FIXED = {1: 58.0, 2: 86.0, 3: 92.0, 5: 68.0, 6: 76.0, 7: 72.0}
_FLEX = _WIDTH - sum(_FIXED.values())
WIDTHS = [
    _FLEX * 0.55, _FIXED[1], _FIXED[2], _FIXED[3], _FLEX * 0.45, _FIXED[5], _FIXED[6], _FIXED[7],
]  # fmt: skip
_PAD = 10.0
_SIZE = 8.5


def _cell(text: str, column: int) -> str:
    """Plain text (much faster to lay out than a Paragraph), wrapped to its column."""
    room = WIDTHS[column] - _PAD
    if len(text) * _SIZE * 1.05 < room or stringWidth(text, SANS, _SIZE) <= room:
        return text
    lines = simpleSplit(text, SANS, _SIZE, room)
    return "\n".join(part for line in lines for part in _break_long(line, room))


def _break_long(line: str, room: float) -> list[str]:
    """A line with no space to wrap at (a long email address) broken where it would run
    over the next column: after "@" or "." when one is near, else between letters."""
    parts: list[str] = []
    while stringWidth(line, SANS, _SIZE) > room and len(line) > 1:
        fit = len(line) - 1
        while fit > 1 and stringWidth(line[:fit], SANS, _SIZE) > room:
            fit -= 1
        marks = [i + 1 for i, c in enumerate(line[:fit]) if c in "@.-_"]
        cut = marks[-1] if marks and marks[-1] > fit // 2 else fit
        parts.append(line[:cut])
        line = line[cut:]
    return [*parts, line]


def _row(row: Any, ctx: ReportContext) -> list[Any]:
    values = (
        str(row.name or ""),
        str(row.status or "").capitalize(),
        str(row.salesperson or ""),
        ctx.phone(row.phone),
        str(row.email or ""),
        day(row.last_contact),
        money(row.spend_12m),
        day(row.next_order),
    )
    return [_cell(v, i) for i, v in enumerate(values)]


def _chunk_table(rows: list[list[Any]]) -> Table:
    s = styles()
    head = [para(h, s.cell_head_right if i in RIGHT else s.cell_head) for i, h in enumerate(HEADER)]
    table = Table([head, *rows], colWidths=WIDTHS, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(right_columns=RIGHT))
    return table


def _deferred_table(rows: list[list[Any]]) -> Deferred:
    """The chunk's table, made when the layout reaches it; until then its cells are one
    compressed JSON text: every row is read before the layout starts (the heading counts
    them), and 100,000 rows held as lists of strings took 85 MB, a tenth of that packed
    (level 1: packing every chunk is on the report's path)."""
    packed = zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 1)
    return Deferred(lambda: [_chunk_table(json.loads(zlib.decompress(packed)))])


def render_client_list(
    rows: Iterable[Any],
    description: str,
    ctx: ReportContext,
    total: int | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """PDF bytes of a client list (rows shaped like ``ClientRow``), A4 landscape.

    ``description`` names the search and filters; ``total`` the number of matching
    clients if ``rows`` holds only some. ``progress(n)`` is called with the number of rows
    laid out so far, every 500 rows and at the end; ``cancelled()`` returning True
    raises ReportCancelled.
    """
    s = styles()
    chunks: list[Flowable] = []
    pending: list[list[Any]] = []
    count = 0
    for row in rows:
        pending.append(_row(row, ctx))
        count += 1
        if len(pending) == CHUNK:
            if cancelled is not None and cancelled():
                raise ReportCancelled("The report was cancelled.")
            chunks += [_deferred_table(pending), Checkpoint(count, progress, cancelled)]
            pending = []
    if pending or not chunks:
        chunks += [_deferred_table(pending), Checkpoint(count, progress, cancelled)]
    if cancelled is not None and cancelled():
        raise ReportCancelled("The report was cancelled.")

    shown = f"{count:,} client{'s' if count != 1 else ''}"
    if total is not None and total != count:
        shown = f"{count:,} of {total:,} clients"
    story: list[Flowable] = [
        Paragraph("Client list", s.title),
        para(" · ".join(p for p in (shown, description) if p), s.subtitle),
        gap(10),
        *chunks,
    ]
    return build_pdf(story, ctx, wide=True)
