"""Key rotation: a new key, the old one useless, and a crash at any point recoverable."""

from __future__ import annotations

import json

import pytest
import sqlcipher3

from crmdesk import errors
from crmdesk.vault import Vault, rotation
from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys import recovery
from crmdesk.vault.keys.keystore import pending_id
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.conftest import OWNER
from tests.support import MemoryKeyStore, decrypt_sqlcipher4

PHRASE = "maple harbour violet seventeen"
MARKER = "ROTATION-MARKER-51c0"


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


def _meta(vault_dir) -> dict:
    return json.loads((vault_dir / METADATA_NAME).read_text())


def _last_event(vault):
    with vault.reading() as conn:
        return conn.execute(
            "SELECT action, details FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()


def _crash_at(monkeypatch, name: str) -> None:
    def crash(*args, **kwargs):
        raise SimulatedCrash(name)

    monkeypatch.setattr(rotation, name, crash)


@pytest.fixture
def keyring_vault(vault_dir):
    store = MemoryKeyStore()
    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=store)
    _fill(vault)
    return vault, store, recovery_key


@pytest.fixture
def passphrase_vault(vault_dir, fast_kdf):
    vault, recovery_key = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    _fill(vault)
    return vault, recovery_key


def test_rotation_in_keyring_mode(keyring_vault, vault_dir):
    vault, store, old_recovery = keyring_vault
    vault_id = vault.meta.vault_id
    old_key = store.get(vault_id)
    old_check = _meta(vault_dir)["key_check"]

    new_recovery = vault.rotate_key("zoe", reason="laptop stolen", keystore=store)

    new_key = recovery.decode(new_recovery)
    assert new_recovery != old_recovery
    assert store.get(vault_id) == new_key and pending_id(vault_id) not in store.entries
    meta = _meta(vault_dir)
    assert meta["key_check"] == new_key.check_value(vault_id) != old_check
    assert "pending_key_check" not in meta
    # The open vault goes on working, data and chain intact.
    assert _probe_count(vault) == 300 and vault.verify_audit().ok
    action, details = _last_event(vault)
    assert action == "key.rotated"
    assert json.loads(details) == {
        "reason": "laptop stolen",
        "key_storage": "keyring",
        "key_location": vault.key_location(),
    }
    assert old_key.hex() not in details and new_key.hex() not in details
    # No page under the old key left anywhere: the WAL is empty, every page of the file
    # authenticates under the new key and none under the old one.
    wal = vault_dir / (DATABASE_NAME + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    plain = decrypt_sqlcipher4(vault_dir / DATABASE_NAME, new_key.raw)
    assert MARKER.encode() in plain
    with pytest.raises(ValueError, match="HMAC"):
        decrypt_sqlcipher4(vault_dir / DATABASE_NAME, old_key.raw)
    vault.close()

    with pytest.raises(UnreadableDatabase):
        open_database(vault_dir / DATABASE_NAME, old_key)
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
    # Old material: refused, saying why.
    old_keyring = MemoryKeyStore()
    old_keyring.put(vault_id, old_key)
    with pytest.raises(errors.WrongKey, match="recovery key"):
        Vault.open(vault_dir, keystore=old_keyring)
    with pytest.raises(errors.WrongKey, match="changed after the recovery kit was printed"):
        Vault.recover(vault_dir, old_recovery, keystore=MemoryKeyStore())
    # The new recovery key moves the vault to a fresh keyring.
    fresh = MemoryKeyStore()
    with Vault.recover(vault_dir, new_recovery, keystore=fresh) as recovered:
        assert _probe_count(recovered) == 300 and recovered.verify_audit().ok
    assert fresh.get(vault_id) == new_key


def test_rotation_in_passphrase_mode(passphrase_vault, vault_dir, fast_kdf):
    vault, old_recovery = passphrase_vault
    before = _meta(vault_dir)["passphrase"]
    with pytest.raises(errors.CannotUnlock, match="master passphrase"):
        vault.rotate_key("zoe")
    with pytest.raises(errors.WrongPassphrase):
        vault.rotate_key("zoe", passphrase_text=PHRASE + "!", kdf=fast_kdf)
    assert _meta(vault_dir)["passphrase"] == before  # nothing changed

    new_recovery = vault.rotate_key("zoe", reason="yearly", passphrase_text=PHRASE, kdf=fast_kdf)

    meta = _meta(vault_dir)
    assert meta["passphrase"]["wrapped_key"] != before["wrapped_key"]
    assert "pending_passphrase" not in meta and "pending_key_check" not in meta
    action, details = _last_event(vault)
    assert action == "key.rotated" and json.loads(details)["key_storage"] == "passphrase"
    vault.close()
    with Vault.open(vault_dir, passphrase_text=PHRASE) as reopened:
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
    with pytest.raises(errors.WrongKey):
        Vault.recover(vault_dir, old_recovery, new_passphrase=PHRASE, kdf=fast_kdf)
    with Vault.recover(vault_dir, new_recovery, keystore=MemoryKeyStore()) as recovered:
        assert _probe_count(recovered) == 300


def test_rotating_twice(keyring_vault, vault_dir):
    vault, store, _ = keyring_vault
    first = vault.rotate_key("zoe", keystore=store)
    second = vault.rotate_key("zoe", keystore=store)
    assert first != second
    vault.close()
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert reopened.verify_audit().ok
        with reopened.reading() as conn:
            actions = [a for (a,) in conn.execute("SELECT action FROM audit_events")]
        assert actions.count("key.rotated") == 2


# -- cut short ------------------------------------------------------------------------


def test_crash_before_the_rekey_keeps_the_old_key(keyring_vault, vault_dir, monkeypatch):
    vault, store, old_recovery = keyring_vault
    vault_id = vault.meta.vault_id
    old_key = store.get(vault_id)
    _crash_at(monkeypatch, "rekey")
    with pytest.raises(SimulatedCrash):
        vault.rotate_key("zoe", keystore=store)
    vault.close()
    monkeypatch.undo()
    # The new key was parked where an open finds it, with its check value.
    assert pending_id(vault_id) in store.entries
    assert _meta(vault_dir)["pending_key_check"] == store.get(pending_id(vault_id)).check_value(
        vault_id
    )

    with Vault.open(vault_dir, keystore=store) as reopened:
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
        assert _last_event(reopened)[0] == "key.rotation_abandoned"
        assert reopened.unshown_recovery_key() is None
    assert store.get(vault_id) == old_key and pending_id(vault_id) not in store.entries
    assert "pending_key_check" not in _meta(vault_dir)
    Vault.recover(vault_dir, old_recovery, keystore=MemoryKeyStore()).close()


def test_crash_after_the_rekey_finishes_at_open(keyring_vault, vault_dir, monkeypatch):
    vault, store, old_recovery = keyring_vault
    vault_id = vault.meta.vault_id
    old_key = store.get(vault_id)
    _crash_at(monkeypatch, "promote_key")
    with pytest.raises(SimulatedCrash):
        vault.rotate_key("zoe", keystore=store)
    vault.close()
    monkeypatch.undo()
    assert store.get(vault_id) == old_key  # the main entry still has the old key ...
    with pytest.raises(UnreadableDatabase):  # ... which no longer opens the database
        open_database(vault_dir / DATABASE_NAME, old_key)
    with pytest.raises(errors.WrongKey, match="already uses the new key"):
        Vault.recover(vault_dir, old_recovery, keystore=MemoryKeyStore())

    with Vault.open(vault_dir, keystore=store) as reopened:
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
        assert _last_event(reopened)[0] == "key.rotation_completed"
        shown = reopened.unshown_recovery_key()
        assert shown is not None and reopened.unshown_recovery_key() is None
    new_key = recovery.decode(shown)
    assert store.get(vault_id) == new_key and pending_id(vault_id) not in store.entries
    meta = _meta(vault_dir)
    assert meta["key_check"] == new_key.check_value(vault_id) and "pending_key_check" not in meta
    with Vault.open(vault_dir, keystore=store) as again:
        assert again.unshown_recovery_key() is None
    Vault.recover(vault_dir, shown, keystore=MemoryKeyStore()).close()


def test_crash_between_keyring_and_vault_json_finishes_at_open(
    keyring_vault, vault_dir, monkeypatch
):
    """The main keyring entry was promoted, vault.json not yet."""
    vault, store, _ = keyring_vault
    vault_id = vault.meta.vault_id
    _crash_at(monkeypatch, "promote_key")
    with pytest.raises(SimulatedCrash):
        vault.rotate_key("zoe", keystore=store)
    vault.close()
    monkeypatch.undo()
    new_key = store.get(pending_id(vault_id))
    store.put(vault_id, new_key)
    with Vault.open(vault_dir, keystore=store) as reopened:
        assert _probe_count(reopened) == 300
    assert _meta(vault_dir)["key_check"] == new_key.check_value(vault_id)
    assert pending_id(vault_id) not in store.entries


def test_passphrase_mode_crash_after_the_rekey(passphrase_vault, vault_dir, fast_kdf, monkeypatch):
    vault, _ = passphrase_vault
    _crash_at(monkeypatch, "promote_key")
    with pytest.raises(SimulatedCrash):
        vault.rotate_key("zoe", passphrase_text=PHRASE, kdf=fast_kdf)
    vault.close()
    monkeypatch.undo()
    assert "pending_passphrase" in _meta(vault_dir)
    with Vault.open(vault_dir, passphrase_text=PHRASE) as reopened:
        assert _probe_count(reopened) == 300 and reopened.verify_audit().ok
        shown = reopened.unshown_recovery_key()
    meta = _meta(vault_dir)
    assert "pending_passphrase" not in meta and "pending_key_check" not in meta
    with Vault.open(vault_dir, passphrase_text=PHRASE) as again:
        assert _probe_count(again) == 300
    Vault.recover(vault_dir, shown, keystore=MemoryKeyStore()).close()


def test_passphrase_mode_crash_before_the_rekey(passphrase_vault, vault_dir, fast_kdf, monkeypatch):
    vault, old_recovery = passphrase_vault
    _crash_at(monkeypatch, "rekey")
    with pytest.raises(SimulatedCrash):
        vault.rotate_key("zoe", passphrase_text=PHRASE, kdf=fast_kdf)
    vault.close()
    monkeypatch.undo()
    with Vault.open(vault_dir, passphrase_text=PHRASE) as reopened:
        assert _last_event(reopened)[0] == "key.rotation_abandoned"
    assert "pending_passphrase" not in _meta(vault_dir)
    Vault.recover(vault_dir, old_recovery, keystore=MemoryKeyStore()).close()


def test_a_failed_rekey_changes_nothing(keyring_vault, vault_dir, monkeypatch):
    vault, store, old_recovery = keyring_vault
    vault_id = vault.meta.vault_id

    def failing(conn, key):
        raise sqlcipher3.OperationalError("simulated failure")

    monkeypatch.setattr(rotation, "rekey", failing)
    with pytest.raises(errors.KeyRotationFailed, match="Nothing was changed"):
        vault.rotate_key("zoe", keystore=store)
    monkeypatch.undo()
    assert pending_id(vault_id) not in store.entries
    assert "pending_key_check" not in _meta(vault_dir)
    assert _probe_count(vault) == 300
    _fill_more = vault.rotate_key("zoe", keystore=store)  # and it can be tried again
    assert recovery.decode(_fill_more) == store.get(vault_id)
    vault.close()


# -- a real Secret Service ------------------------------------------------------------


@pytest.mark.keyring
def test_rotation_with_the_secret_service(vault_dir, monkeypatch):
    import keyring

    from crmdesk.vault.keys.keystore import system_keystore

    store = system_keystore()
    vault, _ = Vault.create(vault_dir, OWNER, keystore=store)
    vault_id = vault.meta.vault_id
    _fill(vault)
    _crash_at(monkeypatch, "promote_key")
    with pytest.raises(SimulatedCrash):
        vault.rotate_key("zoe", keystore=store)
    vault.close()
    monkeypatch.undo()
    parked = keyring.get_password("crmdesk", f"vault-{vault_id}.next")
    assert parked is not None and parked != keyring.get_password("crmdesk", f"vault-{vault_id}")

    with Vault.open(vault_dir) as reopened:
        assert reopened.key_source == "Secret Service"
        assert _probe_count(reopened) == 300
        shown = reopened.unshown_recovery_key()
        again = reopened.rotate_key("zoe", reason="after the interruption")
    assert keyring.get_password("crmdesk", f"vault-{vault_id}.next") is None
    assert keyring.get_password("crmdesk", f"vault-{vault_id}") == recovery.decode(again).hex()
    assert parked == recovery.decode(shown).hex()
    with Vault.open(vault_dir) as last:
        assert last.verify_audit().ok
    store.delete(vault_id)
