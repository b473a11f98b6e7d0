"""``crmdesk backup`` and ``crmdesk restore`` through the real command: files, exit codes."""

from __future__ import annotations

import json
import re
import stat

import keyring
import pytest

from crmdesk.services import backup as backups
from crmdesk.services import signin
from crmdesk.vault import Vault
from crmdesk.vault.paths import METADATA_NAME
from tests.conftest import OWNER as CONFTEST_OWNER
from tests.integration.cli import run_cli
from tests.integration.test_cli_people import BOB, OWNER, office  # noqa: F401
from tests.services.conftest import full_client
from tests.services.office import (  # noqa: F401
    OWNER_PASSWORD,
    PASSWORDS,
    fast_passwords,
    make_office,
)
from tests.support import MemoryKeyStore

RECOVERY = re.compile(r"\b(?:[0-9A-Z]{4}-){13}[0-9A-Z]{4}\b")
PHRASE = "maple harbour violet seventeen"
NEW_PHRASE = "copper lantern orchard ninety"


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _init(folder, *extra, stdin=""):
    result = _ok(
        run_cli(folder, *extra, "init", "--name", "Jane Doe", "--login", "jane", stdin=stdin)
    )
    return RECOVERY.search(result.stdout).group(0)


def _vault_id(folder) -> str:
    return json.loads((folder / METADATA_NAME).read_text())["vault_id"]


def _names(folder, *extra, stdin="") -> list[str]:
    listed = _ok(run_cli(folder, *extra, "client", "list", "--json", stdin=stdin))
    return [row["name"] for row in json.loads(listed.stdout)]


def _flip(path, index) -> None:
    data = bytearray(path.read_bytes())
    data[index] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.keyring
def test_backup_then_restore_on_a_fresh_keyring_with_the_recovery_key(tmp_path):
    vault = tmp_path / "vault"
    recovery_key = _init(vault)
    _ok(run_cli(vault, "client", "add", stdin=json.dumps(full_client())))
    backup = tmp_path / "usb" / "jane.crmbackup"
    backup.parent.mkdir()

    made = _ok(run_cli(vault, "backup", str(backup)))
    assert "SHA-256" in made.stdout and str(backup) in made.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "Zoë's Bakery".encode() not in backup.read_bytes()
    log = json.loads(_ok(run_cli(vault, "audit", "log", "--json", "--action", "backup")).stdout)
    assert [e["action"] for e in log["events"]] == ["backup.created"]
    assert log["events"][0]["details"]["sha256"] in made.stdout

    # Beside the live vault (one user, its key in this keyring): recorded there too.
    beside = _ok(run_cli(vault, "restore", str(backup), "--to", str(tmp_path / "beside")))
    assert "Recorded in the vault at" in beside.stdout and "keyring" in beside.stdout
    log = json.loads(_ok(run_cli(vault, "audit", "log", "--json", "--action", "vault")).stdout)
    elsewhere = [e for e in log["events"] if e["action"] == "vault.restored_elsewhere"]
    assert [e["details"]["to"] for e in elsewhere] == [str(tmp_path / "beside")]
    assert _names(tmp_path / "beside") == ["Zoë's Bakery"]

    keyring.delete_password("crmdesk", f"vault-{_vault_id(vault)}")  # a new laptop
    new = tmp_path / "new"
    no_key = run_cli(None, "restore", str(backup), "--to", str(new))
    assert no_key.returncode == 3 and "--recovery-key-stdin" in no_key.stderr
    assert not new.exists()

    restored = run_cli(
        None, "restore", str(backup), "--to", str(new), "--recovery-key-stdin",
        stdin=recovery_key + "\n",
    )  # fmt: skip
    _ok(restored)
    assert "Restored vault" in restored.stdout and "Secret Service" in restored.stdout
    assert _names(new) == ["Zoë's Bakery"]
    verify = _ok(run_cli(new, "audit", "verify"))
    assert "Audit trail intact" in verify.stdout


