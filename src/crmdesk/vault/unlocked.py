"""An unlocked vault in use: its connection, its books, transactions, reads, audit events.

:class:`UnlockedVault` is what every way into a vault ends with: one person's key slot
opened, the data keys their grants hold, the main database open with the main key and
the books they hold attached, each with its own key. :class:`~crmdesk.vault.vault.Vault`
adds the ways in (create, open, sign in, recover) on top; the modules that change keys
(:mod:`.people_keys`, :mod:`.rotation`) work on this class, so none of them imports the
module that imports them.

Several processes may have one vault open at once (the app and the command line): each
holds the shared open lock (:mod:`crmdesk.vault.locks`), SQLite serialises their writes,
and ``vault.json`` and ``keys.json`` are only ever changed under their lock, re-read
fresh each time.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from crmdesk import audit
from crmdesk.errors import CannotUnlock, NewerVault, VaultDamaged
from crmdesk.vault import crash, migrations
from crmdesk.vault.audit_head import VIEW_ACTIONS, AuditHeadWriter, Head, read_recorded_head
from crmdesk.vault.books import AttachedBooks, RedoSeal
from crmdesk.vault.connection import (
    BOOK_CACHE_SIZE,
    CACHE_SIZE,
    Connection,
    DatabaseError,
    UnreadableDatabase,
    open_database,
    truncated,
)
from crmdesk.vault.keys.keyfile import KeyFile, read_keyfile
from crmdesk.vault.keys.keystore import KeyStore
from crmdesk.vault.keys.person import PersonPublic, PersonSecret
from crmdesk.vault.keys.slots import AUDIT, HeldKeys, book_key_id
from crmdesk.vault.keys.vault_key import VaultKey
from crmdesk.vault.locks import OpenLock
from crmdesk.vault.metadata import VaultMetadata
from crmdesk.vault.owner import Owner
from crmdesk.vault.paths import DATABASE_NAME
from crmdesk.vault.protection import describe

DAMAGED_ADVICE = (
    "The vault's database file is damaged, truncated or was tampered with. Its files were "
    "left as they are: restore the vault folder from your latest backup."
)


@dataclass(slots=True)
class Person:
    """Who opened the vault: their login, key serial and slot secret (to sign with)."""

    login: str
    serial: int
    secret: PersonSecret

    @property
    def public(self) -> PersonPublic:
        return self.secret.public(self.login, self.serial)

    def sign(self, message: bytes) -> bytes:
        return self.secret.sign(message)


class UnlockedVault:
    """An unlocked vault. Get one through ``Vault.create``, ``open``, ``sign_in``, ``recover``."""

    def __init__(
        self,
        folder: Path,
        meta: VaultMetadata,
        conn: Connection,
        held: HeldKeys,
        person: Person | None,
        open_lock: OpenLock | None = None,
    ):
        self.folder = folder
        # What vault.json said when last read or written by this object. Never written
        # back as a whole: other processes may have changed it since.
        self.meta = meta
        self._conn: Connection | None = conn
        # The data keys this person's grants opened; wiped at close.
        self.held = held
        # Who opened it (None only for a vault of the old format being upgraded).
        self.person = person
        self.books = AttachedBooks()
        # Held shared until close; changing a key of a file needs it alone.
        self._open_lock = open_lock if open_lock is not None else OpenLock(None)
        # One connection, used by one thread at a time: the services' operations layer
        # runs database work on a worker thread, the CLI on the main one.
        self._lock = threading.RLock()
        # How the person's slot was opened, e.g. "Secret Service", "password"; and the
        # key store it came from, if any (to forget the vault's entry there later).
        self.key_source = "OS keyring"
        self.keystore: KeyStore | None = None
        # The newest audit entry of the transaction under way; written to vault.json
        # once it has committed.
        self._tx_head: Head | None = None
        # Whether every audit event of that transaction only records a view (its head
        # may then go to audit-head.log instead of vault.json: :mod:`.audit_head`).
        self._tx_views_only = True
        self._head_writer = AuditHeadWriter(folder)
        # Set when this open made a new recovery key nobody has seen yet.
        self._unshown_recovery_key: str | None = None
        # Counts write transactions begun: tells code inside one whether it is still the
        # same one (the client store never deletes redo rows its own transaction wrote).
        self.transactions = 0

    @classmethod
    def _open_with_keys(
        cls,
        folder: Path,
        meta: VaultMetadata,
        held: HeldKeys,
        person: Person | None,
        lock: OpenLock,
        *,
        main_key: VaultKey | None = None,
    ) -> Self:
        """Open the main database with a key already checked against keys.json, attach
        the books this person holds, and migrate the main schema."""
        key = main_key if main_key is not None else held.main
        if key is None:
            raise CannotUnlock(
                "Your key slot holds no key to this vault's database: ask the vault's "
                "owner to give you access again.",
                code="key.no_main",
            )
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
            # The key is right (checked against keys.json), so the file is at fault.
            raise VaultDamaged(DAMAGED_ADVICE, code="vault.damaged.database") from None
        vault = cls(folder, meta, conn, held, person, lock)
        try:
            if truncated(conn, db_path):
                raise VaultDamaged(DAMAGED_ADVICE, code="vault.damaged.database")
            actor = person.login if person is not None else vault.owner.login
            vault._migrate(to=migrations.LATEST_VERSION, actor=actor, record=True)
            vault.attach_held_books()
        except BaseException:
            vault.close()
            raise
        return vault

    # -- keys and books ---------------------------------------------------------------

    def keyfile(self) -> KeyFile:
        """keys.json as it is on disk now."""
        return read_keyfile(self.folder)

    def attach_held_books(self) -> None:
        """Attach every book this person holds a key to (and only those)."""
        with self._lock:
            for book_id, key in sorted(self.held.books().items()):
                self.books.attach(self.connection, self.folder, self.meta.vault_id, book_id, key)

    def book_schema(self, book_id: str) -> str | None:
        """The schema a held book is attached under; None if this person does not hold it."""
        return self.books.schema(book_id)

    def held_books(self) -> dict[str, str]:
        """Book id -> schema name, for every book attached (that this person holds)."""
        return dict(self.books.schemas)

    def redo_seal(self, book_id: str) -> RedoSeal | None:
        """What seals a book's changes for the main database's redo log; None if this
        person does not hold the book."""
        key = self.held.current.get(book_key_id(book_id))
        if key is None or self.books.schema(book_id) is None:
            return None
        return RedoSeal(key, self.meta.vault_id, book_id)

    def holds(self, key_id: str) -> bool:
        return key_id in self.held.current or (key_id == AUDIT and bool(self.held.audit))

    def holds_book(self, book_id: str) -> bool:
        return self.holds(book_key_id(book_id))

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
        one becomes the head recorded outside the database once the commit has succeeded
        (in vault.json; in audit-head.log when the transaction only recorded views).

        A transaction that writes the main database and a book commits them one after
        the other (SQLite in WAL mode commits attached files one by one, main first):
        the client store's redo log makes that safe.
        """
        committed: Head | None = None
        with self._lock:
            conn = self.connection
            conn.execute("BEGIN IMMEDIATE")
            self.transactions += 1
            self._tx_head = None
            self._tx_views_only = True
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
                views_only = self._tx_views_only
        if committed is not None:
            crash.point("audit:committed")
            # Only after COMMIT: vault.json must never name an entry that did not commit.
            self._save_audit_head(committed, view_only=views_only)

    @contextlib.contextmanager
    def bulk_writes(self, cache_mib: int = 512) -> Iterator[None]:
        """A larger page cache while thousands of records go in (demo data, imports).

        Index pages of a growing file fall out of the normal 64 MiB cache and are then
        read, decrypted and encrypted again; keeping them costs memory only meanwhile.
        Each book held gets half as much (an export of every client reads the books'
        rows in list order, not in storage order).
        """
        with self._page_cache(cache_mib):
            yield

    @contextlib.contextmanager
    def bulk_reads(self, cache_mib: int = 8) -> Iterator[None]:
        """A smaller page cache while every client of a list is read once (a printed list).

        The usual cache fills with pages such a read never asks for again, and is held at
        the report's peak: 80 MB of the 100,000-client list's. 8 MiB still holds the index
        pages its queries walk again: reading those 100,000 clients took 1.7 s of CPU
        against 1.4 s with the usual cache.
        """
        with self._page_cache(cache_mib):
            yield

    @contextlib.contextmanager
    def _page_cache(self, cache_mib: int) -> Iterator[None]:
        """The main file's page cache at ``cache_mib`` MiB and each book's at half, for
        the block; the usual sizes again afterwards."""
        books = sorted(self.books.schemas.values())
        with self._lock:
            self.connection.execute(f"PRAGMA cache_size = {-int(cache_mib) * 1024}")
            for schema in books:
                self.connection.execute(f"PRAGMA {schema}.cache_size = {-int(cache_mib) * 512}")
        try:
            yield
        finally:
            with self._lock:
                if self._conn is not None:
                    self._conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
                    for schema in books:
                        if schema in self.books.schemas.values():  # still attached
                            self._conn.execute(f"PRAGMA {schema}.cache_size = {BOOK_CACHE_SIZE}")

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
        signer: Person | None = None,
        at: datetime | None = None,
    ) -> audit.AuditEvent:
        """Append to the audit trail inside the current transaction, signed by the person
        who opened the vault, or by ``signer`` when another person vouches for the entry
        themselves (their key opened with their password on the spot, e.g. an owner's
        approval). ``details`` are recorded as given: sealing value-added content is the
        caller's job (:mod:`crmdesk.services.audit_sealing`)."""
        event = audit.record(
            self.connection,
            self.meta.vault_id,
            actor=actor,
            action=action,
            object=object,
            details=details,
            signer=signer if signer is not None else self.person,
            now=at,  # an entry copied from another device's trail keeps its own time
        )
        self._tx_head = (event.seq, event.hash)
        self._tx_views_only = self._tx_views_only and action in VIEW_ACTIONS
        return event

    def verify_audit(
        self,
        *,
        keys: audit.KeyLookup | None = None,
        unseal: audit.Unsealer | None = None,
        checkpoint: audit.Checkpoint | None = None,
        rehash: bool = True,
    ) -> audit.ChainReport:
        """Walk the audit chain and compare its end with the head recorded outside the
        database (the newer of vault.json's and audit-head.log's: :mod:`.audit_head`).

        The head is read first: every entry it names committed before it was written,
        so the walk, which starts afterwards, must find it. A head in the file that lags
        behind the database (another process has not written its head yet) is fine; a
        head missing from a vault of the current format is not.

        ``keys`` (the person keys the vault vouches for; the services know which) makes
        the walk check every entry's signature too; ``unseal`` opens resealed details
        for the holder of the audit key (:mod:`crmdesk.audit.verify`); ``checkpoint``
        and ``rehash``: where signatures were already checked, and whether the entries
        before it are rehashed (:mod:`crmdesk.audit.checkpoint` says what each trusts).
        """
        recorded, required = read_recorded_head(self.folder)
        with self.reading() as conn:
            return audit.verify(
                conn,
                self.meta.vault_id,
                recorded_head=recorded,
                head_required=required,
                keys=keys,
                unseal=unseal,
                checkpoint=checkpoint,
                rehash=rehash,
            )

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
        """How the vault's keys are held, in words: for status lines and ``crmdesk status``."""
        return describe(self.keyfile(), self.key_source)

    def close(self) -> None:
        """Close the connection, overwrite the key bytes held in memory, drop the lock."""
        if self._conn is not None:
            # vault.json gets the newest head this object left in audit-head.log only.
            self._head_writer.flush(self.meta, self._keep_metadata, self._trail_holds)
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(DatabaseError):
                    self._conn.close()
                self._conn = None
            self.books.schemas.clear()
            self.held.wipe()
            self.person = None
            self._unshown_recovery_key = None
            self._open_lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------

    def _save_audit_head(self, head: Head, *, view_only: bool = False) -> None:
        """Record a committed audit head outside the database (in audit-head.log when
        ``view_only``, else in vault.json); it only ever moves forward, and never past a
        recorded head the trail no longer holds (:mod:`.audit_head`)."""
        self._head_writer.save(
            head, self.meta, self._keep_metadata, self._trail_holds, view_only=view_only
        )

    def _trail_holds(self, head: Head) -> bool:
        """The trail still has entry ``head[0]``, with hash ``head[1]``."""
        with self._lock:
            if self._conn is None:
                return False
            try:
                row = self._conn.execute(
                    "SELECT hash FROM audit_events WHERE seq = ?", (head[0],)
                ).fetchone()
            except DatabaseError:
                return False
        return row is not None and row[0] == head[1]

    def _keep_metadata(self, meta: VaultMetadata) -> None:
        self.meta = meta

    def _migrate(self, *, to: int, actor: str, record: bool) -> None:
        with self.reading() as conn:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > migrations.LATEST_VERSION:
            raise NewerVault(
                f"This vault's database was upgraded by a newer crmdesk (schema {current}; "
                f"this version knows up to {migrations.LATEST_VERSION}). Update crmdesk.",
                code="vault.newer.schema",
            )
        # A vault from before books (schema 3 to 6) keeps its value-added columns until
        # the upgrade has copied them into its books (the client store drops them then).
        keep = migrations.holds_records(current)
        steps = migrations.pending(current, to, keep_value_added=keep)
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
