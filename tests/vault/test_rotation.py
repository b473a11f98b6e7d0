"""Rotating data keys: new keys, the old ones useless, a crash at any point recoverable."""

from __future__ import annotations

import json

import pytest

from crmdesk import errors
from crmdesk.vault import Vault, rotation
from crmdesk.vault.books import HOUSE, book_path
from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.keys.slots import AUDIT, MAIN, book_key_id
from crmdesk.vault.paths import DATABASE_NAME
from tests.conftest import OWNER
from tests.support import MemoryKeyStore, decrypt_sqlcipher4

PHRASE = "maple harbour violet seventeen"
MARKER = "ROTATION-MARKER-51c0"
HOUSE_KEY = book_key_id(HOUSE)


class SimulatedCrash(BaseException):
    """Stands for the process dying: no ordinary error handler runs."""


def _fill(vault) -> None:
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE probe (v TEXT)")
        conn.executemany("INSERT INTO probe VALUES (?)", [(MARKER * 20,)] * 300)
        vault.record_event("zoe", "probe.filled")


def _probe_count(vault) -> int:
    with vault.reading() as conn:
        row = conn.execute("SELECT count(*) FROM probe WHERE v LIKE ?", (MARKER + "%",))
        return row.fetchone()[0]


def _last_event(vault):
    with vault.reading() as conn:
        return conn.execute(
            "SELECT action, details FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()


def _crash_at(monkeypatch, name: str) -> None:
    def crash(*args, **kwargs):
        raise SimulatedCrash(name)

    monkeypatch.setattr(rotation, name, crash)


def _copy(key):
    from crmdesk.vault.keys import VaultKey

    return VaultKey(key.raw)


@pytest.fixture
def keyring_vault(vault_dir):
    store = MemoryKeyStore()
    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=store)
    _fill(vault)
    return vault, store, recovery_key


