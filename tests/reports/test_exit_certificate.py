"""The exit certification: the statements, the reports to account for, the DTSA notice,
signature lines, and the watermark on every page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from crmdesk.domain.policy_text import DTSA_NOTICE_SHORT
from crmdesk.domain.report_ids import new_report_id
from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.exit_certificate import (
    ExitCertificateData,
    PrintedReportEntry,
    render_exit_certificate,
    statements,
)

PRINTER = "Ada Owner-Nguyễn"
EMPLOYEE = "Zoë Łukasiewicz"
BUSINESS = "Łukasiewicz Trading"
UTC_MINUS_5 = dt.timezone(dt.timedelta(hours=-5))
POLICY_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _ctx() -> ReportContext:
    return ReportContext(
        report_id=new_report_id(),
        kind="exit-certificate",
        title=f"Exit certification: {EMPLOYEE}",
        printed_by=PRINTER,
        login="ada",
        business=BUSINESS,
        printed_at=dt.datetime(2026, 11, 29, 14, 3, tzinfo=dt.UTC),
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _marked_pages(pdf: bytes, ctx: ReportContext) -> list[str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    for number, text in enumerate(pages, start=1):
        assert PRINTER in text, f"page {number}"
        assert ctx.report_id in text, f"page {number}"
        assert f"page {number} of {len(pages)}" in text, f"page {number}"
        assert "CONFIDENTIAL" in text, f"page {number}"
    return pages


def _reports(count: int) -> list[PrintedReportEntry]:
    start = dt.datetime(2026, 10, 1, 14, tzinfo=dt.UTC)
    return [
        PrintedReportEntry(
            report_id=new_report_id(),
            printed_at=start + dt.timedelta(days=i),
            title="Client summary: Zoë's Bakery" if i % 2 else "Client list: buys in December",
            pages=3 + i,
        )
        for i in range(count)
    ]


def _data(**changes) -> ExitCertificateData:
    values = dict(
        business=BUSINESS,
        employee_name=EMPLOYEE,
        login="zoe",
        role="salesperson",
        last_day=dt.date(2026, 11, 30),
        owner_name=PRINTER,
        policy_version=3,
        policy_accepted_at=dt.datetime(2026, 2, 2, 3, tzinfo=dt.UTC),  # 1 Feb in UTC-5
        policy_sha256=POLICY_HASH,
        reports=_reports(4),
        tz=UTC_MINUS_5,
    )
    values.update(changes)
    return ExitCertificateData(**values)


def test_certificate_has_the_statements_reports_notice_and_signature_lines():
    ctx = _ctx()
    data = _data()
    pdf = render_exit_certificate(ctx, data)
    text = _flat("\n".join(_marked_pages(pdf, ctx)))
    for expected in (
        "Exit certification",
        EMPLOYEE,
        BUSINESS,
        "Salesperson",
        "30 Nov 2026",
        "1. I have returned to Łukasiewicz Trading all documents, printed reports, files and",
        "I hold no copies of that information in any form",
        "photographs or screenshots, in personal e-mail, in cloud storage, or on phones",
        "I have not disclosed that information",
        "continues after my employment ends",
        "version 3, and accepted it on 1 Feb 2026 (SHA-256 9f86d081884c7d65…)",
        "Returned",
        "Destroyed",
        "☐",
        "1 Oct 2026 09:00",  # printed at 14:00 UTC, shown in UTC-5
        "Client summary: Zoë's Bakery",
        "Other documents, files and devices returned",
        "Notice of immunity under the Defend Trade Secrets Act",
        "1833(b)",
        "under seal",
        "Nothing in this policy prohibits you from reporting possible violations of law",
        f"Signature of {EMPLOYEE}, employee",
        f"Signature of {PRINTER}, for {BUSINESS}, as witness",
        "Date",
    ):
        assert expected in text, expected
    for report in data.reports:
        assert report.report_id in text
    assert _flat(DTSA_NOTICE_SHORT) in text


def test_many_reports_spill_over_pages_with_their_header():
    ctx = _ctx()
    data = _data(reports=_reports(120))
    pages = _marked_pages(render_exit_certificate(ctx, data), ctx)
    assert len(pages) > 2
    text = "\n".join(pages)
    assert all(r.report_id in text for r in data.reports)
    with_reports = [t for t in pages if data.reports[60].report_id in t]
    assert with_reports and "Report ID" in with_reports[0] and "Destroyed" in with_reports[0]
    # Signatures come last.
    assert "as witness" in pages[-1]


def test_without_reports_or_a_recorded_acceptance():
    ctx = _ctx()
    data = _data(reports=[], policy_version=None, policy_accepted_at=None, policy_sha256="")
    text = _flat("\n".join(_marked_pages(render_exit_certificate(ctx, data), ctx)))
    assert "crmdesk has no report printed by this user on record." in text
    assert "including the reports listed below" not in text
    assert "I received and read the confidentiality policy of Łukasiewicz Trading." in text
    assert "crmdesk holds no record of this user accepting the policy." in text
    assert "1833(b)" in text


def test_statements_are_five_and_name_the_business():
    lines = statements(_data())
    assert len(lines) == 5
    assert all("Łukasiewicz Trading" in line for line in (lines[0], lines[2], lines[4]))


def test_certificate_can_be_cancelled():
    with pytest.raises(ReportCancelled):
        render_exit_certificate(_ctx(), _data(), cancelled=lambda: True)