@pytest.mark.keyring
def test_refusals_and_damage_exit_codes(tmp_path):
    vault = tmp_path / "vault"
    recovery_key = _init(vault)
    backup = tmp_path / "b.crmbackup"
    _ok(run_cli(vault, "backup", str(backup)))

    again = run_cli(vault, "backup", str(backup))
    assert again.returncode == 1 and "--force" in again.stderr
    _ok(run_cli(vault, "backup", str(backup), "--force"))

    over_vault = run_cli(None, "restore", str(backup), "--to", str(vault))
    assert over_vault.returncode == 1 and "never overwrites a vault" in over_vault.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("x")
    not_empty = run_cli(None, "restore", str(backup), "--to", str(busy))
    assert not_empty.returncode == 1 and "not empty" in not_empty.stderr

    pristine = backup.read_bytes()
    header_end = pristine.index(b"\n", pristine.index(b"\n") + 1)
    for where in (header_end - 30, len(pristine) - 5000):  # the metadata, the database
        backup.write_bytes(pristine)
        _flip(backup, where)
        damaged = run_cli(
            None, "restore", str(backup), "--to", str(tmp_path / "r"), "--recovery-key-stdin",
            stdin=recovery_key + "\n",
        )  # fmt: skip
        assert damaged.returncode == 4, damaged.stderr
        assert "damaged or was altered" in damaged.stderr
        assert not (tmp_path / "r").exists()
    backup.write_bytes(pristine[:-100])
    truncated = run_cli(None, "restore", str(backup), "--to", str(tmp_path / "r"))
    assert truncated.returncode == 4 and "truncated" in truncated.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.crmbackup", "busy", "vault"]


@pytest.mark.keyring
def test_a_backup_from_before_a_rekey_needs_the_old_recovery_key(tmp_path):
    vault = tmp_path / "vault"
    old_recovery = _init(vault)
    _ok(run_cli(vault, "client", "add", stdin='{"name": "Kowalski & Sons"}'))
    backup = tmp_path / "old.crmbackup"
    _ok(run_cli(vault, "backup", str(backup)))
    _ok(run_cli(vault, "rekey", "--reason", "laptop stolen"))

    refused = run_cli(None, "restore", str(backup), "--to", str(tmp_path / "r"))
    assert refused.returncode == 3
    assert "recovery key printed before" in refused.stderr
    # The old key would push the live vault's key out of this keyring: refused, with advice.
    clash = run_cli(
        None, "restore", str(backup), "--to", str(tmp_path / "r"), "--recovery-key-stdin",
        stdin=old_recovery + "\n",
    )  # fmt: skip
    assert clash.returncode == 1 and "--passphrase-stdin" in clash.stderr
    _ok(run_cli(vault, "status"))  # the live vault still opens

    restored = run_cli(
        None, "--passphrase-stdin", "restore", str(backup), "--to", str(tmp_path / "r"),
        "--recovery-key-stdin", stdin=f"{old_recovery}\n{NEW_PHRASE}\n",
    )  # fmt: skip
    _ok(restored)
    names = _names(tmp_path / "r", "--passphrase-stdin", stdin=NEW_PHRASE + "\n")
    assert names == ["Kowalski & Sons"]


@pytest.mark.keyring
def test_a_salesperson_may_not_back_up(office, tmp_path):  # noqa: F811
    refused = run_cli(office, "backup", str(tmp_path / "bob.crmbackup"), env=BOB)
    assert refused.returncode == 6 and "Owner" in refused.stderr
    assert not (tmp_path / "bob.crmbackup").exists()
    _ok(run_cli(office, "backup", str(tmp_path / "jane.crmbackup"), env=OWNER))


