"""``demo``: realistic clients go in through the service, with progress and cancel."""

from __future__ import annotations

import json

from crmdesk.services.client_query import ClientQuery
from crmdesk.services.demo import create_demo_clients
from tests.services.conftest import TODAY


def test_demo_clients_are_searchable_and_audited(session, clients, vault):
    seen: list[int] = []
    made = create_demo_clients(session, 120, today=TODAY, progress=seen.append)
    assert made == 120 and clients.count() == 120
    assert seen[-1] == 120
    counts = vault.status().table_counts
    assert counts["contacts"] > 120 and counts["purchase_items"] > 120
    some = clients.list(ClientQuery(limit=5))
    first_word = some[0].name.split()[0]
    assert any(r.id == some[0].id for r in clients.search(first_word, ClientQuery(limit=500)))
    events = vault.connection.execute(
        "SELECT details FROM audit_events WHERE action = 'clients.created'"
    ).fetchall()
    assert sum(json.loads(d)["count"] for (d,) in events) == 120
    assert vault.verify_audit().ok


def test_cancel_stops_between_batches_and_keeps_what_is_done(session, clients):
    written: list[int] = []
    made = create_demo_clients(
        session, 9000, today=TODAY, progress=written.append, cancelled=lambda: bool(written)
    )
    assert written == [2000]  # the first batch committed, then the request to stop
    assert made == 2000 and clients.count() == 2000


def test_same_seed_same_data(tmp_path, keystore):
    from crmdesk.services.clients import ClientService
    from crmdesk.services.session import owner_session
    from crmdesk.vault import Owner, Vault

    names = []
    for folder in ("a", "b"):
        vault, _ = Vault.create(tmp_path / folder, Owner("A B", "ab"), keystore=keystore)
        session = owner_session(vault)
        create_demo_clients(session, 40, seed=9, today=TODAY)
        rows = ClientService(session, today=lambda: TODAY).list(ClientQuery(limit=100))
        names.append([r.name for r in rows])
        vault.close()
    assert names[0] == names[1]
