"""The upgrade of a vault from before sealing: entries that kept value-added values in plain
details are resealed, their hashes (and so the head hashes printed on old reports) kept;
the owner verifies them by unsealing, anyone else through the digest the owner signed."""

from __future__ import annotations

import json

import pytest

from crmdesk import audit
from crmdesk.errors import AuditChainBroken
from crmdesk.services import audit_sealing, upgrade
from crmdesk.services.activity import ActivityService
from crmdesk.services.audit_check import verify_trail, vouched_keys
from crmdesk.services.session import owner_session, verify_audit
from crmdesk.vault.keys.audit_box import seal_to
from crmdesk.vault.keys.person import b64
from crmdesk.vault.migrations import AUDIT_APPEND_ONLY
from tests.audit.office import attacker_connection, set_head

CHANGES = {"notes": {"old": "Decides in January.", "new": "Retires in June."}}
LEGACY = [  # (actor, action, object, details) as schema 6 recorded them
    ("zoe", "vault.created", "v", {"owner": "Zoë"}),
    ("zoe", "client.created", "client:1", {"fields": ["name", "notes"]}),
    ("sam", "client.updated", "client:1", {"fields": ["notes"], "value_added_changes": CHANGES}),
    ("mallory", "signin.failed", "mallory", {"reason": "wrong password"}),
    ("zoe", "settings.changed", "settings", {"old": {"a": 1}, "new": {"a": 2}}),
    ("sam", "client.updated", "client:1", {"fields": ["tags"]}),
    ("zoe", "client.updated", "client:1",
     {"fields": ["pricing"], "value_added_changes": {"pricing": {"added": [{"price": "9"}],
                                                                 "removed": []}}}),
]  # fmt: skip
RESEALED_SEQS = [3, 7]


@pytest.fixture
def upgraded(vault, vault_dir):
    """A vault whose trail began before signatures (entries 1-7 unsigned, two with plain
    value-added values), then the owner's signed entries, then the upgrade's end."""
    session = owner_session(vault)
    conn = attacker_connection(vault_dir, session)  # the setup: the trail as it was
    conn.execute("DELETE FROM audit_events")
    conn.execute("BEGIN IMMEDIATE")
    for actor, action, obj, details in LEGACY:
        audit.record(
            conn, vault.meta.vault_id, actor=actor, action=action, object=obj, details=details
        )
    for statement in AUDIT_APPEND_ONLY.create:
        conn.execute(statement)
    conn.execute("COMMIT")
    set_head(vault_dir, *audit.head(conn))
    conn.close()
    before = _rows(vault)
    with vault.transaction():
        vault.record_event("zoe", "vault.migrated", object="v", details={"from": 6, "to": 7})
    upgrade.record_upgrade(vault, "zoe")
    return session, before


def _rows(vault) -> list[tuple]:
    return vault.connection.execute(
        "SELECT seq, ts, actor, action, object, details, prev_hash, hash FROM audit_events"
        " WHERE seq <= ? ORDER BY seq",
        (len(LEGACY),),
    ).fetchall()


def _upgrade_details(vault) -> dict:
    row = vault.connection.execute(
        "SELECT details FROM audit_events WHERE action = 'vault.upgraded'"
    ).fetchone()
    return json.loads(row[0])


def test_old_details_are_resealed_with_their_hashes_kept(upgraded, vault):
    _, before = upgraded
    after = _rows(vault)
    assert [r[7] for r in after] == [r[7] for r in before]  # every hash, so the old heads
    assert [r[6] for r in after] == [r[6] for r in before]
    changed = [a[0] for a, b in zip(after, before, strict=True) if a != b]
    assert changed == RESEALED_SEQS
    for seq in RESEALED_SEQS:
        stored = json.loads(after[seq - 1][5])
        assert set(stored) == {"fields", "resealed"}
        assert stored["resealed"]["key"] == "audit@1"
        assert "value_added" not in after[seq - 1][5] and "Retires" not in after[seq - 1][5]


