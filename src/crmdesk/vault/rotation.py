"""Key rotation: the vault re-encrypted under a new random key, and a rotation cut short.

A rotation takes four steps (:func:`rotate_key`): the new key is parked where the next
open finds it, the database is re-encrypted, the rotation is recorded in the audit
trail, and the new key is promoted to the vault's key. A crash at any point leaves a
state that the next open settles (:func:`finish_rotation`): SQLCipher re-encrypts in one
transaction, so the database is wholly under the old key or wholly under the new one,
and that decides whether the rotation is finished or forgotten.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, TypeVar

from crmdesk.errors import (
    CannotUnlock,
    CrmdeskError,
    KeyRotationFailed,
    VaultDamaged,
    VaultInUse,
    WrongKey,
)
from crmdesk.vault.connection import (
    DatabaseError,
    UnreadableDatabase,
    checkpoint_truncate,
    open_database,
    opens_with,
    rekey,
)
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import KeyStore, key_missing, pending_id, system_keystore
from crmdesk.vault.locks import OPEN_ELSEWHERE, OpenLock
from crmdesk.vault.metadata import KeyStorage, VaultMetadata, read_metadata, update_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.unlocked import DAMAGED_ADVICE, UnlockedVault

V = TypeVar("V", bound=UnlockedVault)

_ROTATION_REOPEN = (
    "Changing the vault key did not finish cleanly. Close crmdesk and open the vault "
    "again: it settles the change, and shows the new recovery key if the new key took "
    "over. Nothing was lost."
)


# -- changing the key -------------------------------------------------------------------


def rotate_key(
    vault: UnlockedVault,
    actor: str,
    *,
    reason: str = "",
    keystore: KeyStore | None = None,
    passphrase_text: str | None = None,
    kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
) -> str:
    """Re-encrypt ``vault`` under a new random key; returns the new recovery key.

    Show the recovery key once (a new recovery kit): the old key and the old
    recovery key no longer open the vault. In keyring mode the new key replaces the
    keyring entry (``keystore``, else the OS keyring); in passphrase mode
    ``passphrase_text`` must be the current passphrase, and the new key is wrapped
    by it. Needs the vault alone (:class:`VaultInUse` otherwise).

    Crash-safe: the new key is stored where the next open finds it (keyring entry
    ``vault-<id>.next``, or wrapped in vault.json) together with its check value
    *before* the database is re-encrypted, and promoted after; ``Vault.open`` finishes
    or forgets a rotation cut short in between (:func:`finish_rotation`).
    """
    with vault._lock:
        old_key = vault._require_key()
        if vault.connection.in_transaction:
            raise RuntimeError("rotate_key cannot run inside a transaction")
        vault_id = vault.meta.vault_id
        meta = read_metadata(vault.folder / METADATA_NAME, vault.folder)
        store: KeyStore | None = None
        if meta.key_storage == KeyStorage.PASSPHRASE:
            if passphrase_text is None:
                raise CannotUnlock(
                    "Changing the key of a passphrase-protected vault needs its master "
                    "passphrase: give it.",
                    code="passphrase.needed.rotation",
                )
            if meta.passphrase is None:
                raise VaultDamaged(
                    "The vault's metadata has no wrapped key. " + DAMAGED_ADVICE,
                    code="vault.damaged.no_wrapped_key",
                )
            unwrapped = passphrase.unwrap_key(meta.passphrase, passphrase_text, vault_id)
            same = unwrapped == old_key
            unwrapped.wipe()
            if not same:
                raise WrongKey(
                    "The passphrase opens another key than the one this vault is open "
                    "with (vault.json was replaced). Close the vault, open it again, "
                    "and then change the key.",
                    code="key.wrong.replaced_metadata",
                )
        else:
            store = keystore if keystore is not None else system_keystore()
        if not vault._open_lock.try_exclusive(vault.folder):
            raise VaultInUse(OPEN_ELSEWHERE, code="vault.in_use.elsewhere")
        try:
            new_key = _rotate_exclusively(
                vault, actor, reason, store, passphrase_text, kdf, old_key
            )
        finally:
            vault._open_lock.downgrade(vault.folder)
    return recovery.encode(new_key)


def _rotate_exclusively(
    vault: UnlockedVault,
    actor: str,
    reason: str,
    store: KeyStore | None,
    passphrase_text: str | None,
    kdf: passphrase.KdfParams,
    old_key: VaultKey,
) -> VaultKey:
    folder = vault.folder
    metadata_path = folder / METADATA_NAME
    meta = read_metadata(metadata_path, folder)  # as it is now that we are alone
    vault_id = meta.vault_id
    if meta.pending_key_check is not None:
        # An earlier rotation of this vault object did not finish: settle it first,
        # or its key would be overwritten before it is safe.
        if old_key.matches(vault_id, meta.pending_key_check):
            vault.meta = promote_key(folder, vault_id, old_key, store)
        else:
            vault.meta = drop_pending(folder, vault_id, meta.pending_key_check, store)
    # No page under the old key may stay in the WAL. With the exclusive lock no
    # other connection reads; where flock is missing (Windows) this still notices
    # one that is reading right now.
    if not checkpoint_truncate(vault.connection):
        raise VaultInUse(OPEN_ELSEWHERE, code="vault.in_use.elsewhere")

    new_key = VaultKey.generate()
    new_check = new_key.check_value(vault_id)
    # 1. The new key goes where a later open finds it, before the database changes.
    wrapped: dict[str, Any] | None = None
    if store is not None:
        store.put(pending_id(vault_id), new_key)
    else:
        assert passphrase_text is not None
        wrapped = passphrase.wrap_key(new_key, passphrase_text, vault_id, kdf)

    def park(m: VaultMetadata) -> None:
        m.pending_key_check, m.pending_passphrase = new_check, wrapped

    vault.meta = update_metadata(metadata_path, folder, park)
    # 2. Every page re-encrypted under the new key.
    _rekey(vault, old_key, new_key, store)
    # 3. The evidence, in the re-encrypted vault; never key material.
    with vault.transaction():
        vault.record_event(
            actor,
            "key.rotated",
            object=vault_id,
            details={
                "reason": reason,
                "key_storage": vault.meta.key_storage,
                "key_location": vault.key_location(),
            },
        )
    # 4. The new key takes the main place; the pending one goes.
    vault.meta = promote_key(folder, vault_id, new_key, store)
    checkpoint_truncate(vault.connection)
    return new_key


def _rekey(
    vault: UnlockedVault, old_key: VaultKey, new_key: VaultKey, store: KeyStore | None
) -> None:
    db_path = vault.folder / DATABASE_NAME
    conn = vault.connection
    try:
        rekey(conn, new_key)
    except DatabaseError as exc:
        if opens_with(db_path, old_key):
            with contextlib.suppress(OSError, CrmdeskError):
                pending = vault.meta.pending_key_check
                if pending is not None:
                    vault.meta = drop_pending(vault.folder, vault.meta.vault_id, pending, store)
            raise KeyRotationFailed(
                f"The vault key could not be changed ({exc}). Nothing was changed: the "
                "vault still opens with its current key and recovery key. Try again.",
                code="key.rotation_failed.unchanged",
            ) from None
        raise KeyRotationFailed(_ROTATION_REOPEN, code="key.rotation_failed.reopen") from None
    # The re-encrypted pages sit in the WAL: into the file with them, WAL emptied.
    checkpoint_truncate(conn)
    vault._key = new_key
    old_key.wipe()
    # Reopen with the new key before trusting it.
    try:
        fresh = open_database(db_path, new_key)
    except UnreadableDatabase:
        raise KeyRotationFailed(_ROTATION_REOPEN, code="key.rotation_failed.reopen") from None
    vault._conn = fresh
    with contextlib.suppress(DatabaseError):
        conn.close()


# -- a rotation cut short ---------------------------------------------------------------


def finish_rotation(
    cls: type[V],
    folder: Path,
    meta: VaultMetadata,
    current: VaultKey | None,
    pending: VaultKey | None,
    lock: OpenLock,
    store: KeyStore | None,
) -> V:
    """Open a vault whose last key rotation was cut short, and settle it.

    Which key the database is under decides: SQLCipher re-encrypts in one
    transaction, so it is wholly under the old key or wholly under the new one.
    """
    vault_id, new_check = meta.vault_id, meta.pending_key_check
    assert new_check is not None
    # The new key waits in its own place; if the main place was already promoted,
    # the main key is the new one.
    candidates = (k for k in (pending, current) if k is not None)
    new_key = next((k for k in candidates if k.matches(vault_id, new_check)), None)
    if new_key is not None and opens_with(folder / DATABASE_NAME, new_key):
        # The database went over to the new key: finish what the rotation began.
        fresh = promote_key(folder, vault_id, new_key, store)
        vault = cls._open_with_key(folder, fresh, new_key, lock)
        vault._unshown_recovery_key = recovery.encode(new_key)
        _after_open(
            vault,
            "key.rotation_completed",
            "a key rotation was cut short after the database was re-encrypted; it "
            "was finished when the vault was opened, and its recovery key is shown now",
        )
        return vault
    # The database never went over: the old key must open it, and the new one goes.
    if current is None:
        raise key_missing(store, vault_id)
    if not current.matches(vault_id, meta.key_check):
        raise WrongKey(
            "The key found for this vault does not open it (the keyring entry may have "
            "been overwritten). Use your recovery key.",
            code="key.wrong.keyring",
        )
    vault = cls._open_with_key(folder, meta, current, lock)
    # A failure here is harmless: the next open tries again; the old key works.
    with contextlib.suppress(OSError, CrmdeskError):
        vault.meta = drop_pending(folder, vault_id, new_check, store)
    _after_open(
        vault,
        "key.rotation_abandoned",
        "a key rotation was cut short before the database was re-encrypted; the "
        "vault keeps its key and recovery key",
    )
    return vault


def _after_open(vault: UnlockedVault, action: str, note: str) -> None:
    """Record what the open did to the vault's key; on failure the vault closes."""
    try:
        with vault.transaction():
            vault.record_event(
                vault.owner.login,
                action,
                object=vault.meta.vault_id,
                details={"key_storage": vault.meta.key_storage, "note": note},
            )
    except BaseException:
        vault.close()
        raise


