"""Client records through the service: round trips, validation, conflicts, audit."""

from __future__ import annotations

import json

import pytest

from crmdesk import errors
from crmdesk.domain import client_from_json, client_to_json
from crmdesk.services.clients import ClientService
from crmdesk.services.session import owner_session
from crmdesk.vault import Vault
from tests.services.conftest import TODAY, full_client

READ_ONLY = ("id", "version", "created_at", "updated_at", "patterns", "coverage")


def _body(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in READ_ONLY}


def _audit(vault, action=None):
    rows = vault.connection.execute(
        "SELECT actor, action, object, details FROM audit_events ORDER BY seq"
    ).fetchall()
    return [r for r in rows if action is None or r[1] == action]


def test_every_entity_round_trips_through_the_service(clients):
    client_id = clients.add(full_client())
    stored = clients.get_json(client_id)
    expected = client_to_json(client_from_json(full_client()))
    assert _body(stored) == expected
    # Normalised on the way in: phones to E.164, website with a scheme, money as text.
    assert stored["phones"] == ["+12025550173"]
    assert stored["contacts"][0]["phones"] == ["+442079460958"]
    assert stored["website"] == "https://zoes-bakery.example"
    assert stored["purchases"][0]["items"][0]["unit_price"] == "19.90"
    assert stored["id"] == client_id and stored["version"] == 1


def test_patterns_come_with_the_client(clients):
    client_id = clients.add(full_client())
    p = clients.get_json(client_id)["patterns"]
    # 10 x 19.90 less 5 % = 189.05, + 4 x 3.25 = 13.00 -> 202.05; then 6 x 20.50 = 123.00
    assert p["lifetime_spend"] == "325.05"
    assert p["last_12_months_spend"] == "325.05"
    assert p["order_count"] == 2
    assert p["last_purchase"] == "2026-06-15"
    assert p["spend_by_month"]["12"] == "202.05" and p["spend_by_month"]["6"] == "123.00"


def test_create_is_audited_with_who_and_which_fields(clients, vault):
    client_id = clients.add({"name": "Acme", "email": "a@acme.example"})
    actor, action, obj, details = _audit(vault, "client.created")[-1]
    assert (actor, obj) == ("zoe", f"client:{client_id}")
    assert json.loads(details)["fields"] == ["name", "kind", "status", "emails"]


def test_update_changes_only_the_given_fields_and_is_audited(clients, vault):
    client_id = clients.add(full_client())
    updated = clients.update(client_id, {"status": "former", "tags": ["lost 2026"]})
    assert updated.version == 2 and updated.status == "former" and updated.tags == ["lost 2026"]
    assert updated.contacts[0].personal.hobbies == "sailing, sourdough"  # untouched
    _, _, obj, details = _audit(vault, "client.updated")[-1]
    assert obj == f"client:{client_id}"
    assert json.loads(details)["fields"] == ["status", "tags"]


def test_update_with_no_real_change_keeps_the_version(clients, vault):
    client_id = clients.add(full_client())
    same = clients.update(client_id, {"status": "active"})
    assert same.version == 1
    assert _audit(vault, "client.updated") == []


def test_delete_removes_everything_and_is_audited(clients, vault):
    client_id = clients.add(full_client())
    clients.delete(client_id)
    with pytest.raises(errors.NotFound, match="no client with id"):
        clients.get(client_id)
    counts = vault.status().table_counts
    for table in ("clients", "contacts", "purchases", "purchase_items", "interactions", "tasks"):
        assert counts[table] == 0, table
    assert clients.search("Zoë") == []
    _, _, _, details = _audit(vault, "client.deleted")[-1]
    assert json.loads(details) == {"name": "Zoë's Bakery"}


def test_invalid_input_names_every_field_and_saves_nothing(clients, vault):
    before = len(_audit(vault))
    bad = full_client() | {"email": "orders@", "website": "nope"}
    bad["contacts"][0]["phone"] = "12"
    bad["purchases"][0]["items"][0]["unit_price"] = 19.9  # a float
    with pytest.raises(errors.InvalidRecord) as info:
        clients.add(bad)
    paths = {e.path for e in info.value.errors}
    assert {"email", "contacts[0].phone", "purchases[0].items[0].unit_price"} <= paths
    assert "Nothing was saved" in info.value.message
    assert vault.status().table_counts["clients"] == 0
    assert len(_audit(vault)) == before


def test_invalid_update_leaves_the_client_as_it_was(clients):
    client_id = clients.add(full_client())
    with pytest.raises(errors.InvalidRecord, match="birthday"):
        clients.update(
            client_id, {"name": "New name", "contacts": [{"name": "X", "birthday": "31/12/1980"}]}
        )
    assert clients.get(client_id).name == "Zoë's Bakery"
    assert clients.get(client_id).version == 1