def test_passphrase_vault_backup_and_restore_without_a_keyring(tmp_path):
    """Needs no Secret Service: the key is wrapped by the passphrase, in the backup too."""
    vault = tmp_path / "vault"
    _init(vault, "--passphrase-stdin", stdin=PHRASE + "\n")
    phrase = ["--passphrase-stdin"]
    _ok(
        run_cli(vault, *phrase, "client", "add", stdin=PHRASE + "\n" + json.dumps({"name": "Acme"}))
    )
    backup = tmp_path / "b.crmbackup"
    _ok(run_cli(vault, *phrase, "backup", str(backup), stdin=PHRASE + "\n"))

    wrong = run_cli(
        None, *phrase, "restore", str(backup), "--to", str(tmp_path / "r"),
        stdin="not the passphrase\n",
    )  # fmt: skip
    assert wrong.returncode == 3 and not (tmp_path / "r").exists()
    no_phrase = run_cli(None, "restore", str(backup), "--to", str(tmp_path / "r"))
    assert no_phrase.returncode == 3 and "--passphrase-stdin" in no_phrase.stderr
    _ok(
        run_cli(
            None, *phrase, "restore", str(backup), "--to", str(tmp_path / "r"),
            stdin=PHRASE + "\n",
        )
    )  # fmt: skip
    assert _names(tmp_path / "r", *phrase, stdin=PHRASE + "\n") == ["Acme"]
    not_a_backup = run_cli(None, "restore", str(vault / METADATA_NAME), "--to", str(tmp_path / "x"))
    assert not_a_backup.returncode == 1 and "not a crmdesk backup" in not_a_backup.stderr


# -- only the owner restores or recovers a vault of several people --------------------------


@pytest.fixture
def several(tmp_path, fast_passwords):  # noqa: F811
    """An office made through the services (an owner and one person of each role, each
    with their own password), its recovery key, and a backup by its owner."""
    vault, _ = Vault.create(tmp_path / "office", CONFTEST_OWNER, keystore=MemoryKeyStore())
    made_office = make_office(vault)
    recovery_key = vault.unshown_recovery_key()
    for login in ("mia", "sam", "ann"):
        made_office.session(login).close()
    made = backups.backup(made_office.owner, tmp_path / "office.crmbackup")
    vault.close()
    return tmp_path / "office", recovery_key, made.path


def _as(login: str) -> list[str]:
    return ["--user", login, "--password-stdin"]


def _trail(folder, after: int = 0) -> list[tuple]:
    """The audit entries (actor, signer, action, object) after ``after``, read as the owner."""
    session = signin.sign_in(folder, "zoe", OWNER_PASSWORD)
    try:
        return session.vault.connection.execute(
            "SELECT actor, signer, action, object FROM audit_events WHERE seq > ? ORDER BY seq",
            (after,),
        ).fetchall()
    finally:
        session.close()


def _head(folder) -> int:
    return json.loads((folder / METADATA_NAME).read_text())["audit_head"]["seq"]


@pytest.mark.parametrize("login", ["sam", "ann"])
def test_a_salespersons_and_an_assistants_restore_and_recover_are_refused(several, login):
    folder, recovery_key, backup = several
    target = backup.parent / "theirs"
    before = _head(folder)

    restore = run_cli(
        folder, *_as(login), "restore", str(backup), "--to", str(target),
        stdin=PASSWORDS[login] + "\n",
    )  # fmt: skip
    assert restore.returncode == 6, restore.stderr
    assert "only the Owner may" in restore.stderr and not target.exists()
    recover = run_cli(folder, *_as(login), "recover", stdin=PASSWORDS[login] + "\n")
    assert recover.returncode == 6, recover.stderr
    # Giving the recovery key as someone else changes nothing either.
    with_key = run_cli(
        folder, *_as(login), "restore", str(backup), "--to", str(target),
        "--recovery-key-stdin", stdin=f"{PASSWORDS[login]}\n{recovery_key}\n",
    )  # fmt: skip
    assert with_key.returncode == 6 and not target.exists()

    mine = backup.parent / f"{login}.crmbackup"
    copy = run_cli(folder, *_as(login), "backup", str(mine), stdin=PASSWORDS[login] + "\n")
    assert copy.returncode == 6 and not mine.exists()

    # Each attempt recorded in the live vault under their login, signed by them.
    refused = [e for e in _trail(folder, before) if e[2] == "access.denied"]
    assert refused == [
        (login, login, "access.denied", "restore"),
        (login, login, "access.denied", "recover"),
        (login, login, "access.denied", "restore"),
        (login, login, "access.denied", "backup"),
    ]
    # Without signing in there is no attempt to record: asked to sign in.
    for command in (["restore", str(backup), "--to", str(target)], ["recover"]):
        anonymous = run_cli(folder, *command, stdin=recovery_key + "\n")
        assert anonymous.returncode == 3 and "--user" in anonymous.stderr
    # The recovery key with someone else's login: their own password is asked, not the key.
    claimed = run_cli(folder, "--user", login, "recover", stdin=recovery_key + "\n")
    assert claimed.returncode == 3 and not target.exists()
    signin.sign_in(folder, "zoe", OWNER_PASSWORD).close()  # the owner's password unchanged


