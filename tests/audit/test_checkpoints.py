"""Checkpoints of the audit trail (crmdesk.audit.checkpoint): a walk that checked every
signature records where it got to, signed by who verified; the next walk checks only the
signatures after it, and still catches what someone holding the database key does to the
trail, before the checkpoint or after it, and a checkpoint they forge."""

from __future__ import annotations

import json

import pytest

from crmdesk import audit
from crmdesk.audit import checkpoint
from crmdesk.errors import AuditChainBroken
from crmdesk.services.audit_check import trusted_checkpoint, verify_trail
from crmdesk.services.clients import ClientService
from crmdesk.services.session import verify_audit
from tests.audit.office import (
    OWNER_PASSWORD,
    attacker_connection,
    entries,
    office,  # noqa: F401 - the fixture
    rewrite,
)
from tests.integration.cli import run_cli

OWNER_ENV = {"CRMDESK_USER": "zoe", "CRMDESK_PASSWORD": OWNER_PASSWORD}


def _busy_day(office) -> None:  # noqa: F811
    """Sam and the owner work on: entries after the checkpoint, of both."""
    seller = ClientService(office.session("sam"))
    for text in ("first", "second"):
        seller.update(office.client, {"notes": text})
    ClientService(office.owner).get(office.client)


def _checkpoints(conn) -> list[tuple]:
    return conn.execute("SELECT seq, signer FROM audit_checkpoints ORDER BY seq, rowid").fetchall()


def test_a_walk_records_a_checkpoint_and_the_next_starts_there(office):  # noqa: F811
    first = verify_trail(office.owner.vault)
    assert first.ok and first.checkpoint_seq is None and first.signed == first.length
    assert _checkpoints(office.owner.vault.connection) == [(first.length, "zoe")]
    _busy_day(office)
    second = verify_trail(office.owner.vault)
    assert second.ok and second.checkpoint_seq == first.length and second.rehashed
    # The tally carries on from the checkpoint: every entry counted once.
    assert second.signed == second.length > first.length
    full = verify_trail(office.owner.vault, full=True)
    assert full.ok and full.checkpoint_seq is None and full.signed == second.signed
    result = run_cli(office.folder, "audit", "verify", env=OWNER_ENV)
    assert result.returncode == 0, result.stderr
    assert "checked by an earlier check" in result.stdout
    result = run_cli(office.folder, "audit", "verify", "--full", env=OWNER_ENV)
    assert result.returncode == 0 and "earlier check" not in result.stdout, result.stderr


def test_an_entry_edited_after_the_checkpoint_fails(office):  # noqa: F811
    verify_trail(office.owner.vault)
    _busy_day(office)
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    where = next(i for i in range(len(rows) - 1, 0, -1) if rows[i][2] == "zoe")
    rows[where][5] = json.dumps({"value_added": False})  # the owner's view made harmless
    rewrite(conn, office.owner.vault.meta.vault_id, rows, office.folder)
    conn.close()
    report = verify_trail(office.owner.vault)
    assert not report.ok and report.first_bad_seq == where + 1, report
    assert "signature does not match" in report.problem


def test_an_entry_edited_before_the_checkpoint_fails(office):  # noqa: F811
    """Its content changed, its hash left as it was: the rehash of ``audit verify`` (and
    ``--full``) shows it. A walk that skips the rehash (reports, backups) trusts the
    entries before the checkpoint, as crmdesk.audit.checkpoint says; the rehash is what
    catches this, so ``audit verify`` never skips it."""
    verify_trail(office.owner.vault)
    _busy_day(office)
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    seq = next(r[0] for r in entries(conn) if r[3] == "user.added" and r[4] == "sam")
    conn.execute("UPDATE audit_events SET details = ? WHERE seq = ?", ('{"role":"owner"}', seq))
    conn.commit()
    conn.close()
    for full in (False, True):
        report = verify_trail(office.owner.vault, full=full)
        assert not report.ok and report.first_bad_seq == seq, report
        assert "content no longer matches its hash" in report.problem
    with pytest.raises(AuditChainBroken, match=f"number {seq}\\b"):
        verify_audit(office.owner)
    skipping = verify_trail(office.owner.vault, rehash=False)
    assert skipping.ok and not skipping.rehashed  # the trust it takes, said plainly


def test_an_entry_rewritten_before_the_checkpoint_with_the_chain_recomputed_fails(
    office,  # noqa: F811
):
    """Every hash recomputed: the checkpoint's entry no longer has its hash, so the walk
    checks every signature and names the first entry touched, with or without rehash."""
    verify_trail(office.owner.vault)
    _busy_day(office)
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    where = next(i for i, r in enumerate(rows) if r[3] == "user.added" and r[4] == "sam")
    del rows[where]
    rewrite(conn, office.owner.vault.meta.vault_id, rows, office.folder)
    conn.close()
    for rehash in (True, False):
        report = verify_trail(office.owner.vault, rehash=rehash)
        assert not report.ok and report.first_bad_seq == where + 1, report
        assert "signature does not match" in report.problem