def promote_key(
    folder: Path, vault_id: str, new_key: VaultKey, store: KeyStore | None
) -> VaultMetadata:
    """Make a rotation's new key (the database already uses it) the vault's key.

    Keyring first, then vault.json, then the pending entry goes: a crash at any point
    leaves a state the next open settles the same way. Safe to repeat.
    """
    if store is not None:
        store.put(vault_id, new_key)
    new_check = new_key.check_value(vault_id)

    def promote(m: VaultMetadata) -> None:
        if m.pending_key_check != new_check:
            return  # already promoted (by another process opening at the same time)
        if m.pending_passphrase is not None:
            m.passphrase = m.pending_passphrase
        m.key_check = new_check
        m.pending_key_check = m.pending_passphrase = None

    fresh = update_metadata(folder / METADATA_NAME, folder, promote)
    if store is not None:
        with contextlib.suppress(CrmdeskError):  # a leftover entry is harmless
            store.delete(pending_id(vault_id))
    return fresh


def drop_pending(
    folder: Path, vault_id: str, new_check: str, store: KeyStore | None
) -> VaultMetadata:
    """Forget a rotation's new key that the database never went over to."""

    def drop(m: VaultMetadata) -> None:
        if m.pending_key_check == new_check:
            m.pending_key_check = m.pending_passphrase = None

    fresh = update_metadata(folder / METADATA_NAME, folder, drop)
    if store is not None:
        with contextlib.suppress(CrmdeskError):
            store.delete(pending_id(vault_id))
    return fresh
