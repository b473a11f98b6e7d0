"""The call list: follow-ups that are due, and who is likely to buy this month."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph

from crmdesk.reports.context import ReportContext
from crmdesk.reports.fonts import SANS_BOLD
from crmdesk.reports.layout import (
    as_date,
    build_pdf,
    data_table,
    day,
    empty_note,
    frame_width,
    gap,
    heading,
    money,
    para,
    styles,
)

WIDTH = frame_width()
MAX_PREFERENCES = 3


def _due_cell(due: object, today: Any) -> Paragraph:
    s = styles()
    text = escape(day(due))
    date = as_date(due)
    if date is not None and date < today:
        late = (today - date).days
        text += (
            f'<br/><font name="{SANS_BOLD}" size="7" color="#9b1c1c">'
            f"OVERDUE {late} day{'s' if late != 1 else ''}</font>"
        )
    return Paragraph(text, s.cell)


def render_call_list(
    followups: list[Any],
    seasonal: list[Any],
    preferences: dict[int, list[str]],
    month_name: str,
    ctx: ReportContext,
    *,
    more_followups: int = 0,
    seasonal_withheld: str = "",
) -> bytes:
    """PDF bytes of the call list.

    ``followups`` are shaped like ``FollowUp``, ``seasonal`` like ``ClientRow``;
    ``preferences`` maps a client id to its key preferences ("Delivery: mornings").
    ``more_followups``: how many more are due than the list holds (the person chose a
    limit); ``seasonal_withheld``: why the outlook is not shown (never "no client").
    """
    s = styles()
    today = ctx.printed_local.date()
    story: list[Flowable] = [
        Paragraph("Call list", s.title),
        para(f"{day(today)} · {_due_words(len(followups), more_followups)}", s.subtitle),
        gap(4),
        heading("Follow-ups due"),
    ]
    if followups:
        rows = [
            [_due_cell(f.due, today), str(f.client_name), str(f.title), str(f.contact or ""),
             ctx.phone(f.phone)]
            for f in sorted(followups, key=lambda f: (str(f.due), str(f.client_name)))
        ]  # fmt: skip
        widths = [78, 120, WIDTH - 376, 90, 88]
        story.append(data_table(["Due", "Client", "Task", "Contact", "Phone"], rows, widths))
        if more_followups:
            story.append(empty_note(f"And {more_followups:,} more follow-ups due, not listed."))
    else:
        story.append(empty_note("Nothing is due."))

    confidential_prefs = bool(preferences)
    story.append(heading(f"Seasonal outlook for {month_name}", confidential=confidential_prefs))
    if seasonal_withheld:
        story.append(empty_note(seasonal_withheld))
    elif seasonal:
        rows = []
        for c in seasonal:
            prefs = (preferences.get(c.id) or [])[:MAX_PREFERENCES]
            rows.append(
                [str(c.name), ctx.phone(c.phone), day(c.last_contact), money(c.spend_12m),
                 "\n".join(prefs)]
            )  # fmt: skip
        widths = [120, 88, 72, 72, WIDTH - 352]
        header = ["Client", "Phone", "Last contact", "12-month spend", "Key preferences"]
        story.append(data_table(header, rows, widths, right_columns=(3,)))
    else:
        story.append(empty_note(f"No client usually buys in {month_name}."))
    return build_pdf(story, ctx)


def _due_words(listed: int, more: int) -> str:
    if more:
        return f"{listed:,} follow-ups listed and {more:,} more due"
    return f"{listed:,} follow-ups due"
