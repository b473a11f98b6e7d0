"""A vault: one folder, one SQLCipher database, one metadata file.

This module creates, opens and recovers vaults and keeps the rules that make failures
safe: nothing is written before the key is known to be right, init never overwrites,
and every failure is a :class:`~crmdesk.errors.CrmdeskError` that says what to do next.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator, Mapping
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
    NewerVault,
    VaultDamaged,
    VaultExists,
    WrongKey,
)
from crmdesk.vault import migrations, passphrase, recovery
from crmdesk.vault.connection import (
    CACHE_SIZE,
    Connection,
    DatabaseError,
    UnreadableDatabase,
    open_database,
    truncated,
)
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.keystore import SERVICE, KeyStore, entry_name, system_keystore
from crmdesk.vault.metadata import VaultMetadata, read_metadata, write_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME

_DAMAGED_ADVICE = (
    "The vault's database file is damaged, truncated or was tampered with. Its files were "
    "left as they are: restore the vault folder from your latest backup."
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


def _paths(folder: Path) -> tuple[Path, Path]:
    return folder / DATABASE_NAME, folder / METADATA_NAME


class Vault:
    """An unlocked vault. Use :meth:`create`, :meth:`open` or :meth:`recover`."""

    def __init__(self, folder: Path, meta: VaultMetadata, conn: Connection, key: VaultKey):
        self.folder = folder
        self.meta = meta
        self._conn: Connection | None = conn
        self._key: VaultKey | None = key
        # One connection, used by one thread at a time: the services' operations layer
        # runs database work on a worker thread, the CLI on the main one.
        self._lock = threading.RLock()
        # Which store handed over the key, e.g. "Secret Service" (shown in status lines).
        self.key_source = "OS keyring"

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
        try:
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                conn = open_database(db_path, key, create=True)
                db_path.chmod(0o600)  # the WAL and shared-memory files inherit these rights
            except (UnreadableDatabase, OSError) as exc:
                raise BadInput(f"Cannot create the database in {folder}: {exc}.") from None
            vault = cls(folder, meta, conn, key)
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
        except BaseException:
            # Leave nothing half-made: no database without metadata, no orphaned key.
            if vault is not None:
                vault.close()
            for leftover in (db_path, *_sidecars(db_path)):
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
        """Unlock an existing vault with the key from the keyring or the passphrase."""
        meta = read_metadata(folder / METADATA_NAME, folder)
        if meta.key_storage == KeyStorage.PASSPHRASE:
            if passphrase_text is None:
                raise CannotUnlock(
                    "This vault is protected by a master passphrase. Give it at the prompt "
                    "or with --passphrase-stdin; if it is lost, use crmdesk recover."
                )
            if meta.passphrase is None:
                raise VaultDamaged("The vault's metadata has no wrapped key. " + _DAMAGED_ADVICE)
            key = passphrase.unwrap_key(meta.passphrase, passphrase_text, meta.vault_id)
        else:
            try:
                store = keystore if keystore is not None else system_keystore()
                found = store.get(meta.vault_id)
            except KeyringUnavailable as exc:
                raise type(exc)(
                    f"{exc.message} This vault's key is kept in the OS keyring; without it, "
                    "open the vault with your recovery key: crmdesk recover (add "
                    "--passphrase-stdin to protect it by a passphrase from then on)."
                ) from None
            if found is None:
                raise KeyMissing(
                    f"The {store.describe()} on this computer has no key for this vault "
                    f"(entry {SERVICE}/{entry_name(meta.vault_id)}). If the vault was moved "
                    "here or the entry was deleted, use your recovery key: crmdesk recover."
                )
            key = found
        if not key.matches(meta.vault_id, meta.key_check):
            raise WrongKey(
                "The key found for this vault does not open it (the keyring entry may have "
                "been overwritten). Use your recovery key: crmdesk recover."
            )
        vault = cls._open_with_key(folder, meta, key)
        if meta.key_storage == KeyStorage.KEYRING:
            vault.key_source = store.describe()
        return vault

    @classmethod
    def _open_with_key(cls, folder: Path, meta: VaultMetadata, key: VaultKey) -> Vault:
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
        vault = cls(folder, meta, conn, key)
        try:
            if truncated(conn, db_path):
                raise VaultDamaged(_DAMAGED_ADVICE)
            vault._migrate(to=migrations.LATEST_VERSION, actor=vault.owner.login, record=True)
        except BaseException:
            vault.close()
            raise
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
    ) -> Vault:
        """Open with the recovery key and store the key again on this computer.

        Into the OS keyring, or, with ``new_passphrase``, wrapped by a new passphrase.
        This is how a vault moves to a new laptop or survives a lost keyring entry.
        """
        meta = read_metadata(folder / METADATA_NAME, folder)
        key = recovery.decode(recovery_key)
        if not key.matches(meta.vault_id, meta.key_check):
            raise WrongKey(
                "This recovery key belongs to another vault (or this vault's key was changed "
                "after the recovery kit was printed). Check the vault id on the kit."
            )
        vault = cls._open_with_key(folder, meta, key)
        try:
            vault._store_key(keystore=keystore, new_passphrase=new_passphrase, kdf=kdf)
        except BaseException:
            vault.close()
            raise
        return vault

    def _store_key(
        self,
        *,
        keystore: KeyStore | None,
        new_passphrase: str | None,
        kdf: passphrase.KdfParams,
    ) -> None:
        key = self._require_key()
        meta = self.meta
        if new_passphrase is not None:
            wrapped = passphrase.wrap_key(key, new_passphrase, meta.vault_id, kdf)
            meta.key_storage, meta.passphrase = KeyStorage.PASSPHRASE, wrapped
            meta.keyring_service = meta.keyring_entry = None
            location = "wrapped by the master passphrase"
        else:
            store = keystore if keystore is not None else system_keystore()
            store.put(meta.vault_id, key)
            meta.key_storage, meta.passphrase = KeyStorage.KEYRING, None
            meta.keyring_service, meta.keyring_entry = SERVICE, entry_name(meta.vault_id)
            location = store.describe()
        self.key_source = location
        with self.transaction():
            self.record_event(
                self.owner.login,
                "key.recovered",
                object=meta.vault_id,
                details={"key_storage": meta.key_storage, "key_location": location},
            )
        write_metadata(self.folder / METADATA_NAME, meta)

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
        turned into :class:`VaultDamaged`.
        """
        with self._lock:
            conn = self.connection
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except DatabaseError as exc:
                    _rollback_quietly(conn)
                    raise _translate(exc) from None

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

    def record_event(
        self,
        actor: str,
        action: str,
        *,
        object: str = "",  # noqa: A002
        details: Mapping[str, Any] | None = None,
    ) -> audit.AuditEvent:
        """Append to the audit trail inside the current transaction."""
        return audit.record(
            self.connection,
            self.meta.vault_id,
            actor=actor,
            action=action,
            object=object,
            details=details,
        )

    def verify_audit(self) -> audit.ChainReport:
        with self.reading() as conn:
            return audit.verify(conn, self.meta.vault_id)

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
        )

    def close(self) -> None:
        """Close the connection and overwrite the key bytes held in memory."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(DatabaseError):
                    self._conn.close()
                self._conn = None
            if self._key is not None:
                self._key.wipe()
                self._key = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------

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


def vault_exists(folder: Path) -> bool:
    return (folder / METADATA_NAME).exists()
