"""The exit certification a departing employee signs, with the owner as witness.

It lists what the employee certifies (everything returned, no copies kept, nothing
disclosed, the duty continues, the policy received), the watermarked reports they
printed so each can be ticked off as returned or destroyed, and the Defend Trade Secrets
Act immunity notice, which a confidentiality agreement with an employee must carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from crmdesk.domain.policy_text import DTSA_NOTICE_HEADING, DTSA_NOTICE_SHORT, REPORTING_NOTE
from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.fonts import SANS_BOLD
from crmdesk.reports.layout import (
    ACCENT,
    INK,
    MUTED,
    WARN,
    build_pdf,
    data_table,
    day,
    empty_note,
    frame_width,
    gap,
    heading,
    keep,
    key_values,
    para,
    styles,
)

WIDTH = frame_width()
BOX = "☐"  # DejaVu has the ballot box; it prints and extracts as text
OTHER_ITEM_LINES = 3


@dataclass(frozen=True)
class PrintedReportEntry:
    """One watermarked report the employee printed (from the report register)."""

    report_id: str
    printed_at: datetime  # aware
    title: str
    pages: int | None = None


@dataclass(frozen=True)
class ExitCertificateData:
    """What the certification says; times aware (UTC), shown in ``tz``."""

    business: str
    employee_name: str
    login: str
    role: str
    last_day: date
    owner_name: str  # signs as witness
    policy_version: int | None = None  # the version the employee accepted last
    policy_accepted_at: datetime | None = None
    policy_sha256: str = ""
    reports: Sequence[PrintedReportEntry] = ()
    tz: tzinfo | None = None  # None: this computer's zone


def statements(data: ExitCertificateData) -> list[str]:
    """The numbered statements the employee signs, in order."""
    business = data.business or "the business"
    if data.policy_version is not None and data.policy_accepted_at is not None:
        digest = f" (SHA-256 {data.policy_sha256[:16]}…)" if data.policy_sha256 else ""
        policy = (
            f"I received the confidentiality policy of {business}, version "
            f"{data.policy_version}, and accepted it on {_day(data.policy_accepted_at, data.tz)}"
            f"{digest}."
        )
    else:
        policy = f"I received and read the confidentiality policy of {business}."
    listed = ", including the reports listed below" if data.reports else ""
    return [
        f"I have returned to {business} all documents, printed reports, files and devices "
        f"containing client information of {business}{listed}.",
        "I hold no copies of that information in any form: not on paper, in files, in "
        "photographs or screenshots, in personal e-mail, in cloud storage, or on phones or "
        "other devices.",
        f"I have not disclosed that information to anyone, nor used it, except as my job at "
        f"{business} required.",
        "I understand that my duty to keep that information confidential, and not to use "
        "it, continues after my employment ends.",
        policy,
    ]


def render_exit_certificate(
    ctx: ReportContext,
    data: ExitCertificateData,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """PDF bytes of the exit certification (A4). ``cancelled()`` returning True raises
    ReportCancelled."""
    s = styles()
    tz = data.tz
    business = data.business or "the business"
    story: list[Flowable] = [
        Paragraph("Exit certification", s.title),
        para(f"{data.employee_name} · {business}", s.subtitle),
        gap(4),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=8),
        key_values(
            [
                ("Business", data.business),
                ("Employee", data.employee_name),
                ("Login", data.login),
                ("Role", data.role.capitalize()),
                ("Last day of work", day(data.last_day)),
            ],
            WIDTH,
        ),
        heading("What I certify"),
        para(
            f"I, {data.employee_name}, certify to {business} that, on leaving my employment "
            f"on {day(data.last_day)}:"
        ),
        gap(4),
    ]
    numbered = ParagraphStyle(
        "numbered", parent=s.body, leftIndent=20, bulletIndent=2, spaceAfter=5
    )
    for number, text in enumerate(statements(data), start=1):
        story.append(Paragraph(escape(text), numbered, bulletText=f"{number}."))
    if data.policy_version is None or data.policy_accepted_at is None:
        story.append(
            para("crmdesk holds no record of this user accepting the policy.", _warn_small())
        )

    story += [heading(f"Watermarked reports printed by {data.employee_name}")]
    if data.reports:
        story += [
            para(
                "Each of these reports carries my name as a watermark on every page. Each "
                "one has been returned or destroyed, as ticked.",
            ),
            gap(4),
            _reports_table(data.reports, tz, cancelled),
        ]
    else:
        story.append(empty_note("crmdesk has no report printed by this user on record."))
    story += [
        para("Other documents, files and devices returned:", s.subheading),
        *_blank_lines(OTHER_ITEM_LINES),
        heading(DTSA_NOTICE_HEADING),
        para(DTSA_NOTICE_SHORT),
        gap(4),
        para(REPORTING_NOTE),
        heading("Signatures"),
        keep(
            _signature(f"{data.employee_name}, employee"),
            gap(18),
            _signature(f"{data.owner_name}, for {business}, as witness"),
        ),
    ]
    if cancelled is not None and cancelled():
        raise ReportCancelled("The report was cancelled.")
    return build_pdf(story, ctx)


def _reports_table(
    reports: Sequence[PrintedReportEntry],
    tz: tzinfo | None,
    cancelled: Callable[[], bool] | None,
) -> Table:
    rows: list[list[object]] = []
    ordered = sorted(reports, key=lambda r: (r.printed_at, r.report_id))
    for index, report in enumerate(ordered):
        if index % 500 == 499 and cancelled is not None and cancelled():
            raise ReportCancelled("The report was cancelled.")
        pages = f"{report.pages:,}" if report.pages is not None else ""
        rows.append(
            [report.report_id, _day_time(report.printed_at, tz), report.title, pages, BOX, BOX]
        )
    widths = [92.0, 96.0, WIDTH - 92 - 96 - 40 - 56 - 58, 40.0, 56.0, 58.0]
    table = data_table(
        ["Report ID", "Printed", "Title", "Pages", "Returned", "Destroyed"],
        rows,
        widths,
        right_columns=(3,),
    )
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (4, 1), (5, -1), "CENTER"),
                ("FONTSIZE", (4, 1), (5, -1), 11),
            ]
        )
    )
    return table


def _blank_lines(count: int) -> list[Flowable]:
    return [
        HRFlowable(width="100%", thickness=0.5, color=MUTED, spaceBefore=18, spaceAfter=0)
        for _ in range(count)
    ]


def _signature(who: str) -> Table:
    """A line to sign on and a line for the date, with who signs under them."""
    s = styles()
    table = Table(
        [["", "", ""], [para(f"Signature of {who}", s.label), "", para("Date", s.label)]],
        colWidths=[WIDTH * 0.62, WIDTH * 0.06, WIDTH * 0.32],
        rowHeights=[34, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.8, INK),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 3),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _warn_small() -> ParagraphStyle:
    return ParagraphStyle("warn_small", parent=styles().small, textColor=WARN, fontName=SANS_BOLD)


def _local(ts: datetime, tz: tzinfo | None) -> datetime:
    return ts.astimezone(tz) if tz is not None else ts.astimezone()


def _day(ts: datetime, tz: tzinfo | None) -> str:
    return day(_local(ts, tz))


def _day_time(ts: datetime, tz: tzinfo | None) -> str:
    local = _local(ts, tz)
    return f"{day(local)} {local:%H:%M}"
