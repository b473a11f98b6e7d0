"""Property: a search finds exactly the clients each of whose words matches, as a prefix,
in the client's basic text (the main index) or in its value-added text (its book's
index) when the searcher holds that book and may read it; never through a book they do
not hold. Checked against a plain Python reading of every client, on every path of the
search: ranked in full, names first (past the ranking limit), sorted by name, ranked
with a filter, and counted.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.services import client_store
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.client_store import search
from crmdesk.services.client_store.search import search_document
from crmdesk.services.clients import ClientService
from tests.services.office import fast_passwords, make_office  # noqa: F401

# Words sharing prefixes ("am", "co", "de"), so that one typed prefix reaches several.
VOCABULARY = ["amber", "ambit", "amulet", "basalt", "cobalt", "copper", "coral", "delta"]
SELLERS = {"Sam Reed": "sam", "zoe": "zoe"}  # salesperson -> login (zoe: the house book)
_TOKEN = re.compile(r"\w+", re.UNICODE)

words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3)
new_client = st.fixed_dictionaries(
    {
        "name": words.map(lambda w: " ".join(w).title()),
        "industry": words.map(" ".join),  # basic text: the main index
        "notes": words.map(" ".join),  # value-added text: the book's index
        "salesperson": st.sampled_from(sorted(SELLERS)),
    }
)
typed = st.lists(
    st.tuples(st.sampled_from(VOCABULARY), st.integers(2, 6)).map(lambda t: t[0][: t[1]]),
    min_size=1,
    max_size=3,
).map(" ".join)


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text))


def _expected(service: ClientService, everyone: dict, login: str, text: str) -> set[int]:
    """The clients this person should find, worked out in Python from each client's text."""
    visible = {row.id for row in service.list(ClientQuery(limit=100_000), record_search=False)}
    found = set()
    for client_id, (salesperson, main_words, book_words) in everyone.items():
        if client_id not in visible:
            continue
        # The owner holds every book; Sam his own and reads his clients' in it; Ann none.
        readable = login == "zoe" or (login == "sam" and salesperson == "Sam Reed")
        if all(
            any(t.startswith(w) for t in main_words)
            or (readable and any(t.startswith(w) for t in book_words))
            for w in text.split()
        ):
            found.add(client_id)
    return found


def _found_every_way(service: ClientService, text: str, monkeypatch) -> list[set[int] | int]:
    def ids(query: ClientQuery) -> set[int]:
        return {r.id for r in service.list(query, record_search=False)}

    ranked = ClientQuery(text=text, sort=SortKey.RELEVANCE, limit=100_000)
    seen: list[set[int] | int] = [ids(ranked)]
    with monkeypatch.context() as m:
        m.setattr(search, "RANK_ALL_LIMIT", 0)  # names first, then the rest by id
        seen.append(ids(ranked))
    seen.append(ids(ClientQuery(text=text, sort=SortKey.NAME, limit=100_000)))
    # A filter too: ranked in SQL with the other conditions (every client is a prospect).
    filtered = ClientQuery(text=text, status="prospect", sort=SortKey.RELEVANCE, limit=100_000)
    seen.append(ids(filtered))
    seen.append(service.count(ClientQuery(text=text)))
    return seen


def test_a_client_is_found_when_every_word_matches_in_main_or_in_a_held_book(
    vault,
    fast_passwords,  # noqa: F811
    monkeypatch,
):
    office = make_office(vault)
    owner = ClientService(office.owner)
    services = {
        "zoe": owner,
        "sam": ClientService(office.session("sam")),
        "ann": ClientService(office.session("ann")),
    }
    everyone: dict[int, tuple[str, set[str], set[str]]] = {}

    def remember(client_id: int) -> None:
        client = client_store.load_client(vault, client_id)  # as the owner: every book
        name, basic, value_added = search_document(client)
        everyone[client_id] = (client.salesperson, _tokens(f"{name} {basic}"), _tokens(value_added))

    remember(office.sams_client)
    remember(office.zoes_client)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        added=st.lists(new_client, min_size=1, max_size=3),
        moved=st.booleans(),
        texts=st.lists(typed, min_size=1, max_size=3),
    )
    def check(added: list[dict], moved: bool, texts: list[str]) -> None:
        for data in added:
            remember(owner.add(data))
        if moved:  # the last one to the other book: its value-added rows move with it
            last = max(everyone)
            other = "zoe" if everyone[last][0] == "Sam Reed" else "Sam Reed"
            owner.update(last, {"salesperson": other})
            remember(last)
        for text in texts:
            for login, service in services.items():
                expected = _expected(service, everyone, login, text)
                found = _found_every_way(service, text, monkeypatch)
                assert found == [expected] * 4 + [len(expected)], (login, text)

    check()


@pytest.mark.parametrize("login", ["sam", "ann"])
def test_a_word_only_in_a_book_not_held_finds_nothing(vault, fast_passwords, login):  # noqa: F811
    office = make_office(vault)
    owner = ClientService(office.owner)
    owner.add({"name": "Amber Basalt", "salesperson": "zoe", "notes": "cobalt"})
    owner.add({"name": "Delta Coral", "salesperson": "Sam Reed", "notes": "ambit"})
    service = ClientService(office.session(login))
    assert service.search("amber cobalt") == []  # cobalt: only in the house book
    assert service.count(ClientQuery(text="amber cobalt")) == 0
    found = [r.name for r in service.search("delta ambit")]  # ambit: only in Sam's book
    assert found == (["Delta Coral"] if login == "sam" else [])
    assert [r.name for r in owner.search("amber cobalt")] == ["Amber Basalt"]
    assert [r.name for r in owner.search("delta ambit")] == ["Delta Coral"]
