"""The audit head kept in vault.json shows when the newest entries are removed."""

from __future__ import annotations

import json

import pytest

from crmdesk import audit
from crmdesk.errors import AuditChainBroken, VaultDamaged
from crmdesk.services.session import owner_session, verify_audit
from crmdesk.vault.audit_head import read_recorded_head
from crmdesk.vault.connection import DatabaseError, open_database
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME


def _recorded(vault_dir):
    """The head recorded outside the database: vault.json's, or audit-head.log's after
    views, whichever is newer."""
    head, _ = read_recorded_head(vault_dir)
    return {"seq": head[0], "hash": head[1]} if head else None


def _record(vault, n, start=0):
    for i in range(start, start + n):
        with vault.transaction():
            vault.record_event("zoe", "client.viewed", object=f"client:{i}")


def _attacker(vault_dir, vault):
    """A raw connection with the database key, as someone holding it would use: no Vault
    rules."""
    conn = open_database(vault_dir / DATABASE_NAME, vault.held.main)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    return conn


def test_head_is_recorded_after_each_commit(vault, vault_dir):
    assert _recorded(vault_dir) == {"seq": 1, "hash": audit.head(vault.connection)[1]}
    _record(vault, 3)
    seq, digest = audit.head(vault.connection)
    assert seq == 4 and _recorded(vault_dir) == {"seq": 4, "hash": digest}


def test_a_transaction_without_events_writes_nothing(vault, vault_dir):
    before = (vault_dir / METADATA_NAME).stat()
    with vault.transaction() as conn:
        conn.execute("INSERT INTO vault_info (key, value) VALUES ('x', 'y')")
    after = (vault_dir / METADATA_NAME).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_head_waits_for_the_commit(vault, vault_dir):
    with vault.transaction():
        vault.record_event("zoe", "client.viewed")
        assert _recorded(vault_dir)["seq"] == 1  # not yet: it may still roll back
    assert _recorded(vault_dir)["seq"] == 2


def test_rolled_back_events_never_reach_the_head(vault, vault_dir):
    with pytest.raises(ZeroDivisionError), vault.transaction():
        vault.record_event("zoe", "client.viewed")
        1 / 0  # noqa: B018
    assert _recorded(vault_dir)["seq"] == 1


def test_a_failed_commit_writes_no_head(vault, vault_dir):
    """A deferred foreign key fails the COMMIT itself, after the event was recorded."""
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.execute(
            "CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    with pytest.raises(DatabaseError, match="FOREIGN KEY"), vault.transaction() as conn:
        vault.record_event("zoe", "client.viewed")
        conn.execute("INSERT INTO child VALUES (42)")
    assert _recorded(vault_dir)["seq"] == 1
    assert audit.head(vault.connection)[0] == 1
    assert vault.verify_audit().ok


def test_removed_newest_entries_are_detected(vault, vault_dir):
    session = owner_session(vault)  # before the attack: it records entries of its own
    _record(vault, 6)
    conn = _attacker(vault_dir, vault)
    conn.execute("DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 2 FROM audit_events)")
    conn.close()
    assert audit.verify(vault.connection, vault.meta.vault_id).ok  # the chain alone is fine
    report = vault.verify_audit()
    assert not report.ok
    length = report.length + 2
    assert report.problem.startswith(
        f"the newest entries of the audit trail were removed: the head kept beside the "
        f"database (vault.json, audit-head.log) records entry "
        f"{length} but the trail ends at entry {length - 2}"
    )
    assert report.first_bad_seq == length - 1 and report.recorded_seq == length
    with pytest.raises(AuditChainBroken, match="were removed"):
        verify_audit(session)


def test_a_trail_emptied_entirely_is_detected(vault, vault_dir):
    conn = _attacker(vault_dir, vault)
    conn.execute("DELETE FROM audit_events")
    conn.close()
    report = vault.verify_audit()
    assert not report.ok and "records entry 1 but the trail is empty" in report.problem


def test_rewritten_newest_entry_is_detected(vault, vault_dir):
    """Entry 4 replaced by a forged one that chains correctly: only the head shows it."""
    _record(vault, 3)
    conn = _attacker(vault_dir, vault)
    row = conn.execute("SELECT ts, prev_hash FROM audit_events WHERE seq = 4").fetchone()
    conn.execute("DELETE FROM audit_events WHERE seq = 4")
    forged = audit.chain._entry_hash(4, row[0], "mallory", "nothing.happened", "", "{}", row[1])
    conn.execute(
        "INSERT INTO audit_events (seq, ts, actor, action, object, details, prev_hash, hash)"
        " VALUES (4, ?, 'mallory', 'nothing.happened', '', '{}', ?, ?)",
        (row[0], row[1], forged),
    )
    conn.close()
    assert audit.verify(vault.connection, vault.meta.vault_id).ok
    report = vault.verify_audit()
    assert not report.ok and report.first_bad_seq == 4
    assert "entry 4 of the audit trail is not the one kept beside the database" in report.problem


def test_new_entries_after_verify_still_verify(vault):
    _record(vault, 5)
    assert vault.verify_audit().ok
    _record(vault, 5, start=5)
    report = vault.verify_audit()
    assert report.ok and report.length == 11 and report.recorded_seq == 11


def test_a_head_behind_the_database_is_no_failure(vault, vault_dir):
    """Another process committed entries and has not written its head yet."""
    conn = open_database(vault_dir / DATABASE_NAME, vault.held.main)
    conn.execute("BEGIN IMMEDIATE")
    for i in range(3):
        audit.record(conn, vault.meta.vault_id, actor="ann", action="client.viewed", object=str(i))
    conn.execute("COMMIT")
    conn.close()
    assert _recorded(vault_dir)["seq"] == 1
    report = vault.verify_audit()
    assert report.ok and report.length == 4


def test_vault_json_without_a_head_fails(vault, vault_dir):
    """A vault of today's format always has a head: one removed hides removed entries."""
    session = owner_session(vault)
    path = vault_dir / METADATA_NAME
    data = json.loads(path.read_text())
    del data["audit_head"]
    path.write_text(json.dumps(data))
    report = vault.verify_audit()
    assert not report.ok and "audit_head was removed" in report.problem
    with pytest.raises(AuditChainBroken, match="audit_head was removed"):
        verify_audit(session)


def test_a_mangled_head_is_reported(vault, vault_dir):
    path = vault_dir / METADATA_NAME
    data = json.loads(path.read_text())
    data["audit_head"] = {"seq": "seven"}
    path.write_text(json.dumps(data))
    with pytest.raises(VaultDamaged, match="audit_head"):
        vault.verify_audit()


def test_a_removal_stays_reported_after_later_commits(vault, vault_dir):
    """Later entries do not move the head past one the trail no longer holds: the removal
    stays evidence instead of being covered by the next commit."""
    _record(vault, 4)
    recorded = _recorded(vault_dir)
    conn = _attacker(vault_dir, vault)
    conn.execute("DELETE FROM audit_events WHERE seq > 2")
    conn.close()
    _record(vault, 5, start=10)  # entries 3..7 again, different ones
    assert _recorded(vault_dir) == recorded
    report = vault.verify_audit()
    assert not report.ok and report.first_bad_seq == recorded["seq"]
    assert "is not the one kept beside the database" in report.problem
