"""Three vaults through a plain folder (issue 14, part 7): the office, Sam's laptop and
Kim's laptop; need-to-know across laptops, a reassignment, a revoked device."""

from __future__ import annotations

import pytest

from crmdesk.services.clients import ClientService
from crmdesk.services.offboarding import OffboardingService
from crmdesk.services.replication import exchange
from tests.services.office import fast_passwords  # noqa: F401  (fixture)
from tests.sync.office_vaults import client_id, join_laptop, sync_all


@pytest.fixture
def laptops(office, shared, tmp_path):
    sam = join_laptop(office, "sam", "Sam Reed", tmp_path / "sam-laptop", shared)
    kim = join_laptop(office, "kim", "Kim Park", tmp_path / "kim-laptop", shared)
    sync_all(office.owner, sam, kim)
    return sam, kim


def test_concurrent_edits_on_three_vaults_converge(office, laptops):
    sam, kim = laptops
    on_sam = client_id(sam.vault, "Park Logistics")
    on_kim = client_id(kim.vault, "Park Logistics")
    sam.clients().update(on_sam, {"industry": "Freight"})  # basic: Sam may edit it
    kim.clients().update(on_kim, {"notes": "Renewal in March."})
    owner = ClientService(office.owner)
    at_office = client_id(office.vault, "Park Logistics")
    owner.update(at_office, {"website": "park.example"})

    sync_all(office.owner, sam, kim)

    full = owner.get(at_office)
    assert (full.industry, full.notes, full.website) == (
        "Freight",
        "Renewal in March.",
        "https://park.example",
    )
    kims = kim.clients().get(on_kim)
    assert (kims.industry, kims.notes, kims.website) == (full.industry, full.notes, full.website)
    sams = sam.clients().get(on_sam)
    assert (sams.industry, sams.website) == (full.industry, full.website)
    assert sams.notes == ""  # Kim's book: never on Sam's laptop


def test_a_reassigned_client_moves_its_book_on_every_laptop(office, laptops):
    sam, kim = laptops
    owner = ClientService(office.owner)
    owner.update(office.sams_client, {"salesperson": "Kim Park"})

    sync_all(office.owner, sam, kim)

    on_kim = kim.clients().get(client_id(kim.vault, "Reed Supplies"))
    assert on_kim.salesperson == "Kim Park"
    assert on_kim.notes == "Decides every January; golfing buddy of the CFO."
    assert [p.items[0].product for p in on_kim.purchases] == ["Widget"]
    on_sam = sam.clients().get(client_id(sam.vault, "Reed Supplies"))
    assert on_sam.salesperson == "Kim Park"
    assert on_sam.notes == "" and on_sam.purchases == []


def test_a_revoked_laptop_reads_nothing_written_after(office, laptops):
    import io

    from pypdf import PdfReader

    sam, kim = laptops
    result = OffboardingService(office.owner).offboard("sam")
    pages = PdfReader(io.BytesIO(result.access_report.data)).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "Laptops and what they held" in text
    assert "Sam Reed's book; basic information of every client" in text
    assert "still syncing" not in text
    sync_all(office.owner, kim)
    owner = ClientService(office.owner)
    owner.add({"name": "After Sam Left", "salesperson": "Kim Park", "notes": "new secret"})
    sync_all(office.owner, kim)
    assert client_id(kim.vault, "After Sam Left") is not None

    report = sam.sync()

    assert client_id(sam.vault, "After Sam Left") is None
    assert report.received_changes == 0
    # Edits Sam makes now are refused by every device.
    sams_copy = client_id(sam.vault, "Harbour Foods")
    sam.clients().update(sams_copy, {"industry": "Sabotage"})
    sam.sync()
    exchange.sync_now(office.owner)
    assert owner.get(office.zoes_client).industry != "Sabotage"


def _activity(vault, device: str) -> list[tuple[str, str, str]]:
    """The (actor, action, object) of entries copied from ``device`` into ``vault``'s trail."""
    import json

    return [
        (r[0], r[1], r[2])
        for r in vault.connection.execute(
            "SELECT actor, action, object, details FROM audit_events ORDER BY seq"
        )
        if json.loads(r[3]).get("copied_from") == device
    ]


def test_the_owner_holds_every_laptops_trail_with_the_device_named(office, laptops):
    from crmdesk.services.replication import state

    sam, kim = laptops
    on_sam = client_id(sam.vault, "Reed Supplies")
    sam.clients().get(on_sam)  # a view, recorded on the laptop
    sam.clients().update(on_sam, {"notes": "Budget cut."})
    sync_all(office.owner, sam, kim)

    device = state.office(sam.vault).device
    copied = _activity(office.vault, device)
    assert ("sam", "client.viewed", f"client:{on_sam}") in copied
    assert ("sam", "client.updated", f"client:{on_sam}") in copied
    # The value-added change travels sealed: readable in the owner's trail only with the
    # audit key, never in the clear in its database.
    rows = office.vault.connection.execute(
        "SELECT details FROM audit_events WHERE details LIKE '%Budget cut.%'"
    ).fetchall()
    assert rows == []
    # Kim's laptop (a salesperson: no audit key) copies nobody's trail.
    assert _activity(kim.vault, device) == []


def test_a_laptop_trail_rewritten_after_it_synced_is_caught(office, laptops):
    from crmdesk.services.replication import ledger

    sam, kim = laptops
    sam.clients().get(client_id(sam.vault, "Reed Supplies"))
    sync_all(office.owner, sam)
    # Sam drops the triggers that keep the trail append-only, deletes his view and
    # makes his laptop send the trail again from the start.
    conn = sam.vault.connection
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                        " AND tbl_name = 'audit_events'")]  # fmt: skip
    with sam.vault.transaction():
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DELETE FROM audit_events WHERE action = 'client.viewed'")
        ledger.set_info(sam.vault, "sync.trail_sent", "0")
    sam.clients().update(client_id(sam.vault, "Reed Supplies"), {"industry": "Cover-up"})
    sam.sync()

    report = exchange.sync_now(office.owner)

    assert any("was cut or rewritten" in r for r in report.rejected)
    broken = office.vault.connection.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'sync.trail_broken'"
    ).fetchone()[0]
    assert broken == 1


def test_a_salesperson_acts_in_their_office_role_on_their_laptop(office, laptops):
    from crmdesk.errors import NotAllowed

    sam, _ = laptops
    assert sam.session.role.value == "salesperson"
    with pytest.raises(NotAllowed):
        sam.clients().delete(client_id(sam.vault, "Park Logistics"))


def test_a_deletion_from_a_tampered_laptop_is_refused_everywhere(office, laptops):
    from crmdesk.services import client_store

    sam, kim = laptops
    # Someone goes around the app on Sam's laptop and deletes the client in the store.
    with sam.vault.transaction():
        client_store.delete_client(sam.vault, client_id(sam.vault, "Park Logistics"))

    sync_all(office.owner, sam, kim)

    assert client_id(office.vault, "Park Logistics") is not None
    assert client_id(kim.vault, "Park Logistics") is not None
    refused = office.vault.connection.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'sync.received'"
        " AND details LIKE '%\"refused\":1%'"
    ).fetchone()[0]
    assert refused >= 1
