"""A vault: one folder, one SQLCipher database, one metadata file.

:class:`Vault` is how a vault is created, opened and recovered, and where its key is
rotated; what it does once open (transactions, reads, the audit trail, closing) is
:class:`~crmdesk.vault.unlocked.UnlockedVault`. The rules that make failures safe:
nothing is written before the key is known to be right, init never overwrites, a key
rotation cut short is finished (or undone) at the next open (:mod:`.rotation`), and
every failure is a :class:`~crmdesk.errors.CrmdeskError` that says what to do next.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from crmdesk.errors import (
    BadInput,
    CannotUnlock,
    CrmdeskError,
    KeyringUnavailable,
    VaultDamaged,
    VaultExists,
    WrongKey,
)
from crmdesk.vault import migrations, rotation
from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import (
    SERVICE,
    KeyStore,
    entry_name,
    key_missing,
    pending_id,
    system_keystore,
)
from crmdesk.vault.locks import LOCK_FILES, OpenLock
from crmdesk.vault.metadata import (
    KeyStorage,
    VaultMetadata,
    read_metadata,
    write_metadata,
)
from crmdesk.vault.owner import Owner
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.recover import open_with_recovery_key
from crmdesk.vault.status import VaultStatus, vault_status
from crmdesk.vault.unlocked import DAMAGED_ADVICE, UnlockedVault


def _paths(folder: Path) -> tuple[Path, Path]:
    return folder / DATABASE_NAME, folder / METADATA_NAME


class Vault(UnlockedVault):
    """An unlocked vault. Use :meth:`create`, :meth:`open` or :meth:`recover`."""

    # -- creating ---------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        folder: Path,
        owner: Owner,
        *,
        keystore: KeyStore | None = None,
        passphrase_text: str | None = None,
        kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
        schema_version: int = migrations.LATEST_VERSION,
    ) -> tuple[Self, str]:
        """Make a new vault; returns it and its recovery key (shown once, never stored).

        With ``passphrase_text`` the key is wrapped by the passphrase; otherwise it goes
        into ``keystore`` (the OS keyring unless a test gives another).
        """
        owner = owner.validated()
        db_path, meta_path = _paths(folder)
        if meta_path.exists():
            raise VaultExists(
                f"{folder} already holds a crmdesk vault; a new vault never overwrites one. "
                "Choose another folder.",
                code="vault.exists",
                folder=folder,
            )
        if db_path.exists():
            raise VaultExists(
                f"{folder} holds a crmdesk database but no {METADATA_NAME} (an interrupted "
                "init, or a damaged vault). Move it away before creating a new vault there.",
                code="vault.exists.database_only",
                folder=folder,
            )
        if passphrase_text is not None:
            passphrase.check_new_passphrase(passphrase_text)

        vault_id = uuid.uuid4().hex
        key = VaultKey.generate()
        meta = VaultMetadata(
            vault_id=vault_id,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            key_storage=KeyStorage.KEYRING,
            key_check=key.check_value(vault_id),
        )
        store: KeyStore | None = None
        if passphrase_text is not None:
            meta.key_storage = KeyStorage.PASSPHRASE
            meta.passphrase = passphrase.wrap_key(key, passphrase_text, vault_id, kdf)
            location = "wrapped by the master passphrase"
        else:
            store = keystore if keystore is not None else system_keystore()
            store.put(vault_id, key)
            meta.keyring_service, meta.keyring_entry = SERVICE, entry_name(vault_id)
            location = store.describe()

        vault: Self | None = None
        lock: OpenLock | None = None
        try:
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                lock = OpenLock.acquire(folder)
                conn = open_database(db_path, key, create=True)
                db_path.chmod(0o600)  # the WAL and shared-memory files inherit these rights
            except (UnreadableDatabase, OSError) as exc:
                raise BadInput(
                    f"Cannot create the database in {folder}: {exc}.",
                    code="vault.create_failed",
                    folder=folder,
                ) from None
            vault = cls(folder, meta, conn, key, lock)
            vault._head_writer.metadata_written = False  # the audit head waits in meta until then
            vault.key_source = location
            vault._migrate(to=schema_version, actor=owner.login, record=False)
            with vault.transaction() as tx:
                tx.executemany(
                    "INSERT INTO vault_info (key, value) VALUES (?, ?)",
                    [
                        ("vault_id", vault_id),
                        ("owner_name", owner.full_name),
                        ("owner_login", owner.login),
                        ("business_name", owner.business),
                        ("created_at", meta.created_at),
                    ],
                )
                vault.record_event(
                    owner.login,
                    "vault.created",
                    object=vault_id,
                    details={
                        "owner": owner.full_name,
                        "business": owner.business,
                        "key_storage": meta.key_storage,
                        "key_location": location,
                    },
                )
            # The metadata file is written last: its presence is what makes a vault.
            write_metadata(meta_path, meta)
            vault._head_writer.metadata_written = True
        except BaseException:
            # Leave nothing half-made: no database without metadata, no orphaned key.
            if vault is not None:
                vault.close()
            elif lock is not None:
                lock.release()
            for leftover in (db_path, *_sidecars(db_path), *(folder / n for n in LOCK_FILES)):
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
            if store is not None:
                with contextlib.suppress(CrmdeskError):  # the original error matters more
                    store.delete(vault_id)
            raise
        assert vault is not None
        return vault, recovery.encode(key)

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        keystore: KeyStore | None = None,
        passphrase_text: str | None = None,
    ) -> Self:
        """Unlock an existing vault with the key from the keyring or the passphrase.

        A key rotation that was cut short is finished here when the database already
        went over to the new key, and forgotten when it did not.
        """
        meta_path = folder / METADATA_NAME
        read_metadata(meta_path, folder)  # "no vault here" before anything is created there
        lock = OpenLock.acquire(folder)
        try:
            return cls._open_locked(folder, lock, keystore, passphrase_text)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_locked(
        cls,
        folder: Path,
        lock: OpenLock,
        keystore: KeyStore | None,
        passphrase_text: str | None,
    ) -> Self:
        # Read again under the lock: no key rotation can be running now.
        meta = read_metadata(folder / METADATA_NAME, folder)
        store: KeyStore | None = None
        key: VaultKey | None
        pending: VaultKey | None = None
        if meta.key_storage == KeyStorage.PASSPHRASE:
            if passphrase_text is None:
                raise CannotUnlock(
                    "This vault is protected by a master passphrase. Give it; if it is "
                    "lost, use your recovery key.",
                    code="passphrase.needed",
                )
            if meta.passphrase is None:
                raise VaultDamaged(
                    "The vault's metadata has no wrapped key. " + DAMAGED_ADVICE,
                    code="vault.damaged.no_wrapped_key",
                )
            key = passphrase.unwrap_key(meta.passphrase, passphrase_text, meta.vault_id)
            if meta.pending_key_check is not None and meta.pending_passphrase is not None:
                # Wrapped by the same passphrase when the rotation began.
                with contextlib.suppress(CrmdeskError):
                    pending = passphrase.unwrap_key(
                        meta.pending_passphrase, passphrase_text, meta.vault_id
                    )
        else:
            try:
                store = keystore if keystore is not None else system_keystore()
                key = store.get(meta.vault_id)
                if meta.pending_key_check is not None:
                    with contextlib.suppress(VaultDamaged):  # a mangled entry is no key
                        pending = store.get(pending_id(meta.vault_id))
            except KeyringUnavailable as exc:
                raise type(exc)(
                    f"{exc.message} This vault's key is kept in the OS keyring; without it, "
                    "open the vault with your recovery key.",
                    code="keyring.unavailable.for_vault",
                    cause=exc,
                ) from None
        if meta.pending_key_check is not None:
            vault = rotation.finish_rotation(cls, folder, meta, key, pending, lock, store)
        else:
            if key is None:
                raise key_missing(store, meta.vault_id)
            if not key.matches(meta.vault_id, meta.key_check):
                raise WrongKey(
                    "The key found for this vault does not open it (the keyring entry may "
                    "have been overwritten). Use your recovery key.",
                    code="key.wrong.keyring",
                )
            vault = cls._open_with_key(folder, meta, key, lock)
        if store is not None:
            vault.key_source = store.describe()
        return vault

    # -- recovery ---------------------------------------------------------------------

    @classmethod
    def recover(
        cls,
        folder: Path,
        recovery_key: str,
        *,
        keystore: KeyStore | None = None,
        new_passphrase: str | None = None,
        kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
    ) -> Self:
        """Open with the recovery key and store the key again on this computer.

        Into the OS keyring, or, with ``new_passphrase``, wrapped by a new passphrase.
        This is how a vault moves to a new laptop or survives a lost keyring entry.
        """
        return open_with_recovery_key(
            cls, folder, recovery_key, keystore=keystore, new_passphrase=new_passphrase, kdf=kdf
        )

    # -- changing the key -------------------------------------------------------------

    def rotate_key(
        self,
        actor: str,
        *,
        reason: str = "",
        keystore: KeyStore | None = None,
        passphrase_text: str | None = None,
        kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
    ) -> str:
        """Re-encrypt the vault under a new random key; returns the new recovery key.

        Show the recovery key once (a new recovery kit): the old key and the old
        recovery key no longer open the vault. In keyring mode the new key replaces the
        keyring entry (``keystore``, else the OS keyring); in passphrase mode
        ``passphrase_text`` must be the current passphrase, and the new key is wrapped
        by it. Needs the vault alone (:class:`VaultInUse` otherwise). Crash-safe: see
        :func:`crmdesk.vault.rotation.rotate_key`.
        """
        return rotation.rotate_key(
            self,
            actor,
            reason=reason,
            keystore=keystore,
            passphrase_text=passphrase_text,
            kdf=kdf,
        )

    def unshown_recovery_key(self) -> str | None:
        """The recovery key of a key rotation this open finished, once; else None.

        The rotation was cut short before its caller could show the new recovery key,
        and the old one no longer opens the vault: show this one like after
        :meth:`rotate_key`, and print a new recovery kit.
        """
        text, self._unshown_recovery_key = self._unshown_recovery_key, None
        return text

    # -- status -----------------------------------------------------------------------

    def status(self) -> VaultStatus:
        """What ``crmdesk status`` shows: where, which format, where the key is, counts."""
        return vault_status(self)


def _sidecars(db_path: Path) -> tuple[Path, ...]:
    return tuple(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal"))


def vault_exists(folder: Path) -> bool:
    return (folder / METADATA_NAME).exists()