def test_rotating_every_data_key(keyring_vault, vault_dir):
    vault, store, recovery_key = keyring_vault
    old_main, old_house = _copy(vault.held.main), _copy(vault.held.current[HOUSE_KEY])
    before = read_keyfile(vault_dir)

    done = vault.rotate_keys("zoe", reason="laptop stolen")

    assert done == {MAIN: 2, HOUSE_KEY: 2, AUDIT: 2}
    after = read_keyfile(vault_dir)
    assert after.keys[MAIN].check != before.keys[MAIN].check
    assert after.keys[MAIN].pending is None
    owner = after.slot("zoe")
    # Grants of the new generations only; the audit key keeps its old generation too,
    # so details sealed to it stay readable.
    assert set(owner.grants) == {"main@2", f"{HOUSE_KEY}@2", "audit@1", "audit@2"}
    # The open vault goes on working, data and chain intact.
    assert _probe_count(vault) == 300 and vault.verify_audit().ok
    action, details = _last_event(vault)
    assert action == "key.rotated"
    assert json.loads(details) == {"keys": done, "reason": "laptop stolen"}
    new_main = vault.held.main
    assert old_main.hex() not in details and new_main.hex() not in details
    # No page under the old key left anywhere: the WAL is empty, every page of the file
    # authenticates under the new key and none under the old one.
    wal = vault_dir / (DATABASE_NAME + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    plain = decrypt_sqlcipher4(vault_dir / DATABASE_NAME, new_main.raw)
    assert MARKER.encode() in plain
    with pytest.raises(ValueError, match="HMAC"):
        decrypt_sqlcipher4(vault_dir / DATABASE_NAME, old_main.raw)
    with pytest.raises(ValueError, match="HMAC"):
        decrypt_sqlcipher4(book_path(vault_dir, HOUSE), old_house.raw)
    vault.close()

    with pytest.raises(UnreadableDatabase):
        open_database(vault_dir / DATABASE_NAME, old_main)
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
    # The recovery key opens the owner's slot, not a data key: it survives the rotation.
    fresh = MemoryKeyStore()
    with Vault.recover(vault_dir, recovery_key, keystore=fresh) as recovered:
        assert _probe_count(recovered) == 300


def test_rotating_in_passphrase_mode_and_twice(vault_dir, fast_kdf):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    _fill(vault)
    vault.rotate_keys("zoe", [MAIN])
    vault.rotate_keys("zoe", [MAIN])
    assert read_keyfile(vault_dir).keys[MAIN].generation == 3
    vault.close()
    with Vault.open(vault_dir, passphrase_text=PHRASE) as again:
        assert _probe_count(again) == 300 and again.verify_audit().ok


def test_crash_before_the_rekey_keeps_the_old_key(keyring_vault, vault_dir, monkeypatch):
    vault, store, _ = keyring_vault
    old_main = _copy(vault.held.main)
    _crash_at(monkeypatch, "rekey")
    with pytest.raises(SimulatedCrash):
        vault.rotate_keys("zoe", [MAIN])
    # The new key was parked (sealed to the owner) before anything changed.
    assert read_keyfile(vault_dir).keys[MAIN].pending["generation"] == 2
    vault.close()
    monkeypatch.undo()
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert reopened.held.main == old_main
        assert _probe_count(reopened) == 300
    keyfile = read_keyfile(vault_dir)
    assert keyfile.keys[MAIN].pending is None and keyfile.keys[MAIN].generation == 1
    assert "main@2" not in keyfile.slot("zoe").grants


def test_crash_after_the_rekey_finishes_at_open(keyring_vault, vault_dir, monkeypatch):
    vault, store, _ = keyring_vault
    old_main = _copy(vault.held.main)
    _crash_at(monkeypatch, "_promote")
    with pytest.raises(SimulatedCrash):
        vault.rotate_keys("zoe", [MAIN])
    vault.close()
    monkeypatch.undo()
    # The file is under the new key; the old one opens nothing.
    with pytest.raises(UnreadableDatabase):
        open_database(vault_dir / DATABASE_NAME, old_main)
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert reopened.held.main != old_main
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
    keyfile = read_keyfile(vault_dir)
    assert keyfile.keys[MAIN].generation == 2 and keyfile.keys[MAIN].pending is None
    assert (
        set(keyfile.slot("zoe").grants) >= {"main@2"} and "main@1" not in keyfile.slot("zoe").grants
    )


def test_crash_after_a_book_rekey_finishes_at_open(keyring_vault, vault_dir, monkeypatch):
    vault, store, _ = keyring_vault
    old_house = _copy(vault.held.current[HOUSE_KEY])
    _crash_at(monkeypatch, "_promote")
    with pytest.raises(SimulatedCrash):
        vault.rotate_keys("zoe", [HOUSE_KEY])
    vault.close()
    monkeypatch.undo()
    with pytest.raises(ValueError, match="HMAC"):
        decrypt_sqlcipher4(book_path(vault_dir, HOUSE), old_house.raw)
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert reopened.book_schema(HOUSE) is not None
    assert read_keyfile(vault_dir).keys[HOUSE_KEY].generation == 2


def test_a_failed_rekey_changes_nothing(keyring_vault, vault_dir, monkeypatch):
    vault, store, _ = keyring_vault
    old_main = _copy(vault.held.main)

    def refuse(*args, **kwargs):
        import sqlcipher3

        raise sqlcipher3.DatabaseError("disk full")

    monkeypatch.setattr(rotation, "rekey", refuse)
    with pytest.raises(errors.KeyRotationFailed, match="Nothing was changed"):
        vault.rotate_keys("zoe", [MAIN])
    keyfile = read_keyfile(vault_dir)
    assert keyfile.keys[MAIN].pending is None and "main@2" not in keyfile.slot("zoe").grants
    assert vault.held.main == old_main and _probe_count(vault) == 300
    vault.close()


@pytest.mark.keyring
def test_rotation_with_the_secret_service(vault_dir):
    from crmdesk.vault.keys.keystore import system_keystore

    store = system_keystore()
    vault, _ = Vault.create(vault_dir, OWNER, keystore=store)
    try:
        _fill(vault)
        vault.rotate_keys("zoe")
        vault.close()
        with Vault.open(vault_dir) as reopened:
            assert _probe_count(reopened) == 300
    finally:
        store.delete(read_keyfile(vault_dir).vault_id)
