"""The audit chain notices edits, deletions, insertions and reordering."""

from __future__ import annotations

import pytest

from crmdesk import audit
from crmdesk.errors import AuditChainBroken
from crmdesk.services.session import owner_session, verify_audit


@pytest.fixture
def chained(vault):
    with vault.transaction():
        for i in range(2, 7):
            vault.record_event("zoe", "client.viewed", object=f"client:{i}", details={"n": i})
    # An attacker with the key can drop the append-only triggers; the chain must still tell.
    vault.connection.execute("DROP TRIGGER audit_events_no_update")
    vault.connection.execute("DROP TRIGGER audit_events_no_delete")
    return vault


def _report(vault):
    return audit.verify(vault.connection, vault.meta.vault_id)


def test_intact_chain_verifies(chained):
    report = _report(chained)
    assert report.ok and report.length == 6
    assert report.head == audit.head(chained.connection)[1]


def test_append_only_triggers_refuse_edits(vault):
    with pytest.raises(Exception, match="append-only"), vault.transaction() as conn:
        conn.execute("UPDATE audit_events SET actor = 'mallory'")
    with pytest.raises(Exception, match="append-only"), vault.transaction() as conn:
        conn.execute("DELETE FROM audit_events")


def test_edited_entry(chained):
    chained.connection.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4")
    report = _report(chained)
    assert not report.ok and report.first_bad_seq == 4 and "changed" in report.problem


def test_edited_and_rehashed_entry_breaks_the_next_link(chained):
    conn = chained.connection
    row = conn.execute("SELECT * FROM audit_events WHERE seq = 3").fetchone()
    forged = audit.chain._entry_hash(3, row[1], "mallory", row[3], row[4], row[5], row[6])
    conn.execute("UPDATE audit_events SET actor='mallory', hash=? WHERE seq=3", (forged,))
    report = _report(chained)
    assert not report.ok and report.first_bad_seq == 4 and "does not follow" in report.problem


def test_deleted_entry(chained):
    chained.connection.execute("DELETE FROM audit_events WHERE seq = 3")
    report = _report(chained)
    assert not report.ok and report.first_bad_seq == 4 and "missing" in report.problem


def test_inserted_entry(chained):
    conn = chained.connection
    conn.execute("UPDATE audit_events SET seq = seq + 100 WHERE seq >= 5")
    conn.execute("UPDATE audit_events SET seq = seq - 99 WHERE seq >= 100")
    prev = conn.execute("SELECT hash FROM audit_events WHERE seq = 4").fetchone()[0]
    digest = audit.chain._entry_hash(5, "2026-01-01T00:00:00+00:00", "x", "y", "", "{}", prev)
    conn.execute(
        "INSERT INTO audit_events (seq, ts, actor, action, object, details, prev_hash, hash)"
        " VALUES (5, ?, 'x', 'y', '', '{}', ?, ?)",
        ("2026-01-01T00:00:00+00:00", prev, digest),
    )
    report = _report(chained)
    assert not report.ok and report.first_bad_seq == 6


def test_reordered_entries(chained):
    conn = chained.connection
    conn.execute("UPDATE audit_events SET seq = -1 WHERE seq = 3")
    conn.execute("UPDATE audit_events SET seq = 3 WHERE seq = 4")
    conn.execute("UPDATE audit_events SET seq = 4 WHERE seq = -1")
    report = _report(chained)
    assert not report.ok and report.first_bad_seq == 3


def test_service_raises_a_readable_error(chained):
    chained.connection.execute("UPDATE audit_events SET details = '{}' WHERE seq = 2")
    with pytest.raises(AuditChainBroken, match="number 2"):
        verify_audit(owner_session(chained))


def test_events_must_be_recorded_inside_a_transaction(vault):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        vault.record_event("zoe", "x")


def test_chain_is_bound_to_its_vault(chained):
    assert not audit.verify(chained.connection, "another-vault-id").ok
