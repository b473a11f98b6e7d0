"""The report PDFs: every page says who printed it, and the content comes back out."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from crmdesk.domain import client_from_json, client_to_json, compute_patterns, patterns_to_json
from crmdesk.domain.report_ids import new_report_id
from crmdesk.reports.call_list import render_call_list
from crmdesk.reports.client_list import render_client_list
from crmdesk.reports.client_summary import render_client_summary
from crmdesk.reports.context import ReportCancelled, ReportContext
from tests.services.conftest import full_client

TODAY = dt.date(2026, 11, 29)
PRINTER = "Zoë Łukasiewicz"
CONTACT = "Nguyễn Thị Minh"


def _ctx(
    kind: str = "client-summary", title: str = "Client summary: Zoë's Bakery"
) -> ReportContext:
    return ReportContext(
        report_id=new_report_id(),
        kind=kind,
        title=title,
        printed_by=PRINTER,
        login="zoe",
        business="Łukasiewicz Trading",
        printed_at=dt.datetime(2026, 11, 29, 14, 3, tzinfo=dt.UTC),
        audit_head="1a2b3c4d5e6f7a8b9c0d1e2f",
    )


def _client_json(data: dict) -> dict:
    client = client_from_json(data)
    out = client_to_json(client)
    out["patterns"] = patterns_to_json(compute_patterns(client.purchases, TODAY))
    return out


def _sample() -> dict:
    data = full_client()
    data["contacts"].append({"name": CONTACT, "title": "Buyer", "phone": "+1 202 555 0199"})
    return data


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _assert_every_page_marked(pdf: bytes, ctx: ReportContext) -> list[str]:
    pages = _pages(pdf)
    for number, text in enumerate(pages, start=1):
        assert PRINTER in text, f"page {number}"
        assert ctx.report_id in text, f"page {number}"
        assert f"page {number} of {len(pages)}" in text
        assert "CONFIDENTIAL" in text
    return pages


def test_summary_marks_every_page_and_keeps_non_latin_names():
    ctx = _ctx()
    pdf = render_client_summary(_client_json(_sample()), ctx)
    pages = _assert_every_page_marked(pdf, ctx)
    text = "\n".join(pages)
    for expected in (
        "Zoë's Bakery",
        CONTACT,
        "Łukasiewicz Trading",
        "Purchase history",
        "Stollen flour",
        "November, December",
        "Before 7 am, back door",
        "Send rye samples",
        "Asked about organic rye",
        "Audit head 1a2b3c4d5e6f7a8b",
    ):
        assert expected in text
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.author == PRINTER
    assert meta.subject == f"Report {ctx.report_id}"
    assert ctx.report_id in meta["/Keywords"] and "zoe" in meta["/Keywords"]
    assert meta.creator == "crmdesk"


def _many_purchases(count: int) -> dict:
    data = _sample()
    start = dt.date(2026, 11, 1)
    data["purchases"] = [
        {
            "date": (start - dt.timedelta(days=9 * i)).isoformat(),
            "items": [
                {"product": f"Flour T550 25kg lot {i}", "quantity": "3", "unit_price": "19.90"},
                {"product": "Yeast 500g", "quantity": "2", "unit_price": "3.25"},
            ],
        }
        for i in range(count)
    ]
    return data


def test_summary_with_500_purchases_repeats_the_table_header():
    ctx = _ctx()
    client = _client_json(_many_purchases(500))
    pdf = render_client_summary(client, ctx)
    pages = _assert_every_page_marked(pdf, ctx)
    history = [i for i, text in enumerate(pages) if "lot 499" in text or "lot 250" in text]
    assert len(pages) >= 5 and history
    # Each later page of the history starts with the table's header row again.
    first = next(i for i, t in enumerate(pages) if "Purchase history" in t)
    later = [t for t in pages[first + 1 :] if "Flour T550 25kg lot" in t]
    assert len(later) >= 4
    assert all("Date" in t and "Items" in t and "Total" in t for t in later)
    text = "\n".join(pages)
    assert text.index("lot 0 ") < text.index("lot 499 ")  # newest first


@dataclass
class Row:
    id: int
    name: str
    status: str
    salesperson: str
    phone: str
    email: str
    last_contact: dt.date | None
    spend_12m: Decimal
    next_order: dt.date | None
    kind: str = "company"
    industry: str = ""


def _rows(count: int) -> list[Row]:
    return [
        Row(
            id=i,
            name=f"Client {i:05d} Ångström & Søn" if i % 7 else f"Client {i:05d} " + "long " * 12,
            status="active",
            salesperson="zoe",
            phone="+12025550173",
            email=f"buyer{i}@example.com",
            last_contact=dt.date(2026, 10, 1) if i % 3 else None,
            spend_12m=Decimal("1234567.5") if i == 0 else Decimal(i) * Decimal("12.34"),
            next_order=dt.date(2026, 12, 15) if i % 2 else None,
        )
        for i in range(count)
    ]


def test_client_list_marks_every_page_and_reports_progress():
    ctx = _ctx("client-list", "Client list")
    seen: list[int] = []
    pdf = render_client_list(
        _rows(2000), "Status: active · Buys in December", ctx, total=2000, progress=seen.append
    )
    pages = _assert_every_page_marked(pdf, ctx)
    assert len(pages) > 10
    text = "\n".join(pages)
    assert "Status: active · Buys in December" in text
    assert "1,234,567.50" in text and "Client 01999" in text and "Ångström & Søn" in text
    assert all(
        "Last contact" in t and "Expected" in t for t in pages
    )  # header repeated on every page
    assert seen and seen[-1] == 2000 and seen == sorted(seen)


def test_client_list_can_be_cancelled():
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(ReportCancelled):
        render_client_list(_rows(2000), "", _ctx("client-list", "Client list"), cancelled=cancelled)


def test_empty_client_list_still_prints_marked_page():
    ctx = _ctx("client-list", "Client list")
    pdf = render_client_list([], "Tag: nobody", ctx)
    _assert_every_page_marked(pdf, ctx)


def test_ten_thousand_row_list_prints_every_row():
    # Its speed is measured in benchmarks/reports.py, not here.
    ctx = _ctx("client-list", "Client list")
    pdf = render_client_list(_rows(10_000), "All clients", ctx)
    pages = _assert_every_page_marked(pdf, ctx)
    text = "\n".join(pages)
    assert "Client 00000" in text and "Client 09999" in text
    assert len(pages) > 100


def test_a_list_waits_for_its_pages_packed():
    # Every row is read before the layout starts (the heading counts them). Until its
    # page comes, a row waits packed with its chunk, not as a list of eight strings
    # (about 470 bytes a row here, 85 MB of 100,000 clients).
    count = 5000
    rows = _rows(count)
    ctx = _ctx("client-list", "Client list")
    render_client_list(rows[:1], "", ctx)  # the fonts loaded: not the rows' memory
    held: list[int] = []

    def first_chunk_laid_out(done: int) -> None:
        if not held:  # every other row still waits for its page
            held.append(tracemalloc.get_traced_memory()[0])
            tracemalloc.stop()  # the rest of the layout at full speed

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pdf = render_client_list(iter(rows), "", ctx, progress=first_chunk_laid_out)
    finally:
        tracemalloc.stop()
    assert held and (held[0] - before) / count < 250  # about 120 bytes a row
    assert "Client 04999" in _pages(pdf)[-1]


def test_call_list_has_followups_and_the_month():
    ctx = _ctx("call-list", "Call list")
    followups = [
        SimpleNamespace(
            task_id=1, client_id=7, client_name="Zoë's Bakery", due=dt.date(2026, 11, 25),
            title="Send rye samples", contact=CONTACT, phone="+12025550173",
        ),
        SimpleNamespace(
            task_id=2, client_id=8, client_name="Harbour Café", due=dt.date(2026, 12, 3),
            title="Confirm Christmas order", contact="", phone="",
        ),
    ]  # fmt: skip
    seasonal = [r for r in _rows(3) if r.id in (1, 2)]
    preferences = {1: ["Delivery: mornings before 9", "Invoices: by e-mail"]}
    pdf = render_call_list(followups, seasonal, preferences, "December", ctx)
    pages = _assert_every_page_marked(pdf, ctx)
    text = "\n".join(pages)
    for expected in (
        "Follow-ups due",
        "Send rye samples",
        "Confirm Christmas order",
        CONTACT,
        "OVERDUE 4 days",
        "Seasonal outlook for December",
        "Delivery: mornings before 9",
        "Client 00001",
    ):
        assert expected in text


def test_context_needs_an_aware_time():
    with pytest.raises(ValueError):
        ReportContext("X", "k", "t", "n", "l", "b", dt.datetime(2026, 1, 1))
