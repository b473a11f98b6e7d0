"""The open lock: shared while a vault is open anywhere, exclusive for a key rotation."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from crmdesk import errors
from crmdesk.vault import Vault, locks
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.locks import OPEN_LOCK_NAME, OpenLock
from tests.conftest import OWNER

pytestmark = pytest.mark.skipif(locks.fcntl is None, reason="no flock on this platform")

IN_USE = (
    "crmdesk has this vault open elsewhere (another window or command). Close it there, "
    "then rotate the key."
)
PHRASE = "maple harbour violet seventeen"


def test_the_lock_file_is_private(vault, vault_dir):
    assert (vault_dir / OPEN_LOCK_NAME).stat().st_mode & 0o777 == 0o600


def test_rotation_is_refused_while_another_vault_object_is_open(vault, vault_dir, keystore):
    other = Vault.open(vault_dir, keystore=keystore)
    before = read_keyfile(vault_dir)
    with pytest.raises(errors.VaultInUse) as info:
        vault.rotate_keys("zoe")
    assert info.value.message == IN_USE
    assert read_keyfile(vault_dir) == before
    # Both go on working.
    for v in (vault, other):
        with v.transaction():
            v.record_event("zoe", "client.viewed")
    other.close()
    vault.rotate_keys("zoe")
    assert vault.verify_audit().ok


def test_a_refused_rotation_keeps_its_shared_lock(vault, vault_dir, keystore):
    """flock drops the shared lock when an upgrade fails; it must be taken back."""
    other = Vault.open(vault_dir, keystore=keystore)
    with pytest.raises(errors.VaultInUse):
        vault.rotate_keys("zoe")
    other.close()
    probe = OpenLock.acquire(vault_dir)
    try:
        assert not probe.try_exclusive(vault_dir)  # ``vault`` still holds its shared lock
    finally:
        probe.release()


def test_opening_waits_for_a_rotation_then_says_so(vault, vault_dir, keystore, monkeypatch):
    vault.close()
    rotating = OpenLock.acquire(vault_dir)
    assert rotating.try_exclusive(vault_dir)
    monkeypatch.setattr(locks, "OPEN_WAIT_SECONDS", 0.2)
    try:
        with pytest.raises(errors.VaultInUse, match="changing this vault's key"):
            Vault.open(vault_dir, keystore=keystore)
    finally:
        rotating.release()
    Vault.open(vault_dir, keystore=keystore).close()


def test_closing_releases_the_lock(vault, vault_dir, keystore):
    vault.close()
    probe = OpenLock.acquire(vault_dir)
    try:
        assert probe.try_exclusive(vault_dir)
    finally:
        probe.release()


def test_rotation_is_refused_while_another_process_has_the_vault_open(vault_dir, fast_kdf):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from crmdesk.vault import Vault
        v = Vault.open(Path({str(vault_dir)!r}), passphrase_text={PHRASE!r})
        print("open", flush=True)
        sys.stdin.readline()
        v.close()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(errors.VaultInUse, match="open elsewhere"):
            vault.rotate_keys("zoe")
    finally:
        child.communicate("done\n", timeout=30)
    assert child.returncode == 0
    vault.rotate_keys("zoe")
    vault.close()
    Vault.open(vault_dir, passphrase_text=PHRASE).close()
