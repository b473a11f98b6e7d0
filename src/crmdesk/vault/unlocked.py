"""An unlocked vault in use: its one connection, transactions, reads and audit events.

:class:`UnlockedVault` is what every way into a vault ends with: opening it with a key
that is known to be right, reading, writing in transactions, recording audit events,
closing. :class:`~crmdesk.vault.vault.Vault` adds the ways in (create, open, recover)
and the key's rotation on top; the modules that do those (:mod:`.rotation`,
:mod:`.recover`, :mod:`.status`) work on this class, so none of them imports the module
that imports them.

Several processes may have one vault open at once (the app and the command line): each
holds the shared open lock (:mod:`crmdesk.vault.locks`), SQLite serialises their writes,
and ``vault.json`` is only ever changed field by field under its own lock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Self

from crmdesk import audit
from crmdesk.errors import CannotUnlock, NewerVault, VaultDamaged
from crmdesk.vault import migrations
from crmdesk.vault.audit_head import AuditHeadWriter, Head, recorded_head
from crmdesk.vault.connection import (
    CACHE_SIZE,
    Connection,
    DatabaseError,
    UnreadableDatabase,
    open_database,
    truncated,
)
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.locks import OpenLock
from crmdesk.vault.metadata import KeyStorage, VaultMetadata
from crmdesk.vault.owner import Owner
from crmdesk.vault.paths import DATABASE_NAME

DAMAGED_ADVICE = (
    "The vault's database file is damaged, truncated or was tampered with. Its files were "
    "left as they are: restore the vault folder from your latest backup."
)


class UnlockedVault:
    """An unlocked vault. Get one through ``Vault.create``, ``Vault.open`` or ``Vault.recover``."""

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
        self._tx_head: Head | None = None
        self._head_writer = AuditHeadWriter(folder)
        # Set when this open finished a key rotation that was cut short.
        self._unshown_recovery_key: str | None = None

    @classmethod
    def _open_with_key(
        cls, folder: Path, meta: VaultMetadata, key: VaultKey, lock: OpenLock
    ) -> Self:
        """Open the database with a key already checked against vault.json, and migrate it."""
        db_path = folder / DATABASE_NAME
        if not db_path.exists():
            raise VaultDamaged(
                f"The vault in {folder} has lost its database file ({DATABASE_NAME}). "
                "Restore the vault folder from your latest backup.",
                code="vault.damaged.no_database",
                folder=folder,
            )
        try:
            conn = open_database(db_path, key)
        except UnreadableDatabase:
            # The key is right (checked against the metadata), so the file is at fault.
            raise VaultDamaged(DAMAGED_ADVICE, code="vault.damaged.database") from None
        vault = cls(folder, meta, conn, key, lock)
        try:
            if truncated(conn, db_path):
                raise VaultDamaged(DAMAGED_ADVICE, code="vault.damaged.database")
            vault._migrate(to=migrations.LATEST_VERSION, actor=vault.owner.login, record=True)
        except BaseException:
            vault.close()
            raise
        return vault

    # -- using ------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise CannotUnlock(
                "The vault is locked. Unlock it again to continue.", code="vault.locked"
            )
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
        committed: Head | None = None
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
        recorded = recorded_head(self.folder)
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

    def close(self) -> None:
        """Close the connection, overwrite the key bytes held in memory, drop the lock."""
        if self._head_writer.unsaved is not None and self._conn is not None:
            self._save_audit_head(self._head_writer.unsaved)
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------

    def _save_audit_head(self, head: Head) -> None:
        """Record a committed audit head in vault.json; it only ever moves forward."""
        self._head_writer.save(head, self.meta, self._keep_metadata)

    def _keep_metadata(self, meta: VaultMetadata) -> None:
        self.meta = meta

    def _require_key(self) -> VaultKey:
        if self._key is None:
            raise CannotUnlock(
                "The vault is locked. Unlock it again to continue.", code="vault.locked"
            )
        return self._key

    def _migrate(self, *, to: int, actor: str, record: bool) -> None:
        with self.reading() as conn:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > migrations.LATEST_VERSION:
            raise NewerVault(
                f"This vault's database was upgraded by a newer crmdesk (schema {current}; "
                f"this version knows up to {migrations.LATEST_VERSION}). Update crmdesk.",
                code="vault.newer.schema",
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


def _rollback_quietly(conn: Connection) -> None:
    with contextlib.suppress(DatabaseError):
        conn.execute("ROLLBACK")


def _translate(exc: DatabaseError) -> Exception:
    """Damage found mid-use becomes VaultDamaged; other database errors pass as they are."""
    text = str(exc).lower()
    if any(s in text for s in ("not a database", "malformed", "hmac", "disk i/o")):
        return VaultDamaged(DAMAGED_ADVICE, code="vault.damaged.database")
    return exc