def test_newest_entries_removed_below_a_checkpoint_fail(office):  # noqa: F811
    """Sam removes the newest entries (all his own) back past the checkpoint and sets
    vault.json's head to match: the chain and its signatures are intact, but the owner's
    checkpoint names an entry that is gone."""
    ClientService(office.session("sam")).update(office.client, {"notes": "x"})
    length = verify_trail(office.owner.vault).length
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    assert rows[-1][2] == "sam"
    rewrite(conn, office.owner.vault.meta.vault_id, rows[:-1], office.folder)
    conn.close()
    report = verify_trail(office.owner.vault)
    assert not report.ok and report.first_bad_seq == length, report
    assert "is gone" in report.problem and "zoe verified" in report.problem


@pytest.mark.parametrize("how", ["signed by nobody", "Sam's key as the owner", "Sam's own"])
def test_a_checkpoint_forged_with_the_database_key_is_not_trusted(office, how):  # noqa: F811
    """Sam rewrites the owner's entry, recomputes the chain, and writes a checkpoint at
    the new head so that the owner's next walk would skip every signature: the walk does
    not trust it, checks them all, and names the entry he rewrote."""
    verify_trail(office.owner.vault)
    sam = office.session("sam")
    vault_id = office.owner.vault.meta.vault_id
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    where = next(i for i, r in enumerate(rows) if r[3] == "user.added" and r[4] == "sam")
    rows[where][5] = json.dumps({"role": "owner"})
    length, head = rewrite(conn, vault_id, rows, office.folder)
    signer, serial = {
        "signed by nobody": ("zoe", office.owner.vault.person.serial),
        "Sam's key as the owner": ("zoe", office.owner.vault.person.serial),
        "Sam's own": ("sam", sam.vault.person.serial),
    }[how]
    forged = checkpoint.Checkpoint(length, head, length, 0, 1, "2026-12-01", signer, serial)
    sig = (
        b"\0" * 64
        if how == "signed by nobody"
        else sam.vault.person.sign(checkpoint.message(vault_id, forged))
    )
    conn.execute(
        "INSERT INTO audit_checkpoints (seq, hash, signed, unsigned, first_signed, made_at,"
        " signer, key_serial, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (length, head, length, 0, 1, "2026-12-01", signer, serial, sig),
    )
    conn.commit()
    conn.close()
    assert trusted_checkpoint(office.owner.vault) is None or (
        trusted_checkpoint(office.owner.vault).hash != head
    )
    report = verify_trail(office.owner.vault)
    assert not report.ok and report.first_bad_seq == where + 1, report
    assert "signature does not match" in report.problem
    # Sam's own walk trusts his own checkpoint, and only fools himself: nobody else's.
    if how == "Sam's own":
        assert trusted_checkpoint(sam.vault).hash == head


def test_a_checkpoint_of_another_vault_is_not_trusted(office):  # noqa: F811
    """The vault id is in what a checkpoint signs: one copied from elsewhere fails."""
    verify_trail(office.owner.vault)
    found = trusted_checkpoint(office.owner.vault)
    assert found is not None
    keys = lambda login, serial: office.owner.vault.person.public  # noqa: E731
    conn = office.owner.vault.connection
    assert checkpoint.newest_trusted(conn, office.owner.vault.meta.vault_id, keys) == found
    assert checkpoint.newest_trusted(conn, "another vault", keys) is None


def test_a_backup_and_the_access_report_start_from_the_checkpoint(office):  # noqa: F811
    """They check signatures (the report) or the chain (the backup's copy) only after it."""
    from crmdesk.services import backup
    from crmdesk.services.evidence import Evidence

    verify_trail(office.owner.vault)
    _busy_day(office)
    data = Evidence(office.owner).access_report("sam", 30)
    assert data.chain.ok
    cp = trusted_checkpoint(office.owner.vault)
    assert cp is not None and cp.seq == data.chain.length  # the report's walk recorded it
    made = backup.backup(office.owner, office.folder.parent / "copy.crmbackup")
    assert made.audit_length >= cp.seq
    # The checkpoint's entry changed in the live vault after the backup began would be
    # caught in the copy; here the copy verifies, and the live chain still does too.
    assert verify_trail(office.owner.vault).ok
    assert audit.checkpoint.has_table(office.owner.vault.connection)
