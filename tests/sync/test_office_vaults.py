"""Issue 14 through real vaults: an office vault and salespeople's laptop vaults, each a
SQLCipher vault on disk, exchanging change files through a plain shared folder."""

from __future__ import annotations

import pytest

from crmdesk.services.clients import ClientService
from crmdesk.services.replication import exchange
from tests.services.office import fast_passwords  # noqa: F401  (fixture)
from tests.sync.office_vaults import client_id, join_laptop, sync_all


@pytest.fixture
def sams_laptop(office, shared, tmp_path):
    return join_laptop(office, "sam", "Sam Reed", tmp_path / "sam-laptop", shared)


def test_a_laptop_waits_for_the_owner_then_receives_the_office(office, sams_laptop):
    first = sams_laptop.sync()
    assert first.waiting_for_grant

    answered = exchange.sync_now(office.owner)
    assert answered.joined == ["sam"]
    received = sams_laptop.sync()
    assert not received.waiting_for_grant
    assert received.created == 3 and received.rejected == []

    laptop = sams_laptop.clients()
    own = laptop.get(client_id(sams_laptop.vault, "Reed Supplies"))
    assert own.notes == "Decides every January; golfing buddy of the CFO."
    assert [p.items[0].product for p in own.purchases] == ["Widget"]
    assert own.contacts[0].personal.hobbies == "golf"
    # Someone else's client: its basic information only.
    other = laptop.get(client_id(sams_laptop.vault, "Park Logistics"))
    assert other.phones == ["+12025550100"]
    assert other.notes == "" and other.purchases == [] and other.pricing == []
    assert other.contacts[0].name == "Pat Doe" and other.contacts[0].personal.hobbies == ""


def test_edits_of_different_fields_on_laptop_and_office_both_survive(office, sams_laptop):
    sync_all(office.owner, sams_laptop)
    on_laptop = client_id(sams_laptop.vault, "Reed Supplies")
    sams_laptop.clients().update(on_laptop, {"notes": "Moved budget to Q2."})
    ClientService(office.owner).update(office.sams_client, {"website": "reed.example"})

    sync_all(office.owner, sams_laptop)

    for client in (
        sams_laptop.clients().get(on_laptop),
        ClientService(office.owner).get(office.sams_client),
    ):
        assert client.notes == "Moved budget to Q2."
        assert client.website == "https://reed.example"


def test_purchases_added_on_two_devices_both_survive(office, sams_laptop):
    sync_all(office.owner, sams_laptop)
    on_laptop = client_id(sams_laptop.vault, "Reed Supplies")
    laptop, owner = sams_laptop.clients(), ClientService(office.owner)
    purchase = {"date": "2026-11-02", "items": [{"product": "Gadget", "quantity": "1",
                                                  "unit_price": "5.00"}]}  # fmt: skip
    current = laptop.get_json(on_laptop)["purchases"]
    laptop.update(on_laptop, {"purchases": [*current, purchase]})
    other = {**purchase, "items": [{**purchase["items"][0], "product": "Sprocket"}]}
    current = owner.get_json(office.sams_client)["purchases"]
    owner.update(office.sams_client, {"purchases": [*current, other]})

    sync_all(office.owner, sams_laptop)

    for service, cid in ((laptop, on_laptop), (owner, office.sams_client)):
        products = sorted(p.items[0].product for p in service.get(cid).purchases)
        assert products == ["Gadget", "Sprocket", "Widget"]


def test_the_same_field_changed_twice_keeps_one_value_everywhere_and_lists_it(office, sams_laptop):
    sync_all(office.owner, sams_laptop)
    on_laptop = client_id(sams_laptop.vault, "Reed Supplies")
    sams_laptop.clients().update(on_laptop, {"status": "active"})
    ClientService(office.owner).update(office.sams_client, {"status": "former"})

    sync_all(office.owner, sams_laptop)

    here = sams_laptop.clients().get(on_laptop).status
    there = ClientService(office.owner).get(office.sams_client).status
    assert here == there and here in ("active", "former")
    for vault in (sams_laptop.vault, office.vault):
        listed = vault.connection.execute("SELECT fields FROM repl_conflicted").fetchall()
        assert listed == [(1,)]


def test_a_client_made_on_the_laptop_reaches_the_office_whole(office, sams_laptop):
    sync_all(office.owner, sams_laptop)
    from tests.services.office import secret_client

    sams_laptop.clients().add(secret_client("Sam Reed", "Laptop Made Ltd"))
    sync_all(office.owner, sams_laptop)

    at_office = ClientService(office.owner).get(client_id(office.vault, "Laptop Made Ltd"))
    assert at_office.salesperson == "Sam Reed"
    assert at_office.preferences[0].detail == "mornings"
    assert at_office.contacts[0].personal.family == "two sons"


def test_a_deletion_at_the_office_reaches_the_laptop(office, sams_laptop):
    sync_all(office.owner, sams_laptop)
    ClientService(office.owner).delete(office.zoes_client)
    sync_all(office.owner, sams_laptop)
    assert client_id(sams_laptop.vault, "Harbour Foods") is None


def test_a_conflict_is_listed_alike_and_settled_everywhere(office, sams_laptop):
    from crmdesk.services.replication import conflicts

    sync_all(office.owner, sams_laptop)
    on_laptop = client_id(sams_laptop.vault, "Reed Supplies")
    sams_laptop.clients().update(on_laptop, {"industry": "Hardware"})
    ClientService(office.owner).update(office.sams_client, {"industry": "Plumbing"})
    sync_all(office.owner, sams_laptop)

    (at_office,) = conflicts.list_conflicts(office.owner)
    (on_sam,) = conflicts.list_conflicts(sams_laptop.session)
    assert (
        (at_office.table, at_office.column)
        == ("client", "industry")
        == (
            on_sam.table,
            on_sam.column,
        )
    )
    assert {at_office.kept.value, at_office.lost[0].value} == {"Hardware", "Plumbing"}
    assert at_office.kept.stamp == on_sam.kept.stamp
    loser = at_office.lost[0]

    conflicts.settle(
        office.owner, office.sams_client, at_office.record, at_office.column, loser.stamp
    )
    sync_all(office.owner, sams_laptop)

    assert conflicts.list_conflicts(office.owner) == []
    assert conflicts.list_conflicts(sams_laptop.session) == []
    assert ClientService(office.owner).get(office.sams_client).industry == loser.value
    assert sams_laptop.clients().get(on_laptop).industry == loser.value


def test_status_counts_an_edit_made_here_before_it_is_sent(office, sams_laptop):
    from crmdesk.services.replication import status

    sync_all(office.owner, sams_laptop)
    assert status.sync_status(sams_laptop.session).changes_waiting == 0
    on_laptop = client_id(sams_laptop.vault, "Reed Supplies")
    sams_laptop.clients().update(on_laptop, {"industry": "Bakery"})
    assert status.sync_status(sams_laptop.session).changes_waiting == 1
    sams_laptop.sync()
    assert status.sync_status(sams_laptop.session).changes_waiting == 0