def test_second_save_of_a_stale_copy_is_a_conflict(vault_dir, keystore, vault):
    """The app and the CLI at once: two connections to the same file."""
    app = ClientService(owner_session(vault), today=lambda: TODAY)
    client_id = app.add(full_client())
    opened_version = app.get(client_id).version

    other = Vault.open(vault_dir, keystore=keystore)
    try:
        cli = ClientService(owner_session(other), today=lambda: TODAY)
        cli.update(client_id, {"notes": "Changed from the command line"}, expected_version=1)
    finally:
        other.close()

    with pytest.raises(errors.EditConflict, match="reload") as info:
        app.update(client_id, {"status": "former"}, expected_version=opened_version)
    assert info.value.exit_code == errors.ExitCode.CONFLICT
    current = app.get(client_id)
    assert current.notes == "Changed from the command line" and current.status == "active"
    with pytest.raises(errors.EditConflict):
        app.delete(client_id, expected_version=opened_version)


def test_unknown_client(clients):
    with pytest.raises(errors.NotFound):
        clients.update(999, {"name": "x"})
    with pytest.raises(errors.NotFound):
        clients.delete(999)


def test_update_returns_the_client_as_a_fresh_read_shows_it(clients, vault):
    """The editor shows what update returns: it must be what reading it again gives,
    down to normalised phones, money and the new version."""
    client_id = clients.add(full_client())
    data = clients.get_json(client_id)
    patch = {k: v for k, v in _body(data).items() if k not in ("email", "phone", "address")}
    patch["phones"] = ["202 555 0199"]
    patch["purchases"] = [
        *patch["purchases"],
        {"date": "2026-11-20", "items": [{"product": "Rye", "quantity": "2.5",
                                          "unit_price": "17.5", "discount_percent": "5"}]},
    ]  # fmt: skip
    viewed_before = len(_audit(vault, "client.viewed"))
    updated = clients.as_json(clients.update(client_id, patch, expected_version=data["version"]))
    assert len(_audit(vault, "client.viewed")) == viewed_before  # an update is no view
    assert updated == clients.get_json(client_id, record_view=False)
    assert updated["version"] == data["version"] + 1
    assert updated["phones"] == ["+12025550199"]


def test_a_search_is_recorded_once_when_the_caller_says_so(clients, vault):
    clients.add({"name": "Harbour Foods"})
    for prefix in ("h", "ha", "har", "harb"):
        clients.list(_query(text=prefix), record_search=False)
    assert _audit(vault, "clients.searched") == []
    clients.record_search("harbour", 1)
    (entry,) = _audit(vault, "clients.searched")
    assert json.loads(entry[3]) == {"text": "harbour", "first_page": 1}


def test_position_is_the_row_a_client_has_in_the_list(clients):
    from crmdesk.services.client_query import SortKey

    made = (("Delta", "active"), ("Alpha", "former"), ("Charlie", "active"), ("Bravo", "active"))
    ids = [clients.add({"name": name, "status": status}) for name, status in made]
    by_name = _query()
    assert [clients.position(by_name, i) for i in ids] == [3, 0, 2, 1]
    backwards = _query(sort=SortKey.NAME, descending=True)
    assert clients.position(backwards, ids[0]) == 0
    active = _query(status="active")
    assert clients.position(active, ids[1]) is None  # a former client is not in this list
    assert clients.position(active, ids[0]) == 2
    assert clients.position(_query(text="charl"), ids[2]) == 0


def _query(**kwargs):
    from crmdesk.services.client_query import ClientQuery

    return ClientQuery(**kwargs)


def test_spend_is_kept_current_in_the_background_not_by_a_sort(session):
    """12-month spend drifts as days pass; keep_spend_current works it out for the new
    day, so that a sort by spend finds it done."""
    import datetime as dt

    from crmdesk.services.client_query import ClientQuery, SortKey

    bought = (TODAY - dt.timedelta(days=360)).isoformat()
    data = {"name": "Old Order Ltd", "purchases": [
        {"date": bought, "items": [{"product": "Rye", "unit_price": "50.00"}]}]}  # fmt: skip
    today = ClientService(session, today=lambda: TODAY)
    client_id = today.add(data)
    assert today.list(ClientQuery(sort=SortKey.SPEND_12M))[0].spend_12m == 50
    later = ClientService(session, today=lambda: TODAY + dt.timedelta(days=10))
    later.keep_spend_current()
    (row,) = [r for r in later.list(ClientQuery()) if r.id == client_id]
    assert row.spend_12m == 0  # the order is more than 12 months old now
