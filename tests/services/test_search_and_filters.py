"""Search-as-you-type and the filters that combine with it, with a fixed 'today'."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from tests.services.conftest import TODAY


def _names(rows):
    return [r.name for r in rows]


@pytest.fixture
def book(clients):
    """A small client book whose answers are easy to work out by hand."""
    ids = {}
    ids["zoe"] = clients.add(
        {
            "name": "Zoë Łukasiewicz Catering",
            "status": "active",
            "salesperson": "jane",
            "tags": ["VIP"],
            "contacts": [{"name": "Nguyễn Thị Minh", "birthday": "1990-12-01"}],
            "purchases": [
                {
                    "date": "2025-12-10",
                    "items": [{"product": "Espresso beans", "quantity": "3", "unit_price": "10"}],
                }
            ],
            "interactions": [
                {"date": "2026-11-20", "kind": "visit", "summary": "Tasting went well"}
            ],
        }
    )
    ids["harbor"] = clients.add(
        {
            "name": "Harbor Lane Florist",
            "status": "prospect",
            "salesperson": "omar",
            "notes": "Catering for weddings is their side business",
            "seasonal_needs": [{"months": [2, 5], "need": "Valentine roses"}],
            "contacts": [{"name": "Ana Leap", "birthday": "1988-02-29"}],
            "tasks": [
                {"due": "2026-11-28", "title": "Send price list"},
                {"due": "2026-11-01", "title": "Old, done", "done": True},
            ],
            "interactions": [{"date": "2026-06-01", "kind": "call", "summary": "Intro call"}],
        }
    )
    ids["timber"] = clients.add(
        {
            "name": "Nordic Timber Supply",
            "status": "former",
            "salesperson": "jane",
            "tags": ["vip", "wholesale"],
            "purchases": [
                {
                    "date": "2026-11-01",
                    "items": [{"product": "Oak planks", "quantity": "100", "unit_price": "12.50"}],
                },
                {
                    "date": "2024-07-01",
                    "items": [{"product": "Pine", "quantity": "1", "unit_price": "1"}],
                },
            ],
            "tasks": [{"due": "2026-12-15", "title": "Quarterly review"}],
        }
    )
    return ids


def test_accent_insensitive_prefix_search(clients, book):
    for typed in ("zoe", "Zoë", "ZOE", "łuka", "luka", "nguyen", "thi min"):
        assert _names(clients.search(typed)) == ["Zoë Łukasiewicz Catering"], typed


def test_search_reaches_every_kind_of_record(clients, book):
    assert _names(clients.search("espresso")) == ["Zoë Łukasiewicz Catering"]  # purchase line
    assert _names(clients.search("valentine")) == ["Harbor Lane Florist"]  # seasonal need
    assert _names(clients.search("tasting")) == ["Zoë Łukasiewicz Catering"]  # interaction
    assert _names(clients.search("price list")) == ["Harbor Lane Florist"]  # task
    assert _names(clients.search("oak")) == ["Nordic Timber Supply"]


def test_name_matches_rank_above_matches_in_notes(clients, book):
    assert _names(clients.search("catering")) == ["Zoë Łukasiewicz Catering", "Harbor Lane Florist"]


def test_search_syntax_in_input_is_just_text(clients, book):
    for typed in ('"', "OR", "NEAR(a b)", "name:zoe", "*", "zoe AND", "-timber", "a'b", "()"):
        clients.search(typed)  # never an FTS5 syntax error
    assert clients.search("   ") != []  # no words: no text filter, everything


def test_index_follows_updates_and_deletes(clients, book):
    clients.update(book["timber"], {"name": "Baltic Wood Supply"})
    assert clients.search("nordic") == []
    assert _names(clients.search("baltic")) == ["Baltic Wood Supply"]
    clients.delete(book["timber"])
    assert clients.search("baltic") == [] and clients.search("oak") == []


def test_status_salesperson_and_tag_filters(clients, book):
    assert _names(clients.list(ClientQuery(status="prospect"))) == ["Harbor Lane Florist"]
    assert _names(clients.list(ClientQuery(salesperson="jane"))) == [
        "Nordic Timber Supply",
        "Zoë Łukasiewicz Catering",
    ]
    assert _names(clients.list(ClientQuery(tag="VIP"))) == [
        "Nordic Timber Supply",
        "Zoë Łukasiewicz Catering",
    ]
    assert _names(clients.list(ClientQuery(tag="wholesale", salesperson="omar"))) == []


def test_buys_in_month_uses_history_and_seasonal_needs(clients, book):
    assert _names(clients.list(ClientQuery(buys_in_month=12))) == ["Zoë Łukasiewicz Catering"]
    assert _names(clients.list(ClientQuery(buys_in_month=5))) == ["Harbor Lane Florist"]
    assert _names(clients.list(ClientQuery(buys_in_month=7))) == ["Nordic Timber Supply"]
    assert _names(clients.list(ClientQuery(buys_in_month=3))) == []


def test_no_contact_for_n_days(clients, book):
    # Last contacts: Zoë 9 days ago, Harbor 181 days ago, Timber never.
    assert _names(clients.list(ClientQuery(no_contact_days=30))) == [
        "Harbor Lane Florist",
        "Nordic Timber Supply",
    ]
    assert _names(clients.list(ClientQuery(no_contact_days=200))) == ["Nordic Timber Supply"]


def test_birthdays_in_the_next_days_including_a_leap_day(clients, book):
    assert _names(clients.list(ClientQuery(birthday_within_days=2))) == ["Zoë Łukasiewicz Catering"]
    assert clients.list(ClientQuery(birthday_within_days=1)) == []
    late_feb = ClientService(clients._session, today=lambda: dt.date(2027, 2, 27))
    assert _names(late_feb.list(ClientQuery(birthday_within_days=1))) == ["Harbor Lane Florist"]


def test_followups_due_excludes_done_and_future_tasks(clients, book):
    assert _names(clients.list(ClientQuery(followups_due=True))) == ["Harbor Lane Florist"]


def test_filters_combine_with_search(clients, book):
    assert _names(clients.search("catering", ClientQuery(status="prospect"))) == [
        "Harbor Lane Florist"
    ]
    assert clients.count(ClientQuery(text="catering")) == 2


def test_sorting_by_spend_last_contact_and_next_order(clients, book):
    by_spend = clients.list(ClientQuery(sort=SortKey.SPEND_12M, descending=True))
    assert _names(by_spend) == [
        "Nordic Timber Supply",
        "Zoë Łukasiewicz Catering",
        "Harbor Lane Florist",
    ]
    assert [str(r.spend_12m) for r in by_spend] == ["1250.00", "30.00", "0.00"]
    by_contact = clients.list(ClientQuery(sort=SortKey.LAST_CONTACT, descending=True))
    assert _names(by_contact)[-1] == "Nordic Timber Supply"  # never contacted: last


def test_twelve_month_spend_moves_with_the_calendar(clients, book, session):
    later = ClientService(session, today=lambda: TODAY + dt.timedelta(days=30))
    rows = later.list(ClientQuery(sort=SortKey.SPEND_12M, descending=True))
    spend = {r.name: r.spend_12m for r in rows}
    assert spend["Zoë Łukasiewicz Catering"] == 0  # bought 2025-12-10, now over a year ago
    assert spend["Nordic Timber Supply"] == 1250


def test_paging(clients, book):
    first = clients.list(ClientQuery(limit=2))
    second = clients.list(ClientQuery(limit=2, offset=2))
    assert _names(first + second) == _names(clients.list(ClientQuery()))
    assert len(first) == 2 and len(second) == 1


def test_followups_for_the_day(clients, book):
    due = clients.followups()
    assert [(f.client_name, f.title, f.due.isoformat()) for f in due] == [
        ("Harbor Lane Florist", "Send price list", "2026-11-28")
    ]
    soon = clients.followups(within_days=30)
    assert [f.title for f in soon] == ["Send price list", "Quarterly review"]


def test_birthdays_this_week_with_age(clients, book):
    week = clients.birthdays(within_days=7)
    assert [(b.contact_name, b.date.isoformat(), b.turns) for b in week] == [
        ("Nguyễn Thị Minh", "2026-12-01", 36)
    ]
    feb = ClientService(clients._session, today=lambda: dt.date(2027, 2, 27)).birthdays(
        within_days=3
    )
    assert [(b.contact_name, b.date.isoformat()) for b in feb] == [("Ana Leap", "2027-02-28")]


def test_many_hits_put_name_matches_first_and_page_without_gaps(clients, book, monkeypatch):
    """Above the ranking limit (a short prefix over a big book) name matches come first."""
    from crmdesk.services.client_store import search

    ranked_all = _names(clients.search("catering"))
    monkeypatch.setattr(search, "RANK_ALL_LIMIT", 1)
    assert _names(clients.search("catering")) == ranked_all  # the name match still leads
    extra = [clients.add({"name": f"Shop {i}", "notes": "catering too"}) for i in range(5)]
    everything = clients.search("catering", ClientQuery(limit=100))
    assert everything[0].name == "Zoë Łukasiewicz Catering"
    pages = [clients.search("catering", ClientQuery(limit=2, offset=o)) for o in (0, 2, 4, 6)]
    paged = [r.id for page in pages for r in page]
    assert paged == [r.id for r in everything] and len(set(paged)) == 7
    assert set(extra) <= set(paged)
    assert clients.count(ClientQuery(text="catering")) == 7