def test_the_upgrade_entry_names_the_unsigned_entries_and_the_digest(upgraded, vault):
    details = _upgrade_details(vault)
    assert details["unsigned_until"] == len(LEGACY)
    assert details["resealed"]["entries"] == len(RESEALED_SEQS)
    digest = audit.ResealDigest()
    for row in _rows(vault):
        if row[0] in RESEALED_SEQS:
            digest.add(row)
    assert details["resealed"]["digest"] == digest.hexdigest()
    assert "dropped and made again" in details["audit_triggers"]
    signer = vault.connection.execute(
        "SELECT signer, sig IS NOT NULL FROM audit_events WHERE action = 'vault.upgraded'"
    ).fetchone()
    assert signer == ("zoe", 1)


def test_the_append_only_triggers_are_back(upgraded, vault):
    with pytest.raises(Exception, match="append-only"), vault.transaction() as conn:
        conn.execute("UPDATE audit_events SET details = '{}' WHERE seq = 3")
    names = {
        r[0]
        for r in vault.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
        )
    }
    # Besides them, those that keep the day counts (schema 9), which the upgrade keeps.
    assert names == {"audit_events_no_update", "audit_events_no_delete"} | {
        f"audit_day_counts_{change}" for change in ("insert", "update", "delete")
    }


def test_the_owner_verifies_by_unsealing_anyone_else_by_the_digest(upgraded, vault):
    session, _ = upgraded
    owner = verify_audit(session)
    assert owner.ok and owner.unsigned == len(LEGACY) and owner.signed == owner.length - 7
    without_key = vault.verify_audit(keys=vouched_keys(vault))
    assert without_key.ok and without_key.unsigned == len(LEGACY)
    assert vault.verify_audit().ok  # the chain alone (backups, restores)


def test_the_owner_reads_the_original_details(upgraded):
    session, _ = upgraded
    shown = {e.seq: e.details for e in ActivityService(session).log()}
    for seq in RESEALED_SEQS:
        assert shown[seq] == LEGACY[seq - 1][3]


def test_upgrading_again_changes_nothing(upgraded, vault):
    every = vault.connection.execute("SELECT * FROM audit_events ORDER BY seq").fetchall()
    upgrade.record_upgrade(vault, "zoe")
    assert vault.connection.execute("SELECT * FROM audit_events ORDER BY seq").fetchall() == every


def _tamper(vault, vault_dir, session, seq: int, change) -> None:
    conn = attacker_connection(vault_dir, session)
    details = json.loads(
        conn.execute("SELECT details FROM audit_events WHERE seq = ?", (seq,)).fetchone()[0]
    )
    change(details)
    conn.execute(
        "UPDATE audit_events SET details = ? WHERE seq = ?",
        (audit.canonical_details(details), seq),
    )
    conn.commit()
    conn.close()


def test_a_resealed_entry_changed_in_its_plain_part_fails(upgraded, vault, vault_dir):
    session, _ = upgraded
    _tamper(vault, vault_dir, session, 7, lambda d: d.update(fields=["tags"]))
    for report in (verify_trail(vault), vault.verify_audit(keys=vouched_keys(vault))):
        assert not report.ok and report.first_bad_seq == RESEALED_SEQS[0]
        assert "resealed at the upgrade" in report.problem


def test_a_resealed_box_replaced_fails(upgraded, vault, vault_dir):
    """Anyone may seal to the audit key's public half: a box with other content."""
    session, _ = upgraded
    public = audit_sealing.sealing_key(vault, vault.connection)[1]
    other = b64(seal_to(public, b'{"fields":["notes"],"value_added_changes":{}}'))
    _tamper(vault, vault_dir, session, 7, lambda d: d["resealed"].update(box=other))
    owner = verify_trail(vault)
    assert not owner.ok and owner.first_bad_seq == 7 and "sealed details" in owner.problem
    with pytest.raises(AuditChainBroken, match="number 7"):
        verify_audit(session)
    without_key = vault.verify_audit(keys=vouched_keys(vault))
    assert not without_key.ok and without_key.first_bad_seq == RESEALED_SEQS[0]


def test_an_unsigned_entry_after_the_upgrade_fails(upgraded, vault, vault_dir):
    session, _ = upgraded
    conn = attacker_connection(vault_dir, session)
    conn.execute("BEGIN IMMEDIATE")
    event = audit.record(conn, vault.meta.vault_id, actor="zoe", action="client.deleted")
    conn.execute("COMMIT")
    conn.close()
    set_head(vault_dir, event.seq, event.hash)
    report = verify_trail(vault)
    assert not report.ok and report.first_bad_seq == event.seq
    assert "is not signed" in report.problem
