"""The coverage report and the measures report's section on what is protected: the figures
and dates, on known data, come back out of the PDF."""

from __future__ import annotations

import dataclasses
import io

from pypdf import PdfReader

from crmdesk.reports.coverage_report import render_coverage
from crmdesk.reports.measures import render_measures
from tests.domain.test_coverage import D, known_book
from tests.reports.test_measures_report import _data
from tests.reports.test_meeting_brief import PRINTER, _ctx

from crmdesk.domain.coverage import book_coverage  # isort: skip


def _text(pdf: bytes) -> tuple[str, str]:
    """The first page's text and the whole report's, line breaks read as spaces."""
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    return pages[0], " ".join(pages)


def test_the_coverage_report_states_the_figures_and_since_when():
    book = book_coverage(known_book(), D(2026, 11, 29), "every client")
    ctx = dataclasses.replace(_ctx(), kind="coverage", title="Value-added coverage")
    first, text = _text(render_coverage(ctx, book))
    assert f"{PRINTER} · {ctx.printed_text}" in first and ctx.report_id in first
    # The owner's answer on the first page: the share of each kind and since when.
    assert "Any of these 3 75.0% 1 Aug 2026" in first and "Purchases 3 75.0%" in first
    for expected in (
        "Łukasiewicz Trading's client list holds 4 clients. 3 of them (75.0%) hold "
        "value-added information beyond a directory entry",
        "on average 2.5 of the 7 kinds",
        "The earliest of it dates from 1 Aug 2026; the list holds clients since 10 Sep 2026.",
        "Purchases 3 75.0% 1 Aug 2026",
        "Personal profiles 2 50.0% 5 Oct 2026",
        "Pricing 1 25.0% 2 Nov 2026",
        "Any of these 3 75.0% 1 Aug 2026",
        "sam 2 50.0% 100.0%",  # sam's share of personal profiles, then purchases
        "Beta sam 50.00 1 of 7",  # most business, least on file
        "29 Nov 2026 4 50.0% 75.0%",  # this month so far
        "30 Sep 2026 2 0.0% 100.0%",
        "How these figures are worked out",
    ):
        assert expected in text, expected


def test_the_measures_report_says_how_much_of_the_list_is_value_added():
    book = book_coverage(known_book(), D(2026, 11, 29), "every client")
    ctx = dataclasses.replace(_ctx(), kind="measures", title="Reasonable measures")
    _, text = _text(render_measures(ctx, _data(coverage=book)))
    assert "What is protected: value-added information" in text
    assert "As of 29 Nov 2026, crmdesk holds the following" in text
    assert "3 of them (75.0%) hold value-added information" in text
    assert "Seasonal needs 1 25.0% 2 Nov 2026" in text
    # Without figures (an older caller), the section is left out, not left empty.
    _, without = _text(render_measures(ctx, _data()))
    assert "What is protected" not in without
