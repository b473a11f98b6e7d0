"""The meeting brief: one page on A4 and Letter, whatever the client holds; what does not
fit is summarised; marked like every report. Also the paper choice every report offers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from crmdesk.demo import generate_clients
from crmdesk.domain import client_from_json, client_to_json, compute_patterns, patterns_to_json
from crmdesk.domain.classification import redact_value_added
from crmdesk.domain.coverage import Coverage, client_coverage
from crmdesk.domain.entities import MAX_NAME, MAX_TEXT
from crmdesk.domain.report_ids import new_report_id
from crmdesk.reports.client_list import render_client_list
from crmdesk.reports.client_summary import render_client_summary
from crmdesk.reports.context import ReportContext
from crmdesk.reports.meeting_brief import LEVELS, brief_story, render_meeting_brief
from crmdesk.reports.paper import default_paper, paper_for_locale
from tests.services.conftest import full_client

TODAY = dt.date(2026, 11, 29)
PRINTER = "Zoë Łukasiewicz"
A4_POINTS, LETTER_POINTS = (595, 842), (612, 792)


def _ctx(paper: str = "a4", title: str = "Meeting brief: Zoë's Bakery") -> ReportContext:
    return ReportContext(
        report_id=new_report_id(),
        kind="meeting-brief",
        title=title,
        printed_by=PRINTER,
        login="zoe",
        business="Łukasiewicz Trading",
        printed_at=dt.datetime(2026, 11, 29, 14, 3, tzinfo=dt.UTC),
        audit_head="1a2b3c4d5e6f7a8b9c0d1e2f",
        paper=paper,
    )


def as_shown(client) -> dict:
    """A client as ``ClientService.get_json`` gives it to someone who sees it in full."""
    out = client_to_json(client)
    out["patterns"] = patterns_to_json(compute_patterns(client.purchases, TODAY))
    out["coverage"] = client_coverage(client).to_json()
    return out


def _pages(pdf: bytes) -> list[str]:
    """Each page's text, its line breaks (where the columns wrap) read as spaces."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def _marked(text: str, ctx: ReportContext) -> None:
    assert f"{PRINTER} · {ctx.printed_text}" in text  # the watermark
    assert ctx.report_id in text and "page 1 of 1" in text and "CONFIDENTIAL" in text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_an_ordinary_client_on_one_page_with_everything_that_matters(paper):
    data = full_client()
    data["interactions"] = [
        {"date": f"2026-0{m}-10", "kind": "call", "contact": "Zoë Łukasiewicz",
         "summary": f"Spoke in month {m}", "outcome": f"Outcome {m}"}
        for m in range(3, 8)
    ]  # fmt: skip
    ctx = _ctx(paper)
    pdf = render_meeting_brief(as_shown(client_from_json(data)), ctx, TODAY)
    pages = _pages(pdf)
    assert len(pages) == 1
    assert _size(pdf) == (A4_POINTS if paper == "a4" else LETTER_POINTS)
    text = pages[0]
    _marked(text, ctx)
    for expected in (
        "Zoë's Bakery",
        "Zoë Łukasiewicz",
        "Birthday 2 Dec (in 3 days, turns 51)",
        "sailing, sourdough",
        "married, two daughters",
        "next expected 28 Dec 2026",  # expected next order
        "usually buys in Jun, Dec",
        "15 Jun 2026",  # the last order
        "Flour T550 25kg: 18.75",  # pricing
        "Before 7 am, back door",  # a preference
        "Stollen flour",  # a seasonal need
        "Send rye samples",  # the open task
        "(overdue)",
        "Spoke in month 7",  # the last three interactions, newest first
        "Spoke in month 5",
        "and 2 earlier interactions",
    ):
        assert expected in text, expected
    assert "Spoke in month 4" not in text
    assert text.index("month 7") < text.index("month 5")
    assert "Ask about" not in text  # everything is on file