def test_the_owner_restores_beside_the_live_vault_and_everyone_signs_in(several):
    folder, _, backup = several
    target = backup.parent / "restored"
    before = _head(folder)
    restored = _ok(
        run_cli(
            folder, *_as("zoe"), "restore", str(backup), "--to", str(target),
            stdin=OWNER_PASSWORD + "\n",
        )
    )  # fmt: skip
    assert "Owner: zoe" in restored.stdout and "Recorded in the vault at" in restored.stdout
    recorded = [e for e in _trail(folder, before) if e[2] == "vault.restored_elsewhere"]
    assert recorded == [("zoe", "zoe", "vault.restored_elsewhere", str(target))]
    for login, password in PASSWORDS.items():
        _ok(run_cli(target, *_as(login), "status", stdin=password + "\n"))
    verify = _ok(run_cli(target, *_as("zoe"), "audit", "verify", stdin=OWNER_PASSWORD + "\n"))
    assert "Audit trail intact" in verify.stdout
    restores = [e for e in _trail(target) if e[2] == "vault.restored"]
    assert [e[:2] for e in restores] == [("zoe", "zoe")]


def test_the_owner_restores_on_a_new_computer(several, tmp_path):
    _, recovery_key, backup = several
    nowhere = tmp_path / "no-vault-here"
    not_owner = run_cli(
        nowhere, *_as("mia"), "restore", str(backup), "--to", str(tmp_path / "r"),
        stdin=PASSWORDS["mia"] + "\n",
    )  # fmt: skip
    assert not_owner.returncode == 6 and not (tmp_path / "r").exists()
    no_login = run_cli(nowhere, "restore", str(backup), "--to", str(tmp_path / "r"))
    assert no_login.returncode == 3 and "--user" in no_login.stderr
    _ok(
        run_cli(
            nowhere, *_as("zoe"), "restore", str(backup), "--to", str(tmp_path / "r"),
            stdin=OWNER_PASSWORD + "\n",
        )
    )  # fmt: skip
    # The recovery key, then the owner's new password.
    new_password = "owner's new password 2"
    _ok(
        run_cli(
            nowhere, *_as("zoe"), "restore", str(backup), "--to", str(tmp_path / "r2"),
            "--recovery-key-stdin", stdin=f"{recovery_key}\n{new_password}\n",
        )
    )  # fmt: skip
    _ok(run_cli(tmp_path / "r2", *_as("zoe"), "status", stdin=new_password + "\n"))
    old = run_cli(tmp_path / "r2", *_as("zoe"), "status", stdin=OWNER_PASSWORD + "\n")
    assert old.returncode == 3
    _ok(run_cli(tmp_path / "r2", *_as("ann"), "status", stdin=PASSWORDS["ann"] + "\n"))


def test_the_owner_recovers_with_the_recovery_key(several):
    folder, recovery_key, _ = several
    before = _head(folder)
    new_password = "owner's new password 2"
    recovered = _ok(
        run_cli(folder, "--user", "zoe", "recover", stdin=f"{recovery_key}\n{new_password}\n")
    )
    assert "as its owner zoe" in recovered.stdout
    old = run_cli(folder, *_as("zoe"), "status", stdin=OWNER_PASSWORD + "\n")
    assert old.returncode == 3
    _ok(run_cli(folder, *_as("zoe"), "status", stdin=new_password + "\n"))
    session = signin.sign_in(folder, "zoe", new_password)
    try:
        trail = session.vault.connection.execute(
            "SELECT actor, signer FROM audit_events WHERE action = 'key.recovered' AND seq > ?",
            (before,),
        ).fetchall()
    finally:
        session.close()
    assert trail == [("zoe", "zoe")]
