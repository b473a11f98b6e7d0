"""Users, roles, the policy gate, the audit log, rekey and offboarding through the
real ``crmdesk`` command, with the key in a real Secret Service."""

from __future__ import annotations

import hashlib
import json

import pytest
from pypdf import PdfReader

from tests.integration.cli import run_cli
from tests.services.office import fast_passwords  # noqa: F401

pytestmark = pytest.mark.keyring

OWNER = {"CRMDESK_USER": "jane", "CRMDESK_PASSWORD": "owner password 1"}


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def office(tmp_path, fast_passwords):  # noqa: F811
    """Jane (owner, password set) and Bob (salesperson, first password changed, policy
    accepted), with one client each."""
    folder = tmp_path / "vault"
    _ok(run_cli(folder, "init", "--name", "Jane Doe", "--login", "jane"))
    _ok(run_cli(folder, "user", "passwd", stdin="owner password 1\n"))
    _ok(
        run_cli(
            folder, "user", "add", "bob", "--name", "Bob Stone", "--role", "salesperson",
            stdin="initial password 1\nowner password 1\n",
        )
    )  # fmt: skip
    for salesperson, name in (("Bob Stone", "Stone Mills"), ("jane", "Doe Bakery")):
        record = {"name": name, "salesperson": salesperson, "notes": "secret plans"}
        _ok(run_cli(folder, "client", "add", stdin=json.dumps(record), env=OWNER))
    bob = ["--user", "bob", "--password-stdin"]
    _ok(run_cli(folder, *bob, "user", "passwd", stdin="initial password 1\nbob password 12\n"))
    shown = _ok(run_cli(folder, *bob, "policy", "show", stdin="bob password 12\n"))
    assert "1833(b)" in shown.stdout and "policy accept --version 1" in shown.stdout
    _ok(run_cli(folder, *bob, "policy", "accept", "--version", "1", stdin="bob password 12\n"))
    return folder


BOB = {"CRMDESK_USER": "bob", "CRMDESK_PASSWORD": "bob password 12"}


def test_a_second_user_makes_sign_in_required(office):
    result = run_cli(office, "client", "list")
    assert result.returncode == 3 and "--user LOGIN" in result.stderr
    wrong = run_cli(office, "--user", "bob", "--password-stdin", "client", "list", stdin="x\n")
    assert wrong.returncode == 3 and "login or password is wrong" in wrong.stderr


def test_a_new_user_must_change_the_password_and_accept_the_policy_first(
    tmp_path,
    fast_passwords,  # noqa: F811
):
    folder = tmp_path / "v"
    _ok(run_cli(folder, "init", "--name", "Jane Doe", "--login", "jane"))
    _ok(run_cli(folder, "user", "passwd", stdin="owner password 1\n"))
    add = ["user", "add", "ann", "--name", "Ann Lee", "--role", "assistant"]
    # The first colleague: the owner's own password follows the initial one, and a new
    # recovery key is shown (the keyring opens the vault no more).
    added = _ok(run_cli(folder, *add, stdin="initial password 1\nowner password 1\n"))
    assert "NEW RECOVERY KEY" in added.stderr
    ann = {"CRMDESK_USER": "ann", "CRMDESK_PASSWORD": "initial password 1"}
    first = run_cli(folder, "client", "list", env=ann)
    assert first.returncode == 6 and "user passwd" in first.stderr
    _ok(run_cli(folder, "user", "passwd", stdin="ann password 123\n", env=ann))
    ann["CRMDESK_PASSWORD"] = "ann password 123"
    gated = run_cli(folder, "client", "list", env=ann)
    assert gated.returncode == 6 and "policy accept" in gated.stderr
    unread = run_cli(folder, "policy", "accept", env=ann)
    assert unread.returncode == 1 and "--version 1" in unread.stderr
    _ok(run_cli(folder, "policy", "accept", "--version", "1", env=ann))
    _ok(run_cli(folder, "client", "list", env=ann))


