"""Opening fails cleanly: each failure its own message and exit code, files untouched."""

from __future__ import annotations

import json

import pytest

from crmdesk import errors
from crmdesk.vault import Vault
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.metadata import FORMAT_VERSION
from crmdesk.vault.migrations import LATEST_VERSION
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.support import file_hashes


@pytest.fixture
def closed_vault(vault, vault_dir):
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE filler (v TEXT)")
        conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    vault.close()
    return vault_dir


def test_wrong_key_in_keyring(closed_vault, keystore):
    vault_id = json.loads((closed_vault / METADATA_NAME).read_text())["vault_id"]
    keystore.put(vault_id, VaultKey.generate())
    before = file_hashes(closed_vault)
    with pytest.raises(errors.WrongKey, match="recovery key") as info:
        Vault.open(closed_vault, keystore=keystore)
    assert info.value.exit_code == errors.ExitCode.CANNOT_UNLOCK
    assert file_hashes(closed_vault) == before


def test_missing_keyring_entry(closed_vault, keystore):
    keystore.entries.clear()
    before = file_hashes(closed_vault)
    with pytest.raises(errors.KeyMissing, match="use your recovery key") as info:
        Vault.open(closed_vault, keystore=keystore)
    assert info.value.code == "key.missing"  # the command line adds: crmdesk recover
    assert file_hashes(closed_vault) == before


def test_keyring_locked_is_reported_as_such(closed_vault):
    class LockedStore:
        def describe(self):
            return "Secret Service"

        def get(self, vault_id):
            raise errors.KeyringLocked("The Secret Service is locked. Unlock it.")

    with pytest.raises(errors.KeyringLocked, match="recovery key"):
        Vault.open(closed_vault, keystore=LockedStore())


def test_folder_without_vault(tmp_path, keystore):
    with pytest.raises(errors.NotAVault, match="Create one") as info:
        Vault.open(tmp_path, keystore=keystore)
    assert info.value.code == "vault.none" and info.value.facts["folder"] == tmp_path
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "damage",
    ["flip_byte_in_page_1", "flip_byte_in_last_page", "truncate_half", "truncate_to_100"],
)
def test_tampered_or_truncated_file(closed_vault, keystore, damage):
    db = closed_vault / DATABASE_NAME
    data = bytearray(db.read_bytes())
    if damage == "flip_byte_in_page_1":
        data[200] ^= 0x01
    elif damage == "flip_byte_in_last_page":
        data[-300] ^= 0x01
    elif damage == "truncate_half":
        data = data[: (len(data) // 2 // 4096) * 4096]
    else:
        data = data[:100]
    db.write_bytes(bytes(data))
    before = file_hashes(closed_vault)
    # Damage deep in the file may only show when those pages are read.
    with (
        pytest.raises(errors.VaultDamaged, match="backup") as info,
        Vault.open(closed_vault, keystore=keystore) as vault,
        vault.reading() as conn,
    ):
        conn.execute("SELECT count(*), max(length(v)) FROM filler").fetchone()
    assert info.value.exit_code == errors.ExitCode.DAMAGED
    assert file_hashes(closed_vault) == before


def test_database_file_missing(closed_vault, keystore):
    (closed_vault / DATABASE_NAME).unlink()
    with pytest.raises(errors.VaultDamaged, match="lost its database"):
        Vault.open(closed_vault, keystore=keystore)


def test_vault_from_a_newer_format(closed_vault, keystore):
    meta = json.loads((closed_vault / METADATA_NAME).read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (closed_vault / METADATA_NAME).write_text(json.dumps(meta))
    before = file_hashes(closed_vault)
    with pytest.raises(errors.NewerVault, match="Update crmdesk"):
        Vault.open(closed_vault, keystore=keystore)
    assert file_hashes(closed_vault) == before


def test_database_from_a_newer_schema(closed_vault, keystore):
    vault = Vault.open(closed_vault, keystore=keystore)
    vault.connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    vault.close()
    before = file_hashes(closed_vault)
    with pytest.raises(errors.NewerVault, match="Update crmdesk"):
        Vault.open(closed_vault, keystore=keystore)
    assert file_hashes(closed_vault) == before


def test_unreadable_metadata(closed_vault, keystore):
    (closed_vault / METADATA_NAME).write_text("{ not json")
    with pytest.raises(errors.VaultDamaged, match="backup"):
        Vault.open(closed_vault, keystore=keystore)


def test_init_refuses_to_overwrite(closed_vault, keystore):
    from tests.conftest import OWNER

    before = file_hashes(closed_vault)
    with pytest.raises(errors.VaultExists, match="never overwrites"):
        Vault.create(closed_vault, OWNER, keystore=keystore)
    assert file_hashes(closed_vault) == before


def test_failed_init_leaves_no_orphaned_key(tmp_path, keystore):
    from crmdesk.vault import Owner

    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.raises(errors.BadInput):
        Vault.create(blocker / "vault", Owner("A B", "ab"), keystore=keystore)
    assert keystore.entries == {}


def test_several_vaults_side_by_side(tmp_path, keystore):
    from crmdesk.vault import Owner

    a, _ = Vault.create(tmp_path / "a", Owner("Ann A", "ann"), keystore=keystore)
    b, _ = Vault.create(tmp_path / "b", Owner("Bob B", "bob"), keystore=keystore)
    assert a.meta.vault_id != b.meta.vault_id and len(keystore.entries) == 2
    a.close()
    b.close()
    with Vault.open(tmp_path / "a", keystore=keystore) as a2:
        assert a2.owner.login == "ann"
    with Vault.open(tmp_path / "b", keystore=keystore) as b2:
        assert b2.owner.login == "bob"


def test_closing_wipes_the_key_and_locks(vault):
    vault.close()
    with pytest.raises(errors.CannotUnlock, match="locked"):
        vault.status()
    assert "hidden" in repr(VaultKey.generate())
