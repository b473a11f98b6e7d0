"""Export, then import into an empty vault: every field the format carries comes back
(issue 15 part 5), for clients Hypothesis makes up: several contact persons and
addresses, extensions, birthdays without a year, text with the characters vCard and CSV
escape, clients sharing a name or a phone (never merged)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.exports import ExportService
from crmdesk.services.imports import ImportService
from crmdesk.services.session import create_vault
from crmdesk.vault import Owner
from tests.support import FAST_KDF, MemoryKeyStore

_LETTERS = "abcdeéëłßøñçzAZÉŁ山田ị "
_PUNCTUATION = ",;:\\'\"&-./()"
words = st.text(alphabet=_LETTERS + _PUNCTUATION, min_size=1, max_size=20).map(
    lambda t: " ".join(t.split())
)
name = words.filter(lambda t: any(c.isalpha() for c in t))
notes = st.lists(words, max_size=3).map("\n".join)
phone = st.sampled_from(
    ["+12025550173", "+442079460958", "+49351223344", "+919876543210", "+81312345678"]
).flatmap(lambda n: st.sampled_from([n, f"{n};ext=102"]))
birthday = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)).map(
        lambda d: d.isoformat()
    ),
    st.sampled_from(["1900-12-02", "1900-02-28"]),  # crmdesk's "no year"
)
address = st.fixed_dictionaries(
    {
        "street": words,
        "city": name,
        "region": st.sampled_from(["", "ME", "Bayern"]),
        "postal_code": st.sampled_from(["", "04101", "01069"]),
        "country": st.sampled_from(["", "US", "Deutschland"]),
    }
)


@st.composite
def clients(draw):
    out = []
    for n in range(draw(st.integers(1, 4))):
        company = draw(st.booleans())
        data = {
            "name": draw(name),
            "kind": "company" if company else "individual",
            "status": draw(st.sampled_from(["active", "prospect", "former"])),
            "industry": draw(st.sampled_from(["", "Bakery", "Textiles; wholesale"])),
            "salesperson": draw(st.sampled_from(["", "zoe", "omar"])),
            "source": draw(st.sampled_from(["", "trade show", "LinkedIn"])),
            "emails": [f"c{n}-{i}@client{n}.example" for i in range(draw(st.integers(0, 2)))],
            "phones": draw(st.lists(phone, max_size=2, unique=True)),
            "website": draw(st.sampled_from(["", "https://zoes.example/a?b=c"])),
            "addresses": draw(st.lists(address, max_size=2)),
            "tags": draw(st.lists(st.sampled_from(["VIP", "north", "Zoë's"]), unique=True)),
            "notes": draw(notes),
        }
        if company:
            people = draw(st.integers(0, 3))
            data["contacts"] = [
                {
                    "name": draw(name),
                    "title": draw(st.sampled_from(["", "Owner", "Head of Sales, EMEA"])),
                    "emails": [f"p{n}-{i}@client{n}.example"] if draw(st.booleans()) else [],
                    "phones": draw(st.lists(phone, max_size=1)),
                    "birthday": draw(birthday),
                    "notes": draw(notes),
                }
                for i in range(people)
            ]
        out.append(data)
    return out


# What each format carries (JSON: everything the client contract has).
_CLIENT = ("name", "kind", "status", "industry", "salesperson", "source", "emails", "phones",
           "website", "addresses", "tags", "notes")  # fmt: skip
_CONTACT = ("name", "title", "emails", "phones", "birthday", "notes")


def _view(service: ClientService) -> list[dict]:
    out = []
    for row in service.list(ClientQuery(limit=100)):
        data = service.get_json(row.id, record_view=False)
        client = {k: data[k] for k in _CLIENT}
        client["contacts"] = sorted(
            (tuple(str(c.get(k)) for k in _CONTACT) for c in data["contacts"]),
        )
        out.append(client)
    return sorted(out, key=repr)


def _round_trip(given_clients: list[dict], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source_session, _ = create_vault(
            tmp / "a", Owner("Zoë Łukasiewicz", "zoe"), keystore=MemoryKeyStore(), kdf=FAST_KDF
        )
        target_session, _ = create_vault(
            tmp / "b", Owner("Omar Haddad", "omar"), keystore=MemoryKeyStore(), kdf=FAST_KDF
        )
        try:
            source = ClientService(source_session, phone_region="US")
            for data in given_clients:
                source.add(data)
            exported = tmp / f"clients.{fmt}"
            ExportService(source_session).export(fmt, ClientQuery(), exported)
            importer = ImportService(target_session, phone_region="US")
            plan = importer.plan(exported)
            result = importer.commit(plan)
            # Clients that share a name or a phone stay apart: nothing merged or skipped.
            assert (result.added, result.merged, result.skipped) == (len(given_clients), 0, 0)
            assert _view(ClientService(target_session)) == _view(source)
        finally:
            source_session.vault.close()
            target_session.vault.close()


_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_SETTINGS
@given(clients())
def test_csv_round_trip(given_clients):
    _round_trip(given_clients, "csv")


@_SETTINGS
@given(clients())
def test_vcard_round_trip(given_clients):
    _round_trip(given_clients, "vcf")


@_SETTINGS
@given(clients())
def test_json_lines_round_trip(given_clients):
    _round_trip(given_clients, "json")
