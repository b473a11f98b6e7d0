"""Backups of container version 1 (made before key slots) restore as the format-1 vault
they were, for their owner's first open to upgrade.

The version-1 files are built here from the fixture vaults of release 0.1.0 exactly as
that release wrote them (magic line, header, SHA-256 and HMAC seal, database).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from crmdesk import errors
from crmdesk.vault.backup import LegacyHeader, read_any_header, restore_backup
from crmdesk.vault.keys import passphrase, recovery
from crmdesk.vault.legacy import open_legacy
from crmdesk.vault.metadata import LEGACY_FORMAT
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.fixtures.vault_fixtures import fixture_vaults
from tests.support import FAST_KDF, MemoryKeyStore

_FIELDS = (
    "vault_id",
    "created_at",
    "format_version",
    "key_storage",
    "key_check",
    "keyring_service",
    "keyring_entry",
    "passphrase",
)


def _fixture(mode: str):
    return next(f for f in fixture_vaults() if f.mode == mode and f.schema == 6)


def _v1_backup(folder: Path, key, dest: Path) -> None:
    """A backup file as crmdesk 0.1.0 wrote it."""
    meta = json.loads((folder / "vault.json").read_text())
    db = (folder / DATABASE_NAME).read_bytes()
    header = {
        "format": 1,
        "made_at": "2026-12-01T09:00:00+00:00",
        "crmdesk_version": "0.1.0",
        "vault": {name: meta.get(name) for name in _FIELDS},
        "schema_version": 6,
        "audit_head": meta["audit_head"],
        "database": {"bytes": len(db), "sha256": hashlib.sha256(db).hexdigest()},
    }
    line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    mac = hmac.new(key.raw, b"crmdesk backup header v1:" + line, hashlib.sha256).hexdigest()
    seal = {"sha256": hashlib.sha256(line).hexdigest(), "mac": mac}
    dest.write_bytes(b"crmdesk-backup 1\n" + line + b"\n" + json.dumps(seal).encode() + b"\n" + db)


@pytest.fixture
def old_backup(tmp_path):
    fixture = _fixture("passphrase")
    secrets = fixture.secrets()
    meta = fixture.metadata()
    key = passphrase.unwrap_key(meta["passphrase"], secrets["passphrase"], meta["vault_id"])
    dest = tmp_path / "old.crmbackup"
    _v1_backup(fixture.folder, key, dest)
    return dest, secrets, fixture


def _clients(folder: Path, **opening) -> int:
    with open_legacy(folder, **opening) as vault:
        report = vault.verify_audit()
        assert report.ok, report.problem
        last = vault.connection.execute(
            "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 2"
        ).fetchall()
        assert last == [("vault.restored",), ("vault.migrated",)]
        return vault.connection.execute("SELECT count(*) FROM clients").fetchone()[0]


def test_a_version_1_backup_restores_as_the_vault_it_was(old_backup, tmp_path):
    dest, secrets, fixture = old_backup
    header = read_any_header(dest)
    assert isinstance(header, LegacyHeader) and header.key_storage == "passphrase"
    dumped = len(fixture.dump()["records"]["clients"])

    with pytest.raises(errors.WrongPassphrase):
        restore_backup(dest, tmp_path / "r", password="not the passphrase at all")
    info = restore_backup(dest, tmp_path / "r", password=secrets["passphrase"])

    assert info.vault_id == secrets["vault_id"] and info.opened_with == "passphrase"
    meta = json.loads((tmp_path / "r" / METADATA_NAME).read_text())
    # The backup's 95 entries, the schema step every open of that format takes, the restore.
    assert meta["format_version"] == LEGACY_FORMAT and meta["audit_head"]["seq"] == 97
    assert _clients(tmp_path / "r", passphrase_text=secrets["passphrase"]) == dumped


def test_a_version_1_backup_with_its_recovery_key_and_a_new_passphrase(old_backup, tmp_path):
    dest, secrets, fixture = old_backup
    new_phrase = "copper lantern orchard ninety"
    info = restore_backup(
        dest,
        tmp_path / "r",
        recovery_key=secrets["recovery_key"],
        new_passphrase=new_phrase,
        kdf=FAST_KDF,
    )
    assert info.key_storage == "passphrase" and info.opened_with == "recovery key"
    assert _clients(tmp_path / "r", passphrase_text=new_phrase) == len(
        fixture.dump()["records"]["clients"]
    )


def test_a_version_1_keyring_backup_onto_a_new_keyring(tmp_path):
    fixture = _fixture("keyring")
    secrets = fixture.secrets()
    key = recovery.decode(secrets["recovery_key"])
    dest = tmp_path / "old.crmbackup"
    _v1_backup(fixture.folder, key, dest)
    store = MemoryKeyStore()
    with pytest.raises(errors.KeyMissing, match="Restore it with the recovery key"):
        restore_backup(dest, tmp_path / "r", keystore=store)
    restore_backup(dest, tmp_path / "r", keystore=store, recovery_key=secrets["recovery_key"])
    assert store.get(secrets["vault_id"]) == key  # the format's one key, where it was kept
    assert _clients(tmp_path / "r", keystore=store) == len(fixture.dump()["records"]["clients"])


@pytest.mark.parametrize("where", ["header", "database"])
def test_a_damaged_version_1_backup_is_refused(old_backup, tmp_path, where):
    dest, secrets, _ = old_backup
    data = bytearray(dest.read_bytes())
    data[60 if where == "header" else len(data) // 2] ^= 0x5A
    dest.write_bytes(bytes(data))
    with pytest.raises(errors.VaultDamaged, match="damaged or was altered"):
        restore_backup(dest, tmp_path / "r", password=secrets["passphrase"])
    assert not (tmp_path / "r").exists()


def test_a_version_1_header_altered_is_caught_by_its_mac(old_backup, tmp_path):
    dest, secrets, _ = old_backup
    first, line, seal, db = dest.read_bytes().split(b"\n", 3)
    header = json.loads(line)
    header["made_at"] = "2020-01-01T00:00:00+00:00"
    line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    seal = json.dumps(json.loads(seal) | {"sha256": hashlib.sha256(line).hexdigest()}).encode()
    dest.write_bytes(b"\n".join([first, line, seal, db]))
    with pytest.raises(errors.VaultDamaged, match="changed after it was written"):
        restore_backup(dest, tmp_path / "r", password=secrets["passphrase"])
    assert not (tmp_path / "r").exists()