def _crowded() -> dict:
    """The longest names and texts crmdesk accepts, and more of everything than fits."""
    long_name, long_text = "Ł" * MAX_NAME, "lorem ipsum " * (MAX_TEXT // 12)
    data = full_client()
    data["name"] = "Zoë " + "W" * (MAX_NAME - 4)
    data["contacts"] = [
        {
            "name": f"{i} {long_name}"[:MAX_NAME],
            "title": long_name,
            "phone": "+1 202 555 0199",
            "birthday": "1980-12-05",
            "personal": {key: long_text for key in (
                "hobbies", "activities", "education", "memberships", "family")},
            "notes": long_text,
        }
        for i in range(14)
    ]  # fmt: skip
    data["pricing"] = [
        {"product": f"{i}{long_name}"[:MAX_NAME], "price": "1.00", "terms": long_text}
        for i in range(40)
    ]
    for key, a, b in (("preferences", "topic", "detail"), ("specifications", "item", "detail")):
        data[key] = [{a: f"{i}{long_name}"[:MAX_NAME], b: long_text} for i in range(40)]
    data["seasonal_needs"] = [{"months": list(range(1, 13)), "need": long_text} for _ in range(20)]
    data["tasks"] = [{"due": "2026-11-01", "title": long_name, "contact": long_name}] * 30
    data["interactions"] = [
        {"date": f"2026-10-{d:02d}", "kind": "meeting", "contact": long_name,
         "summary": long_text, "outcome": long_text}
        for d in range(1, 21)
    ]  # fmt: skip
    data["purchases"] = [
        {"date": f"2026-{m:02d}-01",
         "items": [{"product": f"{j}{long_name}"[:MAX_NAME], "quantity": "1", "unit_price": "1"}
                   for j in range(30)]}
        for m in range(1, 11)
    ]  # fmt: skip
    return data


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_crowded_client_still_fits_one_page_and_says_what_it_left_out(paper):
    client = as_shown(client_from_json(_crowded()))
    _, detail = brief_story(client, TODAY, paper)
    ctx = _ctx(paper)
    pdf = render_meeting_brief(client, ctx, TODAY)
    pages = _pages(pdf)
    assert len(pages) == 1, f"{len(pages)} pages at {detail}"
    text = pages[0]
    _marked(text, ctx)
    shown = detail.contacts
    for expected in (
        f"and {14 - shown} more contacts",
        f"and {40 - detail.entries} more agreements",
        f"and {40 - detail.entries} more preferences",
        f"and {40 - detail.entries} more specifications",
        f"and {30 - detail.tasks} more open tasks",
        "and 17 earlier interactions",
        f"and {10 - detail.orders} earlier orders",
        "are shortened to keep the brief on one page",  # cut text says so
    ):
        assert expected in text, expected
    assert "…" in text


def test_even_the_shortest_level_fits_the_most_crowded_client():
    """The floor of LEVELS is what makes "always one page" hold."""
    from crmdesk.reports import meeting_brief

    client = as_shown(client_from_json(_crowded()))
    floor = meeting_brief._Brief(client, TODAY, LEVELS[-1]).story()
    for paper in ("a4", "letter"):
        room = meeting_brief.frame_height(paper) - 6
        assert meeting_brief._height(floor, meeting_brief.WIDTH) <= room, paper


def test_every_demo_client_prints_on_one_page():
    for client in generate_clients(40, seed=7, today=TODAY):
        data = as_shown(client)
        for paper in ("a4", "letter"):
            pdf = render_meeting_brief(data, _ctx(paper, f"Meeting brief: {client.name}"), TODAY)
            assert len(_pages(pdf)) == 1, (client.name, paper)


def test_a_withheld_client_says_so_and_shows_nothing_value_added():
    full = as_shown(client_from_json(full_client()))
    withheld = redact_value_added({**full, "patterns": None, "coverage": None})
    withheld["coverage"] = Coverage.hidden().to_json()
    pdf = render_meeting_brief(withheld, _ctx(), TODAY)
    (text,) = _pages(pdf)
    assert text.count("Withheld: not your client") >= 5
    assert "summary withheld: not your client" in text
    assert "Zoë Łukasiewicz" in text and "Send rye samples" in text  # basic information
    for secret in ("sailing", "18.75", "Before 7 am", "Stollen", "organic rye", "Unbleached"):
        assert secret not in text, secret


def test_a_missing_kind_is_named_to_ask_about():
    client = as_shown(client_from_json({"name": "Bare Co", "pricing": [
        {"product": "Widget", "price": "2.00"}]}))  # fmt: skip
    (text,) = _pages(render_meeting_brief(client, _ctx(), TODAY))
    assert "On file: Prices" in text
    assert "Ask about: personal profiles, purchases, preferences" in text
    assert "No contacts on file." in text and "No open tasks." in text


# -- paper ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "paper"),
    [("en_US.UTF-8", "letter"), ("es_MX", "letter"), ("fr_CA.UTF-8", "letter"),
     ("en_GB.UTF-8", "a4"), ("de_DE@euro", "a4"), ("C.UTF-8", "a4"), ("POSIX", "a4"),
     ("", "a4"), (None, "a4")],
)  # fmt: skip
def test_the_paper_of_a_locale(name, paper):
    assert paper_for_locale(name) == paper


def test_the_default_paper_follows_the_locale_variables_in_order():
    assert default_paper({"LANG": "en_US.UTF-8"}) == "letter"
    assert default_paper({"LC_PAPER": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}) == "a4"
    assert default_paper({"LC_ALL": "en_CA.UTF-8", "LC_PAPER": "de_DE.UTF-8"}) == "letter"


def test_every_report_can_be_printed_on_letter():
    client = as_shown(client_from_json(full_client()))
    summary = render_client_summary(client, _ctx("letter", "Client summary"))
    assert _size(summary) == LETTER_POINTS
    assert _size(render_client_summary(client, _ctx("a4", "Client summary"))) == A4_POINTS
    listing = render_client_list([], "All clients", _ctx("letter", "Client list"), total=0)
    assert _size(listing) == (792, 612)  # landscape
    with pytest.raises(ValueError, match="paper"):
        _ctx("a3")
