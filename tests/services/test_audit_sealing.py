"""Old and new values of value-added fields in the audit trail are sealed to the Owner
and Managers: readable on the Activity page and in the Access report for them, by nobody
else, whatever keys their process holds."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from crmdesk.errors import VaultDamaged
from crmdesk.gui.activity.words import detail_summary
from crmdesk.reports.access_report import _details as access_report_details
from crmdesk.services import audit_sealing, key_access
from crmdesk.services.activity import ActivityService
from crmdesk.services.audit_check import verify_trail
from crmdesk.services.clients import ClientService
from crmdesk.services.evidence import Evidence
from crmdesk.vault.keys.keyfile import update_keyfile
from crmdesk.vault.keys.person import CannotOpen, b64
from crmdesk.vault.keys.slots import AUDIT
from tests.audit.office import attacker_connection, office  # noqa: F401 - the fixture

OLD, NEW = "Decides in January.", "Owner retires in June; the son takes over."


def _edit(office, login: str, notes: str) -> dict:  # noqa: F811
    """``login`` changes the notes of Sam's client; the entry's details as stored."""
    ClientService(office.session(login)).update(office.client, {"notes": notes})
    row = office.owner.vault.connection.execute(
        "SELECT details FROM audit_events WHERE action = 'client.updated' ORDER BY seq DESC"
    ).fetchone()
    return json.loads(row[0])


def _box(details: dict) -> bytes:
    return base64.b64decode(details["sealed"]["box"])


def test_an_edit_records_its_value_added_values_sealed(office):  # noqa: F811
    stored = _edit(office, "sam", NEW)
    assert set(stored) == {"fields", "sealed"} and stored["fields"] == ["notes"]
    generation = office.owner.vault.keyfile().keys[AUDIT].generation
    assert stored["sealed"]["key"] == f"audit@{generation}"
    conn = attacker_connection(office.folder, office.session("sam"))
    text = " ".join(r[0] for r in conn.execute("SELECT details FROM audit_events"))
    conn.close()
    assert "Decides in January" not in text and "retires" not in text
    assert verify_trail(office.owner.vault).ok  # hashed and signed in sealed form


@pytest.mark.parametrize("login", ["sam", "ann"])
def test_a_salesperson_or_assistant_process_cannot_unseal(office, login):  # noqa: F811
    sealed = _box(_edit(office, "sam", NEW))
    vault = office.session(login).vault
    held = vault.held
    assert held.audit == {}
    secrets = [k.raw for k in (*held.current.values(), *held.pending.values())]
    secrets += list(held.audit.values())
    assert secrets  # they hold the main key at least
    for secret in secrets:
        with pytest.raises(CryptoError):
            SealedBox(PrivateKey(secret)).decrypt(sealed)
    with pytest.raises(CannotOpen):
        vault.person.secret.open(sealed)
    details = json.loads(
        vault.connection.execute(
            "SELECT details FROM audit_events WHERE action = 'client.updated' ORDER BY seq DESC"
        ).fetchone()[0]
    )
    shown = audit_sealing.open_details(audit_sealing.opener(vault), details)
    assert shown == {"fields": ["notes"], "sealed": "sealed"}


@pytest.mark.parametrize("login", ["zoe", "mia"])
def test_the_owner_and_a_manager_unseal(office, login):  # noqa: F811
    stored = _edit(office, "sam", NEW)
    keys = audit_sealing.opener(office.session(login).vault)
    opened = audit_sealing.open_details(keys, stored)
    assert opened == {
        "fields": ["notes"],
        "value_added_changes": {"notes": {"old": OLD, "new": NEW}},
    }


def test_the_activity_page_and_the_access_report_show_the_values_to_the_owner(office):  # noqa: F811
    _edit(office, "sam", NEW)
    [event] = ActivityService(office.owner).log(_filter("sam", "client.updated"))
    assert event.details["value_added_changes"]["notes"] == {"old": OLD, "new": NEW}
    assert "old and new value-added values kept" in detail_summary(event)
    report = Evidence(office.owner).access_report("sam", days=1)
    [updated] = [e for e in report.events if e.action == "client.updated"]
    assert NEW in access_report_details(updated.details)
    assert report.chain.ok


def _filter(login: str, action: str):
    from crmdesk.services.activity import ActivityFilter

    return ActivityFilter(login=login, action=action)


def test_sealed_details_read_sealed_to_anyone_else(office):  # noqa: F811
    from crmdesk.domain.alerts import ActivityEvent

    stored = _edit(office, "sam", NEW)
    shown = audit_sealing.open_details(audit_sealing.opener(office.session("ann").vault), stored)
    event = ActivityEvent.from_row(1, dt.datetime.now(dt.UTC), "sam", "client.updated", "", shown)
    assert "sealed" in detail_summary(event) and NEW not in detail_summary(event)
    assert NEW not in access_report_details(shown)


def test_after_an_audit_key_rotation_new_details_use_the_new_generation(office):  # noqa: F811
    first = _edit(office, "sam", NEW)
    before = int(first["sealed"]["key"].split("@")[1])
    key_access.rotate_keys(office.owner.vault, "zoe", [AUDIT], "a manager left")
    rows = {
        g: (p, by)
        for g, p, by in office.owner.vault.connection.execute(
            "SELECT generation, public, endorsed_by FROM audit_keys"
        )
    }
    assert before + 1 in rows and rows[before + 1][1] == "zoe"
    second = _edit(office, "sam", "Back to January.")
    assert second["sealed"]["key"] == f"audit@{before + 1}"
    keys = audit_sealing.opener(office.owner.vault)
    for stored in (first, second):
        assert "value_added_changes" in audit_sealing.open_details(keys, stored)
    assert verify_trail(office.owner.vault).ok


def _own_audit_key_row(office, generation: int) -> PrivateKey:  # noqa: F811
    """Sam, with the database key and his own signing key, records an audit key of his
    own for ``generation``, endorsed by himself."""
    sam = office.session("sam")
    mine = PrivateKey.generate()
    public = bytes(mine.public_key)
    from crmdesk.services.audit_keys import endorsement_message

    message = endorsement_message(sam.vault.meta.vault_id, generation, public)
    conn = attacker_connection(office.folder, sam)
    conn.execute(
        "INSERT OR REPLACE INTO audit_keys (generation, public, created_at, endorsed_by,"
        " endorser_serial, endorsement) VALUES (?, ?, '2026-01-01', 'sam', ?, ?)",
        (generation, public, sam.vault.person.serial, sam.vault.person.sign(message)),
    )
    conn.commit()
    conn.close()
    return mine


@pytest.mark.parametrize("where", ["a newer generation", "the current generation"])
def test_an_audit_key_not_vouched_for_is_never_sealed_to(office, where):  # noqa: F811
    current = office.owner.vault.keyfile().keys[AUDIT].generation
    generation = current + 5 if where == "a newer generation" else current
    mine = _own_audit_key_row(office, generation)
    # Sam's process skips Sam's row (a Salesperson vouches for no audit key) and seals to
    # the newest generation the owner vouched for: with the current one replaced, the
    # one before it (the office's first colleague rotated every key, so there is one).
    assert current > 1
    stored = _edit(office, "sam", NEW)
    with pytest.raises(CryptoError):
        SealedBox(mine).decrypt(_box(stored))
    keys = audit_sealing.opener(office.owner.vault)
    assert "value_added_changes" in audit_sealing.open_details(keys, stored)
    # The owner's next seal puts the right key back for the generation the owner holds.
    _edit(office, "zoe", "Owner's note.")
    row = office.owner.vault.connection.execute(
        "SELECT public FROM audit_keys WHERE generation = ?", (current,)
    ).fetchone()
    assert bytes(row[0]) != bytes(mine.public_key)


def test_keys_json_naming_another_audit_key_changes_nothing(office):  # noqa: F811
    mine = PrivateKey.generate()

    def swap(keyfile):
        info = keyfile.keys[AUDIT]
        info.publics = {g: b64(bytes(mine.public_key)) for g in info.publics}

    update_keyfile(office.folder, swap)
    stored = _edit(office, "sam", NEW)
    with pytest.raises(CryptoError):
        SealedBox(mine).decrypt(_box(stored))


def test_without_any_vouched_audit_key_nothing_is_recorded_unsealed(office):  # noqa: F811
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    conn.execute("DELETE FROM audit_keys")
    conn.commit()
    conn.close()
    with pytest.raises(VaultDamaged, match="no audit key"):
        ClientService(sam).update(office.client, {"notes": NEW})
    assert ClientService(office.owner).get(office.client, record_view=False).notes == OLD
