"""Export then import into an empty vault gives back the same clients."""

from __future__ import annotations

import pytest

from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.exports import ExportService
from crmdesk.services.imports import ImportService
from crmdesk.services.session import create_vault
from crmdesk.vault import Owner
from tests.support import MemoryKeyStore

CLIENTS = [
    {
        "name": "Zoë's Bakery",
        "kind": "company",
        "status": "active",
        "industry": "Bakery",
        "salesperson": "zoe",
        "emails": ["orders@zoes.example", "zoe@zoes.example"],
        "phones": ["+1 202 555 0173"],
        "website": "zoes.example",
        "address": {"street": "12 Harbour Lane", "city": "Portland", "region": "ME",
                    "postal_code": "04101", "country": "US"},
        "tags": ["VIP", "wholesale"],
        "notes": "Family business; decides in January.",
        "contacts": [{"name": "Zoë Łukasiewicz", "title": "Owner",
                      "email": "zoe@zoes.example", "phone": "+44 20 7946 0958",
                      "birthday": "1975-12-02"}],
    },
    {"name": '=HYPERLINK("http://evil.example")', "status": "prospect",
     "notes": "+1 looks like a formula", "tags": ["@home"]},
    {"name": "Nguyễn Thị Minh", "kind": "individual", "email": "minh@example.com"},
]  # fmt: skip

# What a CSV row carries (the export's columns): the rest stays in the vault.
KEYS = ("name", "kind", "status", "industry", "salesperson", "emails", "phones", "website",
        "address", "tags", "notes")  # fmt: skip


def _view(service: ClientService) -> list[dict]:
    out = []
    for row in service.list(ClientQuery(limit=100)):
        data = service.get_json(row.id, record_view=False)
        contact = data["contacts"][0] if data["contacts"] else {}
        first = {k: contact.get(k) for k in ("name", "title", "emails", "phones", "birthday")}
        out.append({**{k: data[k] for k in KEYS}, "contact": first})
    return out


@pytest.mark.parametrize("fmt", ["csv", "vcf"])
def test_export_then_import_into_an_empty_vault(vault, tmp_path, fmt):
    from crmdesk.services.session import owner_session

    source = ClientService(owner_session(vault))
    for data in CLIENTS:
        source.add(data)
    exported = tmp_path / f"clients.{fmt}"
    ExportService(source._session).export(fmt, ClientQuery(), exported)

    target, _ = create_vault(
        tmp_path / "empty", Owner("Omar Haddad", "omar"), keystore=MemoryKeyStore()
    )
    importer = ImportService(target)
    result = importer.commit(importer.plan(exported))
    assert result.added == len(CLIENTS)
    if fmt == "csv":
        assert result.skipped == 0
    else:  # the bakery's contact also has its own card: found to be the same people
        assert [str(p.kind) for p in result.problems] == [
            "duplicate within the file"
        ] * result.skipped
    before, after = _view(source), _view(ClientService(target))
    if fmt == "csv":
        assert after == before
    else:  # a vCard has no status, industry, salesperson or kind: compare what it carries
        carried = ("name", "emails", "phones", "website", "tags", "notes")
        assert [{k: c[k] for k in carried} for c in after] == [
            {k: c[k] for k in carried} for c in before
        ]
