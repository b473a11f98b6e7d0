"""A vault: one folder, one SQLCipher database, one metadata file.

This module creates, opens, recovers and re-keys vaults and keeps the rules that make
failures safe: nothing is written before the key is known to be right, init never
overwrites, a key rotation cut short is finished (or undone) at the next open, and every
failure is a :class:`~crmdesk.errors.CrmdeskError` that says what to do next.

Several processes may have one vault open at once (the app and the command line): each
holds the shared open lock (:mod:`crmdesk.vault.locks`), SQLite serialises their writes,
and ``vault.json`` is only ever changed field by field under its own lock.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from crmdesk import audit
from crmdesk.errors import (
    BadInput,
    CannotUnlock,
    CrmdeskError,
    KeyMissing,
    KeyringUnavailable,
    KeyRotationFailed,
    NewerVault,
    VaultDamaged,
    VaultExists,
    VaultInUse,
    WrongKey,
)
from crmdesk.vault import migrations, passphrase, recovery
from crmdesk.vault.connection import (
    CACHE_SIZE,
    Connection,
    DatabaseError,
    UnreadableDatabase,
    checkpoint_truncate,
    open_database,
    rekey,
    truncated,
)
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.keystore import SERVICE, KeyStore, entry_name, pending_id, system_keystore
from crmdesk.vault.location import sharing_warning
from crmdesk.vault.locks import LOCK_FILES, OPEN_ELSEWHERE, OpenLock
from crmdesk.vault.metadata import (
    VaultMetadata,
    read_metadata,
    update_metadata,
    write_metadata,
)
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME

_DAMAGED_ADVICE = (
    "The vault's database file is damaged, truncated or was tampered with. Its files were "
    "left as they are: restore the vault folder from your latest backup."
)
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
_ROTATION_REOPEN = (
    "Changing the vault key did not finish cleanly. Close crmdesk and open the vault "
    "again: it settles the change, and shows the new recovery key if the new key took "
    "over. Nothing was lost."
)


class KeyStorage(StrEnum):
    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


@dataclass(frozen=True, slots=True)
class Owner:
    """The person who created the vault, and their business (for watermarks and audit)."""

    full_name: str
    login: str
    business: str = ""

    def validated(self) -> Owner:
        name, login, business = self.full_name.strip(), self.login.strip(), self.business.strip()
        problems = []
        if not name:
            problems.append("the owner's full name is empty")
        if not login or any(ch.isspace() for ch in login) or len(login) > 64:
            problems.append("the login must be 1 to 64 characters without spaces")
        if len(name) > 200 or len(business) > 200:
            problems.append("names are limited to 200 characters")
        if problems:
            raise BadInput("Cannot create the vault: " + "; ".join(problems) + ".")
        return Owner(name, login, business)


@dataclass(frozen=True, slots=True)
class VaultStatus:
    folder: Path
    vault_id: str
    format_version: int
    schema_version: int
    key_storage: KeyStorage
    key_location: str
    owner: Owner
    created_at: str
    table_counts: dict[str, int] = field(default_factory=dict)
    audit_length: int = 0
    audit_head: str = ""
    database_bytes: int = 0
    # Set when the folder is on a network file system or in a cloud-synced folder.
    sharing_warning: str | None = None


def _paths(folder: Path) -> tuple[Path, Path]:
    return folder / DATABASE_NAME, folder / METADATA_NAME


class Vault:
    """An unlocked vault. Use :meth:`create`, :meth:`open` or :meth:`recover`."""

    def __init__(
        self,
        folder: Path,
        meta: VaultMetadata,
        conn: Connection,
        key: VaultKey,
        open_lock: OpenLock | None = None,
    ):
        self.folder = folder
        # What vault.json said when last read or written by this object. Never written
        # back as a whole: other processes may have changed it since.
        self.meta = meta
        self._conn: Connection | None = conn
        self._key: VaultKey | None = key
        # Held shared until close; a key rotation needs it alone.
        self._open_lock = open_lock if open_lock is not None else OpenLock(None)
        # One connection, used by one thread at a time: the services' operations layer
        # runs database work on a worker thread, the CLI on the main one.
        self._lock = threading.RLock()
        # Which store handed over the key, e.g. "Secret Service" (shown in status lines).
        self.key_source = "OS keyring"
        # The newest audit entry of the transaction under way; written to vault.json
        # once it has committed.
        self._tx_head: tuple[int, str] | None = None
        # A committed head vault.json could not take (disk full...): tried again later.
        self._unsaved_head: tuple[int, str] | None = None
        self._head_lock = threading.Lock()
        # False only while create() has not written vault.json yet.
        self._metadata_written = True
        # Set when this open finished a key rotation that was cut short.
        self._unshown_recovery_key: str | None = None

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
    ) -> tuple[Vault, str]:
        """Make a new vault; returns it and its recovery key (shown once, never stored).

        With ``passphrase_text`` the key is wrapped by the passphrase; otherwise it goes
        into ``keystore`` (the OS keyring unless a test gives another).
        """
        owner = owner.validated()
        db_path, meta_path = _paths(folder)
        if meta_path.exists():
            raise VaultExists(
                f"{folder} already holds a crmdesk vault; init never overwrites one. "
                "Choose another folder with --vault DIR."
            )
        if db_path.exists():
            raise VaultExists(
                f"{folder} holds a crmdesk database but no {METADATA_NAME} (an interrupted "
                "init, or a damaged vault). Move it away before creating a new vault there."
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

        vault: Vault | None = None
        lock: OpenLock | None = None
        try:
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                lock = OpenLock.acquire(folder)
                conn = open_database(db_path, key, create=True)
                db_path.chmod(0o600)  # the WAL and shared-memory files inherit these rights
            except (UnreadableDatabase, OSError) as exc:
                raise BadInput(f"Cannot create the database in {folder}: {exc}.") from None
            vault = cls(folder, meta, conn, key, lock)
            vault._metadata_written = False  # the audit head waits in meta until then
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
            vault._metadata_written = True
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
    ) -> Vault:
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
    ) -> Vault:
        # Read again under the lock: no key rotation can be running now.
        meta = read_metadata(folder / METADATA_NAME, folder)
        store: KeyStore | None = None
        key: VaultKey | None
        pending: VaultKey | None = None
        if meta.key_storage == KeyStorage.PASSPHRASE:
            if passphrase_text is None:
                raise CannotUnlock(
                    "This vault is protected by a master passphrase. Give it at the prompt "
                    "or with --passphrase-stdin; if it is lost, use crmdesk recover."
                )
            if meta.passphrase is None:
                raise VaultDamaged("The vault's metadata has no wrapped key. " + _DAMAGED_ADVICE)
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
                    "open the vault with your recovery key: crmdesk recover (add "
                    "--passphrase-stdin to protect it by a passphrase from then on)."
                ) from None
        if meta.pending_key_check is not None:
            vault = cls._finish_rotation(folder, meta, key, pending, lock, store)
        else:
            if key is None:
                raise _key_missing(store, meta.vault_id)
            if not key.matches(meta.vault_id, meta.key_check):
                raise WrongKey(
                    "The key found for this vault does not open it (the keyring entry may "
                    "have been overwritten). Use your recovery key: crmdesk recover."
                )
            vault = cls._open_with_key(folder, meta, key, lock)
        if store is not None:
            vault.key_source = store.describe()
        return vault

    @classmethod
    def _open_with_key(
        cls, folder: Path, meta: VaultMetadata, key: VaultKey, lock: OpenLock
    ) -> Vault:
        db_path = folder / DATABASE_NAME
        if not db_path.exists():
            raise VaultDamaged(
                f"The vault in {folder} has lost its database file ({DATABASE_NAME}). "
                "Restore the vault folder from your latest backup."
            )
        try:
            conn = open_database(db_path, key)
        except UnreadableDatabase:
            # The key is right (checked against the metadata), so the file is at fault.
            raise VaultDamaged(_DAMAGED_ADVICE) from None
        vault = cls(folder, meta, conn, key, lock)
        try:
            if truncated(conn, db_path):
                raise VaultDamaged(_DAMAGED_ADVICE)
            vault._migrate(to=migrations.LATEST_VERSION, actor=vault.owner.login, record=True)
        except BaseException:
            vault.close()
            raise
        return vault

    @classmethod
    def _finish_rotation(
        cls,
        folder: Path,
        meta: VaultMetadata,
        current: VaultKey | None,
        pending: VaultKey | None,
        lock: OpenLock,
        store: KeyStore | None,
    ) -> Vault:
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
        if new_key is not None and _opens(folder / DATABASE_NAME, new_key):
            # The database went over to the new key: finish what the rotation began.
            fresh = _promote_key(folder, vault_id, new_key, store)
            vault = cls._open_with_key(folder, fresh, new_key, lock)
            vault._unshown_recovery_key = recovery.encode(new_key)
            vault._after_open(
                "key.rotation_completed",
                "a key rotation was cut short after the database was re-encrypted; it "
                "was finished when the vault was opened, and its recovery key is shown now",
            )
            return vault
        # The database never went over: the old key must open it, and the new one goes.
        if current is None:
            raise _key_missing(store, vault_id)
        if not current.matches(vault_id, meta.key_check):
            raise WrongKey(
                "The key found for this vault does not open it (the keyring entry may have "
                "been overwritten). Use your recovery key: crmdesk recover."
            )
        vault = cls._open_with_key(folder, meta, current, lock)
        # A failure here is harmless: the next open tries again; the old key works.
        with contextlib.suppress(OSError, CrmdeskError):
            vault.meta = _drop_pending(folder, vault_id, new_check, store)
        vault._after_open(
            "key.rotation_abandoned",
            "a key rotation was cut short before the database was re-encrypted; the "
            "vault keeps its key and recovery key",
        )
        return vault

    def _after_open(self, action: str, note: str) -> None:
        """Record what the open did to the vault's key; on failure the vault closes."""
        try:
            with self.transaction():
                self.record_event(
                    self.owner.login,
                    action,
                    object=self.meta.vault_id,
                    details={"key_storage": self.meta.key_storage, "note": note},
                )
        except BaseException:
            self.close()
            raise

    def unshown_recovery_key(self) -> str | None:
        """The recovery key of a key rotation this open finished, once; else None.

        The rotation was cut short before its caller could show the new recovery key,
        and the old one no longer opens the vault: show this one like after
        :meth:`rotate_key`, and print a new recovery kit.
        """
        text, self._unshown_recovery_key = self._unshown_recovery_key, None
        return text

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
    ) -> Vault:
        """Open with the recovery key and store the key again on this computer.

        Into the OS keyring, or, with ``new_passphrase``, wrapped by a new passphrase.
        This is how a vault moves to a new laptop or survives a lost keyring entry.
        """
        meta_path = folder / METADATA_NAME
        read_metadata(meta_path, folder)
        key = recovery.decode(recovery_key)
        lock = OpenLock.acquire(folder)
        try:
            vault = cls._recover_locked(folder, key, lock)
        except BaseException:
            lock.release()
            raise
        try:
            vault._store_key(keystore=keystore, new_passphrase=new_passphrase, kdf=kdf)
        except BaseException:
            vault.close()
            raise
        return vault

    @classmethod
    def _recover_locked(cls, folder: Path, key: VaultKey, lock: OpenLock) -> Vault:
        meta = read_metadata(folder / METADATA_NAME, folder)
        vault_id, new_check = meta.vault_id, meta.pending_key_check
        db_path = folder / DATABASE_NAME
        if new_check is not None and key.matches(vault_id, new_check):
            # The new key of a rotation that was cut short.
            if not _opens(db_path, key):
                raise WrongKey(_ROTATION_CUT_SHORT_OLD)
            return cls._open_with_key(folder, _promote_key(folder, vault_id, key, None), key, lock)
        if not key.matches(vault_id, meta.key_check):
            raise WrongKey(
                "This recovery key belongs to another vault (or this vault's key was changed "
                "after the recovery kit was printed). Check the vault id on the kit."
            )
        if new_check is not None:
            if db_path.exists() and not _opens(db_path, key):
                raise WrongKey(_ROTATION_CUT_SHORT_NEW)
            vault = cls._open_with_key(folder, meta, key, lock)
            with contextlib.suppress(OSError, CrmdeskError):  # the next open tries again
                vault.meta = _drop_pending(folder, vault_id, new_check, None)
            return vault
        return cls._open_with_key(folder, meta, key, lock)

    def _store_key(
        self,
        *,
        keystore: KeyStore | None,
        new_passphrase: str | None,
        kdf: passphrase.KdfParams,
    ) -> None:
        key = self._require_key()
        vault_id = self.meta.vault_id
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
        self.key_source = location
        with self.transaction():
            self.record_event(
                self.owner.login,
                "key.recovered",
                object=vault_id,
                details={"key_storage": storage, "key_location": location},
            )
        self.meta = update_metadata(self.folder / METADATA_NAME, self.folder, change)

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
        by it. Needs the vault alone (:class:`VaultInUse` otherwise).

        Crash-safe: the new key is stored where the next open finds it (keyring entry
        ``vault-<id>.next``, or wrapped in vault.json) together with its check value
        *before* the database is re-encrypted, and promoted after; :meth:`open` finishes
        or forgets a rotation cut short in between.
        """
        with self._lock:
            old_key = self._require_key()
            if self.connection.in_transaction:
                raise RuntimeError("rotate_key cannot run inside a transaction")
            vault_id = self.meta.vault_id
            meta = read_metadata(self.folder / METADATA_NAME, self.folder)
            store: KeyStore | None = None
            if meta.key_storage == KeyStorage.PASSPHRASE:
                if passphrase_text is None:
                    raise CannotUnlock(
                        "Changing the key of a passphrase-protected vault needs its master "
                        "passphrase: give it at the prompt or with --passphrase-stdin."
                    )
                if meta.passphrase is None:
                    raise VaultDamaged(
                        "The vault's metadata has no wrapped key. " + _DAMAGED_ADVICE
                    )
                unwrapped = passphrase.unwrap_key(meta.passphrase, passphrase_text, vault_id)
                same = unwrapped == old_key
                unwrapped.wipe()
                if not same:
                    raise WrongKey(
                        "The passphrase opens another key than the one this vault is open "
                        "with (vault.json was replaced). Close the vault, open it again, "
                        "and then change the key."
                    )
            else:
                store = keystore if keystore is not None else system_keystore()
            if not self._open_lock.try_exclusive(self.folder):
                raise VaultInUse(OPEN_ELSEWHERE)
            try:
                new_key = self._rotate_exclusively(
                    actor, reason, store, passphrase_text, kdf, old_key
                )
            finally:
                self._open_lock.downgrade(self.folder)
        return recovery.encode(new_key)

    def _rotate_exclusively(
        self,
        actor: str,
        reason: str,
        store: KeyStore | None,
        passphrase_text: str | None,
        kdf: passphrase.KdfParams,
        old_key: VaultKey,
    ) -> VaultKey:
        metadata_path = self.folder / METADATA_NAME
        meta = read_metadata(metadata_path, self.folder)  # as it is now that we are alone
        vault_id = meta.vault_id
        if meta.pending_key_check is not None:
            # An earlier rotation of this vault object did not finish: settle it first,
            # or its key would be overwritten before it is safe.
            if old_key.matches(vault_id, meta.pending_key_check):
                self.meta = _promote_key(self.folder, vault_id, old_key, store)
            else:
                self.meta = _drop_pending(self.folder, vault_id, meta.pending_key_check, store)
        # No page under the old key may stay in the WAL. With the exclusive lock no
        # other connection reads; where flock is missing (Windows) this still notices
        # one that is reading right now.
        if not checkpoint_truncate(self.connection):
            raise VaultInUse(OPEN_ELSEWHERE)

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

        self.meta = update_metadata(metadata_path, self.folder, park)
        # 2. Every page re-encrypted under the new key.
        self._rekey(old_key, new_key, store)
        # 3. The evidence, in the re-encrypted vault; never key material.
        with self.transaction():
            self.record_event(
                actor,
                "key.rotated",
                object=vault_id,
                details={
                    "reason": reason,
                    "key_storage": self.meta.key_storage,
                    "key_location": self.key_location(),
                },
            )
        # 4. The new key takes the main place; the pending one goes.
        self.meta = _promote_key(self.folder, vault_id, new_key, store)
        checkpoint_truncate(self.connection)
        return new_key

    def _rekey(self, old_key: VaultKey, new_key: VaultKey, store: KeyStore | None) -> None:
        db_path = self.folder / DATABASE_NAME
        conn = self.connection
        try:
            rekey(conn, new_key)
        except DatabaseError as exc:
            if _opens(db_path, old_key):
                with contextlib.suppress(OSError, CrmdeskError):
                    pending = self.meta.pending_key_check
                    if pending is not None:
                        self.meta = _drop_pending(self.folder, self.meta.vault_id, pending, store)
                raise KeyRotationFailed(
                    f"The vault key could not be changed ({exc}). Nothing was changed: the "
                    "vault still opens with its current key and recovery key. Try again."
                ) from None
            raise KeyRotationFailed(_ROTATION_REOPEN) from None
        # The re-encrypted pages sit in the WAL: into the file with them, WAL emptied.
        checkpoint_truncate(conn)
        self._key = new_key
        old_key.wipe()
        # Reopen with the new key before trusting it.
        try:
            fresh = open_database(db_path, new_key)
        except UnreadableDatabase:
            raise KeyRotationFailed(_ROTATION_REOPEN) from None
        self._conn = fresh
        with contextlib.suppress(DatabaseError):
            conn.close()

    # -- using ------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise CannotUnlock("The vault is locked. Unlock it again to continue.")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any error.

        IMMEDIATE takes the write lock up front, so two processes editing at once wait
        for each other instead of failing half-way. Database damage met on the way is
        turned into :class:`VaultDamaged`. When audit events were recorded, the newest
        one becomes the head recorded in vault.json once the commit has succeeded.
        """
        committed: tuple[int, str] | None = None
        with self._lock:
            conn = self.connection
            conn.execute("BEGIN IMMEDIATE")
            self._tx_head = None
            try:
                yield conn
            except BaseException:
                self._tx_head = None
                conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except DatabaseError as exc:
                    self._tx_head = None
                    _rollback_quietly(conn)
                    raise _translate(exc) from None
                committed, self._tx_head = self._tx_head, None
        if committed is not None:
            # Only after COMMIT: vault.json must never name an entry that did not commit.
            self._save_audit_head(committed)

    @contextlib.contextmanager
    def bulk_writes(self, cache_mib: int = 512) -> Iterator[None]:
        """A larger page cache while thousands of records go in (demo data, imports).

        Index pages of a growing file fall out of the normal 64 MiB cache and are then
        read, decrypted and encrypted again; keeping them costs memory only meanwhile.
        """
        with self._lock:
            self.connection.execute(f"PRAGMA cache_size = {-int(cache_mib) * 1024}")
        try:
            yield
        finally:
            with self._lock:
                if self._conn is not None:
                    self._conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """The connection for reads, with damage turned into :class:`VaultDamaged`."""
        with self._lock:
            try:
                yield self.connection
            except DatabaseError as exc:
                raise _translate(exc) from None

    def copy_into(self, target: Connection) -> None:
        """Copy the database into ``target`` (keyed with this vault's key): one snapshot.

        SQLite's online backup API in one step reads under a single read transaction, so
        other processes keep writing (WAL) and the copy holds exactly the commits made
        before it began. Under this vault's lock: its one connection serves one thread.
        """
        with self._lock:
            try:
                self.connection.backup(target, pages=-1)
            except DatabaseError as exc:
                raise _translate(exc) from None

    def record_event(
        self,
        actor: str,
        action: str,
        *,
        object: str = "",  # noqa: A002
        details: Mapping[str, Any] | None = None,
    ) -> audit.AuditEvent:
        """Append to the audit trail inside the current transaction."""
        event = audit.record(
            self.connection,
            self.meta.vault_id,
            actor=actor,
            action=action,
            object=object,
            details=details,
        )
        self._tx_head = (event.seq, event.hash)
        return event

    def verify_audit(self) -> audit.ChainReport:
        """Walk the audit chain and compare its end with the head vault.json records.

        vault.json is read first: every entry it names committed before it was written,
        so the walk, which starts afterwards, must find it. A head in the file that lags
        behind the database (another process has not written its head yet) is fine.
        """
        meta = read_metadata(self.folder / METADATA_NAME, self.folder)
        try:
            recorded = meta.recorded_audit_head()
        except ValueError:
            raise VaultDamaged(
                "vault.json's record of the audit trail's newest entry (audit_head) is "
                "unreadable, so removed entries cannot be ruled out. Keep the vault as it "
                "is (it is evidence) and compare it with your latest backup."
            ) from None
        with self.reading() as conn:
            return audit.verify(conn, self.meta.vault_id, recorded_head=recorded)

    @property
    def owner(self) -> Owner:
        with self.reading() as conn:
            info = dict(conn.execute("SELECT key, value FROM vault_info").fetchall())
        return Owner(
            info.get("owner_name", ""), info.get("owner_login", ""), info.get("business_name", "")
        )

    @property
    def schema_version(self) -> int:
        with self.reading() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def key_location(self) -> str:
        """Where the key is held, in words: for status lines and ``crmdesk status``."""
        if self.meta.key_storage == KeyStorage.PASSPHRASE:
            return "wrapped by a master passphrase (Argon2id, AES-256-GCM) in vault.json"
        service, entry = self.meta.keyring_service, self.meta.keyring_entry
        return f"in the {self.key_source}, service '{service}', entry '{entry}'"

    def status(self) -> VaultStatus:
        """What ``crmdesk status`` shows: where, which format, where the key is, counts."""
        with self.reading() as conn:
            schema = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
            virtual = [n for n, sql in schema if sql.upper().startswith("CREATE VIRTUAL")]
            # Record tables only: a virtual table's shadow tables are its internals.
            tables = [
                n
                for n, _ in schema
                if n not in virtual and not any(n.startswith(f"{v}_") for v in virtual)
            ]
            counts = {t: _count(conn, t) for t in tables}
            info = dict(conn.execute("SELECT key, value FROM vault_info").fetchall())
            head = audit.head(conn)
        return VaultStatus(
            folder=self.folder,
            vault_id=self.meta.vault_id,
            format_version=self.meta.format_version,
            schema_version=self.schema_version,
            key_storage=KeyStorage(self.meta.key_storage),
            key_location=self.key_location(),
            owner=self.owner,
            created_at=info.get("created_at", self.meta.created_at),
            table_counts=counts,
            audit_length=head[0] if head else 0,
            audit_head=head[1] if head else "",
            database_bytes=(self.folder / DATABASE_NAME).stat().st_size,
            sharing_warning=sharing_warning(self.folder),
        )

    def close(self) -> None:
        """Close the connection, overwrite the key bytes held in memory, drop the lock."""
        if self._unsaved_head is not None and self._conn is not None:
            self._save_audit_head(self._unsaved_head)
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(DatabaseError):
                    self._conn.close()
                self._conn = None
            if self._key is not None:
                self._key.wipe()
                self._key = None
            self._unshown_recovery_key = None
            self._open_lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------

    def _save_audit_head(self, head: tuple[int, str]) -> None:
        """Record a committed audit head in vault.json; it only ever moves forward."""
        with self._head_lock:
            if self._unsaved_head is not None and self._unsaved_head[0] > head[0]:
                head = self._unsaved_head
            if not self._metadata_written:
                self.meta.advance_audit_head(*head)  # create() writes it with the file
                return
            try:
                self.meta = update_metadata(
                    self.folder / METADATA_NAME,
                    self.folder,
                    lambda m: m.advance_audit_head(*head),
                )
            except (OSError, CrmdeskError):
                # The change is committed and stays so; vault.json only lags behind,
                # which verify accepts. The next commit (or close) tries again.
                self._unsaved_head = head
            else:
                self._unsaved_head = None

    def _require_key(self) -> VaultKey:
        if self._key is None:
            raise CannotUnlock("The vault is locked. Unlock it again to continue.")
        return self._key

    def _migrate(self, *, to: int, actor: str, record: bool) -> None:
        with self.reading() as conn:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > migrations.LATEST_VERSION:
            raise NewerVault(
                f"This vault's database was upgraded by a newer crmdesk (schema {current}; "
                f"this version knows up to {migrations.LATEST_VERSION}). Update crmdesk."
            )
        steps = migrations.pending(current, to)
        if not steps:
            return
        with self.transaction() as conn:
            for step in steps:
                for statement in step.statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(steps[-1].version)}")
            if record:
                self.record_event(
                    actor,
                    "vault.migrated",
                    object=self.meta.vault_id,
                    details={"from": current, "to": steps[-1].version},
                )


