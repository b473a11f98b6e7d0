"""Audit entries signed by who made them: what someone holding only the database key (any
colleague's process has it) can no longer do to the trail unseen, through the service and
through ``crmdesk audit verify``; and what remains."""

from __future__ import annotations

import json

import pytest

from crmdesk import audit
from crmdesk.errors import AuditChainBroken
from crmdesk.services.audit_check import verify_trail
from crmdesk.services.session import verify_audit
from tests.audit.office import (
    OWNER_PASSWORD,
    attacker_connection,
    entries,
    office,  # noqa: F401 - the fixture
    remove_head,
    rewrite,
    set_head,
)
from tests.integration.cli import run_cli

OWNER_ENV = {"CRMDESK_USER": "zoe", "CRMDESK_PASSWORD": OWNER_PASSWORD}


def _fails_at(office, seq: int, words: str) -> None:  # noqa: F811
    report = verify_trail(office.owner.vault)
    assert not report.ok and report.first_bad_seq == seq, report
    assert words in report.problem
    with pytest.raises(AuditChainBroken, match=f"number {seq}\\b"):
        verify_audit(office.owner)
    result = run_cli(office.folder, "audit", "verify", env=OWNER_ENV)
    assert result.returncode == 4, result.stderr
    assert f"number {seq}." in result.stderr and words in result.stderr


def test_the_office_trail_is_signed_by_who_acted(office):  # noqa: F811
    office.session("sam")
    report = verify_trail(office.owner.vault)
    assert report.ok and report.signed == report.length and report.unsigned == 0
    conn = office.owner.vault.connection
    signers = conn.execute(
        "SELECT DISTINCT actor, signer FROM audit_events WHERE actor != signer"
    ).fetchall()
    assert signers == []
    assert conn.execute("SELECT count(*) FROM audit_events WHERE sig IS NULL").fetchone()[0] == 0
    result = run_cli(office.folder, "audit", "verify", env=OWNER_ENV)
    assert result.returncode == 0 and "Audit trail intact" in result.stdout, result.stderr
    assert "entries signed by who made them" in result.stdout


def _forged(row: list, **change) -> list:
    """A copy of ``row`` made into an entry of the owner's that never happened."""
    forged = list(row)
    forged[2:6] = ["zoe", "user.role_changed", "sam", '{"new":"manager","old":"salesperson"}']
    forged[8:11] = [change.get("signer"), change.get("serial"), change.get("sig")]
    return forged


@pytest.mark.parametrize("how", ["unsigned", "another key", "own key, owner named"])
def test_an_entry_forged_in_the_owners_name_fails(office, how):  # noqa: F811
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    owner_serial = office.owner.vault.person.serial
    where = len(rows) // 2
    if how == "unsigned":
        forged = _forged(rows[where])
    elif how == "another key":  # the owner's name and serial, Sam's signing key
        forged = _forged(rows[where], signer="zoe", serial=owner_serial, sig=b"")
    else:  # signed as Sam with Sam's key, but naming the owner as who acted
        forged = _forged(rows[where], signer="sam", serial=sam.vault.person.serial, sig=b"")
    rows.insert(where, forged)
    if forged[10] is not None:
        # Signed as the recomputed chain will hold it (the entries before it keep their
        # hashes), with the only signing key Sam's process has: his own.
        digest = audit.chain._entry_hash(where + 1, *forged[1:6], rows[where - 1][7])
        forged[10] = sam.vault.person.sign(bytes.fromhex(digest))
    rewrite(conn, office.owner.vault.meta.vault_id, rows, office.folder)
    conn.close()
    words = {
        "unsigned": "is not signed",
        "another key": "signature does not match",
        "own key, owner named": "names 'zoe' as who acted but was signed by 'sam'",
    }[how]
    _fails_at(office, where + 1, words)


def test_an_entry_forged_at_the_end_with_the_head_set_to_match_fails(office):  # noqa: F811
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    forged = _forged(rows[-1], signer="zoe", serial=office.owner.vault.person.serial, sig=b"")
    seq = len(rows) + 1
    forged[0], forged[6] = seq, rows[-1][7]
    forged[7] = audit.chain._entry_hash(seq, *forged[1:6], forged[6])
    forged[10] = sam.vault.person.sign(bytes.fromhex(forged[7]))
    conn.execute(f"INSERT INTO audit_events VALUES ({', '.join('?' * 11)})", forged)
    conn.commit()
    conn.close()
    set_head(office.folder, seq, forged[7])
    _fails_at(office, seq, "signature does not match")


