"""The access report on one user: marked pages, the facts, every event, and 10,000 of them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from crmdesk.domain.alerts import ActivityEvent
from crmdesk.domain.report_ids import new_report_id
from crmdesk.reports.access_report import (
    AccessReportData,
    AccessUser,
    ChainStatus,
    render_access_report,
    summarise,
)
from crmdesk.reports.context import ReportCancelled, ReportContext

PRINTER = "Ada Owner-Nguyễn"
USER = "Zoë Łukasiewicz"
UTC_MINUS_5 = dt.timezone(dt.timedelta(hours=-5))
HEAD = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
START = dt.datetime(2026, 9, 1, 20, 30, tzinfo=dt.UTC)


def _ctx() -> ReportContext:
    return ReportContext(
        report_id=new_report_id(),
        kind="access-report",
        title=f"Access report: {USER}",
        printed_by=PRINTER,
        login="ada",
        business="Łukasiewicz Trading",
        printed_at=dt.datetime(2026, 11, 29, 14, 3, tzinfo=dt.UTC),
        audit_head="1a2b3c4d5e6f7a8b9c0d1e2f",
    )


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """Text with every run of whitespace as one space (table cells come out one a line)."""
    return " ".join(text.split())


def _assert_every_page_marked(pdf: bytes, ctx: ReportContext) -> list[str]:
    pages = _pages(pdf)
    for number, text in enumerate(pages, start=1):
        assert PRINTER in text, f"page {number}"
        assert ctx.report_id in text, f"page {number}"
        assert f"page {number} of {len(pages)}" in text, f"page {number}"
        assert "CONFIDENTIAL" in text, f"page {number}"
    return pages


def _event(seq: int, minutes: int, action: str, obj: str = "", **details) -> ActivityEvent:
    return ActivityEvent(seq, START + dt.timedelta(minutes=minutes), "zoe", action, obj, details)


REPORT_ID = "7K3M-Q2ZD-AB5"
EVENTS = [
    _event(101, 0, "signin.ok", "zoe"),
    _event(102, 1, "client.viewed", "client:1", value_added=True),
    _event(103, 2, "client.viewed", "client:2", value_added=True),
    _event(104, 3, "client.viewed", "client:1", value_added=True),
    _event(105, 4, "client.viewed", "client:3"),
    _event(106, 5, "clients.searched", "", text="stollen"),
    _event(107, 6, "client.updated", "client:1", fields=["pricing", "preferences"]),
    _event(108, 7, "report.printed", f"report:{REPORT_ID}", kind="client-list", clients=250,
           pages=12, sha256="ab" * 32),
    _event(109, 8, "report.saved", f"report:{REPORT_ID}", where="/home/zoe/list.pdf"),
    _event(110, 9, "clients.exported", "", clients=1200, format="csv"),
    _event(111, 10, "clients.copied", "", clients=3),
    _event(112, 11, "signin.failed", "zoe", reason="wrong password", failures_in_a_row=1),
    _event(113, 12, "tags.renamed", "tag:vip", to="VIP"),
]  # fmt: skip
ALERT = (
    "zoe viewed value-added information of 57 different clients between 14:02 and 14:48 "
    "on 3 March 2026 (more than 50 within an hour)."
)


def _data(events=EVENTS, **changes) -> AccessReportData:
    values = dict(
        user=AccessUser(
            login="zoe",
            full_name=USER,
            role="salesperson",
            created_at=dt.datetime(2024, 1, 5, 14, tzinfo=dt.UTC),
            disabled_at=dt.datetime(2026, 11, 28, 22, 30, tzinfo=dt.UTC),
            last_signin=dt.datetime(2026, 11, 28, 13, 1, tzinfo=dt.UTC),
        ),
        period_start=dt.datetime(2026, 8, 31, 14, 3, tzinfo=dt.UTC),
        period_end=dt.datetime(2026, 11, 29, 14, 3, tzinfo=dt.UTC),
        events=events,
        chain=ChainStatus(ok=True, length=123_456, head=HEAD),
        alerts=[ALERT],
        object_names={"client:1": "Zoë's Bakery"},
        tz=UTC_MINUS_5,
    )
    values.update(changes)
    return AccessReportData(**values)


def test_access_report_shows_who_when_what_and_every_event():
    ctx = _ctx()
    pdf = render_access_report(ctx, _data(list(reversed(EVENTS))))
    text = "\n".join(_assert_every_page_marked(pdf, ctx))
    for expected in (
        "Access report",
        USER,
        "Salesperson",
        "5 Jan 2024 09:00",  # account created, in UTC-5
        "28 Nov 2026 17:30",  # disabled
        "28 Nov 2026 08:01",  # last sign-in
        "The last 90 days",
        "31 Aug 2026 09:03",
        "29 Nov 2026 09:03",
        "UTC-05:00",
        "2026-09-01 15:30:00",  # 20:30 UTC shown in the report's zone
        "Viewed value-added information",
        "Viewed client (basic)",
        "Zoë's Bakery (client 1)",
        "Client 2",
        f"Report {REPORT_ID}",
        "Printed report",
        "250 clients",
        "kind: client-list",
        "Saved report as a file",
        "where: /home/zoe/list.pdf",
        "Exported clients",
        "1,200 clients",
        "Copied clients to the clipboard",
        "fields: pricing, preferences",
        "text: stollen",
        "Failed sign-in",
        "reason: wrong password",
        "Tags: renamed",  # an action without words, readably as recorded (as in the app)
        ALERT[:60],
        "Verified",
        "123,456",
        HEAD,
        "hash chain",
        ctx.report_id,
    ):
        assert expected in text, expected
    assert "abababab" not in text  # a PDF's hash is left out of the table
    # Oldest first, whatever order the events came in.
    assert text.index("2026-09-01 15:30:00") < text.index("2026-09-01 15:42:00")


def test_summary_counts():
    summary = summarise(EVENTS)
    assert summary.events == 13
    assert summary.value_added_views == 3 and summary.value_added_clients == 2
    assert summary.basic_views == 1
    assert summary.changes == 1
    assert summary.prints == 1 and summary.printed_clients == 250
    assert summary.exports == 1 and summary.exported_clients == 1200
    assert summary.copies == 1 and summary.copied_clients == 3
    assert summary.searches == 1
    assert summary.signins_ok == 1 and summary.signins_failed == 1


def test_summary_counts_are_printed():
    ctx = _ctx()
    text = _flat("\n".join(_pages(render_access_report(ctx, _data()))))
    for expected in (
        "Views of value-added information 3 2 different clients",
        "Reports printed 1 250 clients in all",
        "Exports 1 1,200 clients in all",
        "Copies to the clipboard 1 3 clients in all",
        "Searches 1",
        "Sign-ins 1",
        "Failed sign-ins 1",
        "All recorded actions 13",
    ):
        assert expected in text, expected


def test_broken_chain_and_no_alerts_are_said():
    ctx = _ctx()
    chain = ChainStatus(ok=False, length=99, head=HEAD, first_bad_seq=42, problem="hash mismatch")
    text = "\n".join(_pages(render_access_report(ctx, _data(chain=chain, alerts=[]))))
    assert "BROKEN at entry 42: hash mismatch." in text
    assert "No alerts were raised for this user in the period." in text


def test_a_user_with_no_events_still_gets_a_marked_report():
    ctx = _ctx()
    pdf = render_access_report(ctx, _data(events=[], alerts=[]))
    text = "\n".join(_assert_every_page_marked(pdf, ctx))
    assert "Nothing was recorded for this user in the period." in text
    assert "Every recorded action (0)" in text


def test_a_long_unbroken_detail_is_cut_to_its_column():
    path = "/home/zoe/" + "x" * 400 + ".pdf"
    events = [_event(1, 0, "report.saved", "report:X", where=path)]
    text = "\n".join(_pages(render_access_report(_ctx(), _data(events=events))))
    joined = "".join(text.split())
    assert "where:/home/zoe/" + "x" * 290 + "…" in joined  # over several lines, cut at 300


def _many(count: int) -> list[ActivityEvent]:
    actions = [
        ("client.viewed", {"value_added": True}),
        ("client.updated", {"fields": ["pricing", "contacts[0].personal.hobbies"]}),
        ("report.printed", {"kind": "client-summary", "clients": 1, "pages": 3}),
        ("clients.searched", {"text": "flour"}),
        ("signin.ok", {}),
    ]
    out = []
    for i in range(count):
        action, details = actions[i % len(actions)]
        obj = f"report:R{i:05d}" if action == "report.printed" else f"client:{i % 900}"
        out.append(
            ActivityEvent(
                10_000 + i, START + dt.timedelta(minutes=7 * i), "zoe", action, obj, details
            )
        )
    return out


def test_ten_thousand_events_paginate_and_every_page_is_marked():
    ctx = _ctx()
    seen: list[int] = []
    # Its speed is measured in benchmarks/reports.py, not here.
    pdf = render_access_report(ctx, _data(events=_many(10_000)), progress=seen.append)
    pages = _assert_every_page_marked(pdf, ctx)
    assert len(pages) > 1
    text = "\n".join(pages)
    assert "Every recorded action (10,000)" in text
    flat = _flat(text)
    assert " 10000 2026-09-01 15:30:00 Viewed value-added information Client 0 " in flat
    assert " 19999 " in flat and "Report R09997" in flat
    # The table's header row is repeated on each page of it.
    first = next(i for i, t in enumerate(pages) if "Every recorded action" in t)
    assert all("Entry" in t and "Client / object" in t for t in pages[first:])
    assert seen[-1] == 10_000 and seen == sorted(seen) and len(seen) == 20


def test_access_report_can_be_cancelled():
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(ReportCancelled):
        render_access_report(_ctx(), _data(events=_many(5_000)), cancelled=cancelled)
