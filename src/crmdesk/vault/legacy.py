"""Opening a vault of the old format (format 1, schema 6 and before) to upgrade it.

In format 1 one vault key opened everything; it was kept in the OS keyring (entry
``vault-<id>``) or wrapped in vault.json by a master passphrase, and the recovery key was
that key itself. Such a vault is opened here only so that its owner can upgrade it
(:mod:`crmdesk.services.upgrade`); nothing else works on it. A key rotation of the old
format that was cut short is settled by trying both keys: the one the database opens
with is the vault's key.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from crmdesk.errors import CannotUnlock, KeyringUnavailable, WrongKey
from crmdesk.vault.connection import opens_with
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import KeyStore, key_missing, pending_id, system_keystore
from crmdesk.vault.keys.slots import MAIN, HeldKeys
from crmdesk.vault.locks import OpenLock
from crmdesk.vault.metadata import LEGACY_FORMAT, KeyStorage, VaultMetadata, read_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.unlocked import UnlockedVault


class LegacyVault(UnlockedVault):
    """A format-1 vault open with its one key, waiting to be upgraded by its owner."""

    legacy_key_storage: str = KeyStorage.KEYRING
    legacy_store: KeyStore | None = None


def is_legacy(folder: Path) -> bool:
    return read_metadata(folder / METADATA_NAME, folder).format_version == LEGACY_FORMAT


def open_legacy(
    folder: Path,
    *,
    keystore: KeyStore | None = None,
    passphrase_text: str | None = None,
    recovery_key: str | None = None,
) -> LegacyVault:
    """The old vault with its key from the recovery key, the passphrase or the keyring."""
    meta = read_metadata(folder / METADATA_NAME, folder)
    lock = OpenLock.acquire(folder)
    try:
        meta = read_metadata(folder / METADATA_NAME, folder)  # again, under the lock
        store: KeyStore | None = None
        candidates: list[VaultKey] = []
        if recovery_key is not None:
            candidates.append(recovery.decode(recovery_key))
        elif meta.key_storage == KeyStorage.PASSPHRASE:
            if passphrase_text is None:
                raise CannotUnlock(
                    "This vault is protected by a master passphrase. Give it; if it is "
                    "lost, use your recovery key.",
                    code="passphrase.needed",
                )
            for record in (meta.passphrase, meta.pending_passphrase):
                if record is not None:
                    with contextlib.suppress(CannotUnlock):
                        candidates.append(
                            passphrase.unwrap_key(record, passphrase_text, meta.vault_id)
                        )
            if not candidates:
                passphrase.unwrap_key(meta.passphrase or {}, passphrase_text, meta.vault_id)
        else:
            try:
                store = keystore if keystore is not None else system_keystore()
                for entry in (meta.vault_id, pending_id(meta.vault_id)):
                    with contextlib.suppress(CannotUnlock):
                        found = store.get(entry)
                        if found is not None:
                            candidates.append(found)
            except KeyringUnavailable as exc:
                raise type(exc)(
                    f"{exc.message} This vault's key is kept in the OS keyring; without it, "
                    "open the vault with your recovery key.",
                    code="keyring.unavailable.for_vault",
                    cause=exc,
                ) from None
            if not candidates:
                raise key_missing(store, meta.vault_id)
        key = _the_one_that_opens(folder, meta, candidates)
        vault = LegacyVault._open_with_keys(folder, meta, HeldKeys(current={MAIN: key}), None, lock)
    except BaseException:
        lock.release()
        raise
    vault.legacy_key_storage = str(meta.key_storage)
    vault.legacy_store = store
    return vault


def _the_one_that_opens(folder: Path, meta: VaultMetadata, candidates: list[VaultKey]) -> VaultKey:
    checks = {c for c in (meta.key_check, meta.pending_key_check) if c}
    for key in candidates:
        if any(key.matches(meta.vault_id, c) for c in checks) and opens_with(
            folder / DATABASE_NAME, key
        ):
            return key
    raise WrongKey(
        "The key found for this vault does not open it (the keyring entry may have been "
        "overwritten, or the recovery key belongs to another vault or an older key).",
        code="key.wrong.keyring",
    )
