"""vault.json is changed field by field under a lock, never overwritten with stale fields."""

from __future__ import annotations

import json
import threading

from crmdesk import audit
from crmdesk.vault import Vault
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.metadata import read_metadata, update_metadata
from crmdesk.vault.paths import METADATA_NAME
from tests.support import MemoryKeyStore


def _on_disk(vault_dir) -> dict:
    return json.loads((vault_dir / METADATA_NAME).read_text())


def _event(vault, n: int) -> None:
    with vault.transaction() as conn:
        conn.execute("INSERT INTO vault_info (key, value) VALUES (?, 'x')", (f"k{n}",))
        # A change, not a view: its head goes into vault.json (views: test_head_log.py).
        vault.record_event("zoe", "client.updated", object=f"client:{n}")


def test_two_vaults_interleaving_writes(vault, vault_dir, keystore):
    """The app and the command line on one folder: no false failure, newest head kept."""
    other = Vault.open(vault_dir, keystore=keystore)
    try:
        for n in range(30):
            _event(vault if n % 3 else other, n)
            for v in (vault, other):
                report = v.verify_audit()
                assert report.ok, report.problem
            seq, digest = audit.head(vault.connection)
            assert _on_disk(vault_dir)["audit_head"] == {"seq": seq, "hash": digest}
    finally:
        other.close()


def test_a_slower_process_never_lowers_the_head(vault, vault_dir, keystore):
    other = Vault.open(vault_dir, keystore=keystore)
    try:
        # ``vault`` commits entry 2 but is slow to write its head ...
        written = []
        vault._save_audit_head, save = (
            lambda head, **_: written.append(head),
            vault._save_audit_head,
        )
        _event(vault, 1)
        vault._save_audit_head = save
        # ... while ``other`` commits entry 3 and writes its head first.
        _event(other, 2)
        newest = _on_disk(vault_dir)["audit_head"]
        assert newest["seq"] == 3
        vault._save_audit_head(written[0])  # the late write of entry 2
        assert _on_disk(vault_dir)["audit_head"] == newest
        assert vault.verify_audit().ok and other.verify_audit().ok
    finally:
        other.close()


def test_a_changed_key_check_is_not_clobbered_by_a_head_update(vault, vault_dir):
    """Another vault object changed key_check (a key rotation); this one's stale copy of
    vault.json must not be written back with its next audit head."""
    update_metadata(
        vault_dir / METADATA_NAME,
        vault_dir,
        lambda m: setattr(m, "key_check", "f" * 64),
    )
    stale = vault.meta.key_check
    assert stale != "f" * 64
    _event(vault, 1)
    on_disk = _on_disk(vault_dir)
    assert on_disk["key_check"] == "f" * 64
    assert on_disk["audit_head"]["seq"] == 2


def test_a_real_rotation_elsewhere_is_kept_by_a_later_opener(vault_dir, keystore):
    """Rotate in one vault object, then write heads from another: the new keys survive."""
    from tests.conftest import OWNER

    first, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    first.rotate_keys("zoe")
    rotated = read_keyfile(vault_dir)
    second = Vault.open(vault_dir, keystore=keystore)
    try:
        _event(first, 1)
        _event(second, 2)
        assert read_keyfile(vault_dir) == rotated
        assert second.verify_audit().ok
    finally:
        first.close()
        second.close()


def test_update_metadata_serialises_writers(vault, vault_dir):
    """Read-change-write from many threads at once: no update is lost."""
    path = vault_dir / METADATA_NAME

    def bump(meta):
        meta.extra["counter"] = meta.extra.get("counter", 0) + 1

    def worker():
        for _ in range(25):
            update_metadata(path, vault_dir, bump)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _on_disk(vault_dir)["counter"] == 100
    assert read_metadata(path, vault_dir).extra["counter"] == 100


def test_update_metadata_without_a_change_writes_nothing(vault, vault_dir):
    path = vault_dir / METADATA_NAME
    before = path.stat()
    update_metadata(path, vault_dir, lambda m: m.advance_audit_head(1, "0" * 64))  # older
    after = path.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_vault_json_stays_private(vault, vault_dir):
    _event(vault, 1)
    assert (vault_dir / METADATA_NAME).stat().st_mode & 0o077 == 0
    assert (vault_dir / ".vault.json.lock").stat().st_mode & 0o777 == 0o600


def test_a_removed_head_is_not_made_again(vault, vault_dir, keystore):
    """A vault.json of today's format always has a head: one removed is evidence, kept for
    verification to report instead of being replaced at the next commit."""
    vault.close()
    path = vault_dir / METADATA_NAME
    data = json.loads(path.read_text())
    del data["audit_head"]
    path.write_text(json.dumps(data))
    with Vault.open(vault_dir, keystore=keystore) as reopened:
        assert not reopened.verify_audit().ok
        _event(reopened, 1)
        assert "audit_head" not in _on_disk(vault_dir)
        assert "audit_head was removed" in reopened.verify_audit().problem


def test_recovery_changes_only_its_own_fields(vault_dir, fast_kdf):
    from tests.conftest import OWNER

    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=MemoryKeyStore())
    vault.close()
    update_metadata(vault_dir / METADATA_NAME, vault_dir, lambda m: m.extra.update(note="kept"))
    Vault.recover(
        vault_dir, recovery_key, new_passphrase="correct horse battery staple", kdf=fast_kdf
    ).close()
    data = _on_disk(vault_dir)
    assert data["note"] == "kept" and "key_storage" not in data
    assert data["audit_head"]["seq"] == 1  # vault.created (services record key.recovered)
    assert "password" in read_keyfile(vault_dir).slot("zoe").wraps