def test_roles_are_enforced_on_the_command_line(office, tmp_path):
    listed = _ok(run_cli(office, "client", "list", "--json", env=BOB))
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["Stone Mills"]["full"] and not rows["Doe Bakery"]["full"]
    ids = {name: row["id"] for name, row in rows.items()}
    other = json.loads(_ok(run_cli(office, "client", "show", str(ids["Doe Bakery"]), "--json",
                                   env=BOB)).stdout)  # fmt: skip
    assert other["redacted"] is True and other["notes"] is None
    own = json.loads(_ok(run_cli(office, "client", "show", str(ids["Stone Mills"]), "--json",
                                 env=BOB)).stdout)  # fmt: skip
    assert own["notes"] == "secret plans"
    for command in (
        ["client", "delete", str(ids["Stone Mills"])],
        ["report", "list", "-o", str(tmp_path / "l.pdf")],
        ["user", "list"],
        ["audit", "log"],
        ["report", "measures", "-o", str(tmp_path / "m.pdf")],
        ["rekey"],
    ):
        refused = run_cli(office, *command, env=BOB)
        assert refused.returncode == 6, (command, refused.stderr)
        assert "only the Owner" in refused.stderr, refused.stderr
    assert not (tmp_path / "l.pdf").exists()


def test_audit_log_filters_by_user_and_date_and_shows_alerts(office):
    log = _ok(run_cli(office, "audit", "log", "--json", "--user", "bob", env=OWNER))
    events = json.loads(log.stdout)["events"]
    kinds = [e["action"] for e in events]
    assert "policy.accepted" in kinds and "signin.ok" in kinds
    assert {e["actor"] for e in events} == {"bob"}
    future = _ok(run_cli(office, "audit", "log", "--since", "2999-01-01", env=OWNER))
    assert "No audit entries match" in future.stdout
    bad = run_cli(office, "audit", "log", "--since", "yesterday", env=OWNER)
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr


def test_truncating_the_audit_trail_is_detected(office):
    import sqlcipher3  # the attacker's tool: the key, and the file

    from tests.support import main_key_hex

    # Bob holds the main key (every user does): what he could copy out of his process.
    key = main_key_hex(office, login="bob", password="bob password 12")
    _ok(run_cli(office, "audit", "verify", env=OWNER))
    conn = sqlcipher3.connect(str(office / "crmdesk.db"))
    conn.execute(f"PRAGMA key = \"x'{key}'\"")
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 3 FROM audit_events)")
    conn.commit()
    conn.close()
    result = run_cli(office, "audit", "verify", env=OWNER)
    assert result.returncode == 4 and "removed" in result.stderr, result.stderr


def test_offboarding_disables_reports_rotates_the_key_and_prints_the_exit_form(office, tmp_path):
    from crmdesk.vault.connection import UnreadableDatabase, open_database
    from crmdesk.vault.keys import VaultKey
    from tests.support import main_key_hex

    old_key = main_key_hex(office, login="bob", password="bob password 12")
    out = tmp_path / "bob-access.pdf"
    result = _ok(run_cli(office, "offboard", "bob", "--days", "30", "-o", str(out), env=OWNER))
    assert "Access report ID:" in result.stdout
    assert "Every key bob held was changed" in result.stdout
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Bob Stone" in text and "Jane Doe" in text  # about Bob, printed by Jane
    # Every entry in the CSV written next to it, named with the hash the PDF prints.
    entries = tmp_path / "bob-access-entries.csv"
    digest = hashlib.sha256(entries.read_bytes()).hexdigest()
    assert f"Wrote {entries}" in result.stdout and digest in result.stdout
    assert digest in "".join(text.split())
    certificate = tmp_path / "bob-access-exit-certification.pdf"
    assert "Signature" in "\n".join(p.extract_text() for p in PdfReader(certificate).pages)
    gone = run_cli(office, "client", "list", env=BOB)
    assert gone.returncode == 3 and "disabled" in gone.stderr
    # The key Bob could have copied opens nothing written since.
    with pytest.raises(UnreadableDatabase):
        open_database(office / "crmdesk.db", VaultKey.from_hex(old_key))
    _ok(run_cli(office, "client", "list", env=OWNER))