def test_an_entry_deleted_from_the_middle_with_the_chain_recomputed_fails(office):  # noqa: F811
    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    where = next(i for i, r in enumerate(rows) if r[3] == "user.added" and r[4] == "sam")
    del rows[where]
    rewrite(conn, office.owner.vault.meta.vault_id, rows, office.folder)
    conn.close()
    _fails_at(office, where + 1, "signature does not match")


def test_a_vault_json_without_its_head_fails(office):  # noqa: F811
    remove_head(office.folder)
    report = verify_trail(office.owner.vault)
    assert not report.ok and "audit_head was removed" in report.problem
    with pytest.raises(AuditChainBroken, match="audit_head was removed"):
        verify_audit(office.owner)
    result = run_cli(office.folder, "audit", "verify", env=OWNER_ENV)
    assert result.returncode == 4 and "audit_head was removed" in result.stderr, result.stderr
    # The CLI's own sign-in committed entries: the head was not made again.
    assert "audit_head" not in json.loads((office.folder / "vault.json").read_text())


def test_a_key_not_vouched_for_by_the_owner_fails(office):  # noqa: F811
    """Sam puts a key of his own into person_keys as the owner's next serial, endorsed by
    himself, and signs an entry in the owner's name with it."""
    from nacl.signing import SigningKey

    sam = office.session("sam")
    conn = attacker_connection(office.folder, sam)
    fake = SigningKey.generate()
    serial = office.owner.vault.person.serial + 1
    row = conn.execute(
        "SELECT box_public FROM person_keys WHERE login = 'zoe' ORDER BY serial DESC"
    ).fetchone()
    conn.execute(
        "INSERT INTO person_keys (login, serial, role, box_public, sign_public, endorsed_by,"
        " endorser_serial, endorsement, created_at) VALUES ('zoe', ?, 'owner', ?, ?, 'sam', ?,"
        " ?, '2026-01-01')",
        (serial, row[0], bytes(fake.verify_key), sam.vault.person.serial, b"\0" * 64),
    )
    rows = entries(conn)
    seq = len(rows) + 1
    forged = _forged(rows[-1], signer="zoe", serial=serial, sig=b"")
    forged[0], forged[6] = seq, rows[-1][7]
    forged[7] = audit.chain._entry_hash(seq, *forged[1:6], forged[6])
    forged[10] = fake.sign(bytes.fromhex(forged[7])).signature
    conn.execute(f"INSERT INTO audit_events VALUES ({', '.join('?' * 11)})", forged)
    conn.commit()
    conn.close()
    set_head(office.folder, seq, forged[7])
    _fails_at(office, seq, "which the vault does not vouch for")


def test_what_remains_a_person_may_rewrite_a_tail_of_their_own_entries(office):  # noqa: F811
    """Said in crmdesk.audit.verify and SECURITY.md: with the database key and their own
    signing key, someone can delete one of their own entries when every later entry is
    theirs too, re-signing those. Everyone else's entries stay out of their reach."""
    sam = office.session("sam")
    from crmdesk.services.clients import ClientService

    seller = ClientService(sam)
    for text in ("first", "second", "third"):
        seller.update(office.client, {"notes": text})
    conn = attacker_connection(office.folder, sam)
    rows = entries(conn)
    assert rows[-1][2] == rows[-2][2] == "sam"
    del rows[-2]
    seq, _ = rewrite(conn, office.owner.vault.meta.vault_id, rows, office.folder)
    last = conn.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq,)).fetchone()[0]
    conn.execute(
        "UPDATE audit_events SET sig = ? WHERE seq = ?",
        (sam.vault.person.sign(bytes.fromhex(last)), seq),
    )
    conn.commit()
    conn.close()
    assert verify_trail(office.owner.vault).ok


def test_failed_sign_ins_recorded_on_behalf_of_the_typed_login_verify(office):  # noqa: F811
    from crmdesk.errors import SignInFailed
    from crmdesk.services import signin

    for _ in range(2):
        with pytest.raises(SignInFailed):
            signin.sign_in(office.folder, "mia", "not her password")
    office.session("sam")  # records the queued failures, signed by Sam
    conn = office.owner.vault.connection
    recorded = conn.execute(
        "SELECT actor, signer, details FROM audit_events WHERE action = 'signin.failed'"
    ).fetchall()
    assert [(a, s) for a, s, _ in recorded] == [("mia", "sam"), ("mia", "sam")]
    assert all(json.loads(d)["recorded_by"] == "sam" for _, _, d in recorded)
    assert verify_trail(office.owner.vault).ok
