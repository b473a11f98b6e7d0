"""Opening a vault with its recovery key, and keeping the key on this computer again.

This is how a vault moves to a new laptop or survives a lost keyring entry or a
forgotten passphrase. A recovery key may also meet a key rotation that was cut short:
it may be the new key of that rotation, or the old one, and only the key the database
is under opens the vault.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from crmdesk.errors import CrmdeskError, WrongKey
from crmdesk.vault.connection import opens_with
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import SERVICE, KeyStore, entry_name, system_keystore
from crmdesk.vault.locks import OpenLock
from crmdesk.vault.metadata import KeyStorage, VaultMetadata, read_metadata, update_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.rotation import drop_pending, promote_key
from crmdesk.vault.unlocked import UnlockedVault

V = TypeVar("V", bound=UnlockedVault)

_ROTATION_CUT_SHORT_NEW = (
    "This vault's key was being changed when crmdesk stopped, and the database already "
    "uses the new key, which this recovery key is not. Open the vault the usual way "
    "(keyring or passphrase) on the computer where the key was changed: crmdesk finishes "
    "the change there and shows the new recovery key."
)
_ROTATION_CUT_SHORT_OLD = (
    "This recovery key belongs to a key change that never took place: the vault still uses "
    "its earlier key. Use the recovery key printed before, or open the vault the usual way."
)


def open_with_recovery_key(
    cls: type[V],
    folder: Path,
    recovery_key: str,
    *,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
) -> V:
    """Open with the recovery key and store the key again on this computer.

    Into the OS keyring, or, with ``new_passphrase``, wrapped by a new passphrase.
    """
    meta_path = folder / METADATA_NAME
    read_metadata(meta_path, folder)
    key = recovery.decode(recovery_key)
    lock = OpenLock.acquire(folder)
    try:
        vault = _recover_locked(cls, folder, key, lock)
    except BaseException:
        lock.release()
        raise
    try:
        _store_key(vault, keystore=keystore, new_passphrase=new_passphrase, kdf=kdf)
    except BaseException:
        vault.close()
        raise
    return vault


def _recover_locked(cls: type[V], folder: Path, key: VaultKey, lock: OpenLock) -> V:
    meta = read_metadata(folder / METADATA_NAME, folder)
    vault_id, new_check = meta.vault_id, meta.pending_key_check
    db_path = folder / DATABASE_NAME
    if new_check is not None and key.matches(vault_id, new_check):
        # The new key of a rotation that was cut short.
        if not opens_with(db_path, key):
            raise WrongKey(_ROTATION_CUT_SHORT_OLD, code="recovery_key.unused_rotation")
        return cls._open_with_key(folder, promote_key(folder, vault_id, key, None), key, lock)
    if not key.matches(vault_id, meta.key_check):
        raise WrongKey(
            "This recovery key belongs to another vault (or this vault's key was changed "
            "after the recovery kit was printed). Check the vault id on the kit.",
            code="recovery_key.other_vault",
        )
    if new_check is not None:
        if db_path.exists() and not opens_with(db_path, key):
            raise WrongKey(_ROTATION_CUT_SHORT_NEW, code="recovery_key.before_rotation")
        vault = cls._open_with_key(folder, meta, key, lock)
        with contextlib.suppress(OSError, CrmdeskError):  # the next open tries again
            vault.meta = drop_pending(folder, vault_id, new_check, None)
        return vault
    return cls._open_with_key(folder, meta, key, lock)


def _store_key(
    vault: UnlockedVault,
    *,
    keystore: KeyStore | None,
    new_passphrase: str | None,
    kdf: passphrase.KdfParams,
) -> None:
    key = vault._require_key()
    vault_id = vault.meta.vault_id
    change: Callable[[VaultMetadata], None]
    if new_passphrase is not None:
        wrapped = passphrase.wrap_key(key, new_passphrase, vault_id, kdf)
        storage = KeyStorage.PASSPHRASE

        def change(m: VaultMetadata) -> None:
            m.key_storage, m.passphrase = storage, wrapped
            m.keyring_service = m.keyring_entry = None

        location = "wrapped by the master passphrase"
    else:
        store = keystore if keystore is not None else system_keystore()
        store.put(vault_id, key)
        storage = KeyStorage.KEYRING

        def change(m: VaultMetadata) -> None:
            m.key_storage, m.passphrase = storage, None
            m.keyring_service, m.keyring_entry = SERVICE, entry_name(vault_id)

        location = store.describe()
    vault.key_source = location
    with vault.transaction():
        vault.record_event(
            vault.owner.login,
            "key.recovered",
            object=vault_id,
            details={"key_storage": storage, "key_location": location},
        )
    vault.meta = update_metadata(vault.folder / METADATA_NAME, vault.folder, change)
