"""Page totals put in at save: the true total on every page of a long report, and only
the footer's stand-in replaced."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader

from crmdesk.domain.report_ids import new_report_id
from crmdesk.reports.client_list import render_client_list
from crmdesk.reports.context import ReportContext
from crmdesk.reports.watermark import TOTAL_MARK
from crmdesk.services.client_query import ClientRow


def _rows(count: int) -> list[ClientRow]:
    return [
        ClientRow(
            id=i,
            name=f"Client {i} {TOTAL_MARK}",
            kind="company",
            status="active",
            industry="",
            salesperson="Sam Reed",
            email=f"buyer{i}@shop.example",
            phone="+44 20 7946 0958",
            last_contact=dt.date(2026, 1, 1 + i % 28),
            spend_12m=Decimal("1234.50"),
            next_order=None,
        )  # fmt: skip
        for i in range(count)
    ]


def test_every_page_says_its_number_and_the_true_total():
    printer = f"Ada {TOTAL_MARK} Owner"  # the stand-in in a name stays as it is
    ctx = ReportContext(
        report_id=new_report_id(),
        kind="client-list",
        title="Client list",
        printed_by=printer,
        login="ada",
        business="Harbour Foods",
        printed_at=dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC),
        audit_head="c0ffee" * 10,
    )
    pdf = render_client_list(_rows(700), "All clients", ctx)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    total = len(pages)
    assert total > 12
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {total} · Audit head c0ffeec0ffeec0ff…" in text, number
        assert f"Printed by {printer}" in text, number
        assert f"page {number} of {TOTAL_MARK}" not in text
    assert f"Client 699 {TOTAL_MARK}" in pages[-1]
