"""The vault through the ``crmdesk`` command against a real Secret Service (gnome-keyring)."""

from __future__ import annotations

import json
import re

import keyring
import pytest

from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.integration.cli import run_cli, run_cli_process
from tests.support import file_hashes, main_key_hex

pytestmark = pytest.mark.keyring

RECOVERY = re.compile(r"\b(?:[0-9A-Z]{4}-){13}[0-9A-Z]{4}\b")
PHRASE = "maple harbour violet seventeen"


def _init(vault, *extra, stdin=""):
    result = run_cli(
        vault,
        *extra,
        "init",
        "--name",
        "Nguyễn Thị Minh",
        "--login",
        "minh",
        "--company",
        "Minh Imports",
        stdin=stdin,
    )
    assert result.returncode == 0, result.stderr
    return RECOVERY.search(result.stdout).group(0), result.stdout


def _vault_id(vault):
    return json.loads((vault / METADATA_NAME).read_text())["vault_id"]


def test_init_stores_the_key_in_the_secret_service(tmp_path):
    vault = tmp_path / "v"
    recovery_key, out = _init(vault)
    assert "print it" in out.lower()
    stored = keyring.get_password("crmdesk", f"vault-{_vault_id(vault)}")
    assert stored is not None and re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored not in (vault / METADATA_NAME).read_text()
    # What the keyring holds opens the owner's key slot, not the database itself.
    with pytest.raises(UnreadableDatabase):
        open_database(vault / DATABASE_NAME, VaultKey.from_hex(stored))

    # Other processes find the key where this one put it: the real round trip.
    status = run_cli_process(vault, "status")
    assert status.returncode == 0, status.stderr
    assert "Secret Service" in status.stdout and "Nguyễn Thị Minh" in status.stdout
    assert run_cli_process(vault, "audit", "verify").returncode == 0

    data = json.loads(run_cli_process(vault, "status", "--json").stdout)
    # Created, then the owner as first user, the default policy and its acceptance.
    assert data["audit_length"] == 4 and data["key_storage"] == "keyring"


def test_recovery_onto_a_fresh_keyring(tmp_path):
    vault = tmp_path / "v"
    recovery_key, _ = _init(vault)
    keyring.delete_password("crmdesk", f"vault-{_vault_id(vault)}")  # a new laptop

    locked_out = run_cli(vault, "status")
    assert locked_out.returncode == 3
    assert "crmdesk recover" in locked_out.stderr

    typo = recovery_key[:-1] + ("0" if recovery_key[-1] != "0" else "1")
    assert run_cli(vault, "recover", stdin=typo + "\n").returncode == 1

    recovered = run_cli(vault, "recover", stdin=recovery_key.lower() + "\n")
    assert recovered.returncode == 0, recovered.stderr
    assert run_cli(vault, "status").returncode == 0
    verify = run_cli(vault, "audit", "verify")
    assert verify.returncode == 0 and "5 entries" in verify.stdout


def test_wrong_key_in_keyring_leaves_files_untouched(tmp_path):
    vault = tmp_path / "v"
    _init(vault)
    keyring.set_password("crmdesk", f"vault-{_vault_id(vault)}", "ab" * 32)
    before = file_hashes(vault)
    result = run_cli(vault, "status")
    assert result.returncode == 3
    assert "recovery key" in result.stderr
    assert file_hashes(vault) == before


def test_tampered_database_exits_4(tmp_path):
    vault = tmp_path / "v"
    _init(vault)
    db = vault / DATABASE_NAME
    data = bytearray(db.read_bytes())
    data[100] ^= 0xFF
    db.write_bytes(bytes(data))
    before = file_hashes(vault)
    # The real entry point's exit code, and nothing of SQLCipher's own log on stderr.
    result = run_cli_process(vault, "status")
    assert result.returncode == 4 and "backup" in result.stderr
    assert file_hashes(vault) == before


def test_passphrase_mode_from_the_command_line(tmp_path):
    vault = tmp_path / "v"
    recovery_key, out = _init(vault, "--passphrase-stdin", stdin=PHRASE + "\n")
    assert "passphrase" in out
    assert keyring.get_password("crmdesk", f"vault-{_vault_id(vault)}") is None
    assert run_cli(vault, "--passphrase-stdin", "status", stdin=PHRASE + "\n").returncode == 0
    wrong = run_cli(vault, "--passphrase-stdin", "status", stdin="not the passphrase\n")
    assert wrong.returncode == 3 and "passphrase" in wrong.stderr
    no_phrase = run_cli(vault, "status")  # no terminal to ask on
    assert no_phrase.returncode == 3 and "--passphrase-stdin" in no_phrase.stderr


def test_no_keyring_offers_the_passphrase(tmp_path):
    """Without a D-Bus session keyring picks its fail backend: refuse, and advise."""
    no_bus = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    # A child process: keyring chooses its backend once per process, from its environment.
    result = run_cli_process(tmp_path / "v", "init", "--name", "A B", "--login", "ab", env=no_bus)
    assert result.returncode == 3
    assert "passphrase" in result.stderr
    assert not (tmp_path / "v").exists()


def test_two_vaults_side_by_side(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _init(a)
    _init(b)
    assert _vault_id(a) != _vault_id(b)
    assert run_cli(a, "status").returncode == 0
    assert run_cli(b, "status").returncode == 0


def test_environment_variable_chooses_the_vault(tmp_path):
    vault = tmp_path / "env-vault"
    _init(vault)
    result = run_cli(None, "status", env={"CRMDESK_VAULT": str(vault)})
    assert result.returncode == 0 and str(vault) in result.stdout


def test_audit_tampering_is_reported_with_exit_4(tmp_path):
    import sqlcipher3

    vault = tmp_path / "v"
    _init(vault)
    run_cli(vault, "recover", stdin="")  # one more failing call adds nothing to the trail
    key = main_key_hex(vault)
    conn = sqlcipher3.connect(str(vault / DATABASE_NAME), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key}'\"")
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
    conn.close()
    result = run_cli(vault, "audit", "verify")
    assert result.returncode == 4
    assert "entry 1" in result.stderr or "number 1" in result.stderr


def test_usage_errors_exit_2(tmp_path):
    # The exit code of the real entry point (python -m crmdesk), not only of main().
    assert run_cli_process(tmp_path, "no-such-command").returncode == 2
    assert run_cli_process(tmp_path, "init").returncode == 2  # --name and --login are required