def _count(conn: Connection, table: str) -> int:
    quoted = '"' + table.replace('"', '""') + '"'  # a name read from the schema, quoted
    return int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])


def _sidecars(db_path: Path) -> tuple[Path, ...]:
    return tuple(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal"))


def _rollback_quietly(conn: Connection) -> None:
    with contextlib.suppress(DatabaseError):
        conn.execute("ROLLBACK")


def _translate(exc: DatabaseError) -> Exception:
    """Damage found mid-use becomes VaultDamaged; other database errors pass as they are."""
    text = str(exc).lower()
    if any(s in text for s in ("not a database", "malformed", "hmac", "disk i/o")):
        return VaultDamaged(_DAMAGED_ADVICE)
    return exc


def _key_missing(store: KeyStore | None, vault_id: str) -> KeyMissing:
    where = store.describe() if store is not None else "OS keyring"
    return KeyMissing(
        f"The {where} on this computer has no key for this vault "
        f"(entry {SERVICE}/{entry_name(vault_id)}). If the vault was moved "
        "here or the entry was deleted, use your recovery key: crmdesk recover."
    )


def _opens(db_path: Path, key: VaultKey) -> bool:
    """Whether ``key`` reads the database (a wrong key changes nothing in the files)."""
    try:
        conn = open_database(db_path, key)
    except UnreadableDatabase:
        return False
    conn.close()
    return True


def _promote_key(
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


def _drop_pending(
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


def vault_exists(folder: Path) -> bool:
    return (folder / METADATA_NAME).exists()
