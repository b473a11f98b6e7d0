"""Copying every file of an open vault (the main database and each book) as one
consistent snapshot, while other processes keep writing.

Each file is copied with SQLite's online backup API from the vault's own connection,
into a new file keyed with that file's key, all inside ONE read transaction: SQLite's
backup API reads from a source connection that is in a read transaction under that
transaction's snapshot (it starts its own only when none is open), so every part is
the state its snapshot saw.

In WAL mode each file has its own snapshot, taken at the first read of that file in the
transaction, and a writer's transaction that touches main and a book commits them one by
one. So that the snapshots form one cut, they are all taken while a second connection
(the *gate*) holds the write lock of every file (``BEGIN IMMEDIATE`` locks each attached
file): no writer is then half-way through a commit, and none can start. The gate is let
go as soon as the snapshots exist, a few milliseconds; the copying itself runs while
others write. A writer waits meanwhile (the busy timeout), never fails.

The main database is copied from a connection of its own (the *side*), on another
thread while the vault's connection copies the books: its read transaction begins
under the same gate, so it sees the very state the vault's connection sees of main.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from crmdesk.errors import BadInput, CannotUnlock, VaultDamaged
from crmdesk.vault.books import BOOKS_FOLDER, book_path
from crmdesk.vault.connection import (
    Connection,
    DatabaseError,
    UnreadableDatabase,
    attach_database,
    open_copy_target,
    open_database,
)
from crmdesk.vault.keys.keyfile import KeyFile
from crmdesk.vault.keys.slots import MAIN, HeldKeys, book_key_id
from crmdesk.vault.keys.vault_key import VaultKey
from crmdesk.vault.paths import DATABASE_NAME
from crmdesk.vault.unlocked import UnlockedVault

# A book made by another process between two attempts is attached and the copy begun
# again; more than this many in a row means something keeps making them.
_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class CopiedFile:
    """One file of the vault, copied into the work folder."""

    path: Path  # the copy
    file: str  # its name in the vault folder: crmdesk.db or books/<id>.db
    key_id: str  # "main" or "book:<id>"
    key: VaultKey
    source: Path  # the live file it is a copy of


class CopyWatcher(Protocol):
    """Told what is copied, so that checks run on other threads meanwhile."""

    def copying(self, files: Sequence[CopiedFile]) -> None:
        """Before the first copy: every file the snapshot holds."""

    def copied(self, file: CopiedFile) -> None:
        """A file whose copy is complete and closed (main's on another thread)."""

    def settle(self) -> None:
        """Every file is copied and the snapshot is about to be let go: return once
        what must read the live files while it is held is done."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    files: list[CopiedFile]  # main first, then each book by id
    keyfile: KeyFile  # keys.json read once the snapshot existed


def take_snapshot(vault: UnlockedVault, work: Path, watcher: CopyWatcher | None = None) -> Snapshot:
    """Copy the main database and every book the vault's ``books`` table names into
    ``work``, as one consistent snapshot. Needs every book's key (the owner's).

    ``watcher`` hears of the files before they are copied and of each file as soon as
    its copy is complete, so that checks can run while the next file is copied.
    """
    # Under the vault's lock (reading): its one connection serves one thread, and the read
    # transaction must not meet another thread's statements.
    with vault.reading() as conn:
        for _ in range(_ATTEMPTS):
            _attach_books_made_since(vault, conn)
            taken = _try_once(vault, conn, work, watcher)
            if taken is not None:
                return taken
    raise BadInput(
        "Books kept being added to the vault while the backup was made; try again in a "
        "moment. Nothing was written.",
        code="backup.books_changing",
    )


def _attach_books_made_since(vault: UnlockedVault, conn: Connection) -> None:
    """A book made by another process after this vault was opened: its key, granted to
    this person in keys.json since, opened and the book attached."""
    named = [str(r[0]) for r in conn.execute("SELECT id FROM books ORDER BY id")]
    missing = [b for b in named if vault.book_schema(b) is None]
    if not missing or vault.person is None:
        if missing:
            raise CannotUnlock(
                "A backup needs the owner's keys to every book.", code="backup.books_not_held"
            )
        return
    keyfile = vault.keyfile()
    slot = keyfile.slot(vault.person.login)
    fresh = HeldKeys.open(keyfile, slot, vault.person.secret) if slot is not None else HeldKeys()
    try:
        for book_id in missing:
            key = fresh.current.pop(book_key_id(book_id), None)
            if key is None:
                raise CannotUnlock(
                    f"A backup copies every book, and your key slot holds no key to the book "
                    f"{book_id}: only the vault's owner makes backups.",
                    code="backup.books_not_held",
                )
            vault.held.current[book_key_id(book_id)] = key
            vault.books.attach(conn, vault.folder, vault.meta.vault_id, book_id, key)
    finally:
        fresh.wipe()


def _try_once(
    vault: UnlockedVault,
    conn: Connection,
    work: Path,
    watcher: CopyWatcher | None,
) -> Snapshot | None:
    schemas = dict(vault.books.schemas)  # book id -> schema
    main_key = vault.held.main
    if main_key is None:
        raise CannotUnlock("The vault is locked. Unlock it again to continue.", code="vault.locked")
    # Opened before the gate: opening it reads (and may write) the file.
    side = _open_main(vault, main_key) if schemas else None
    try:
        return _copy_all(vault, conn, side, work, watcher, schemas, main_key)
    finally:
        if side is not None:
            side.close()


def _copy_all(
    vault: UnlockedVault,
    conn: Connection,
    side: Connection | None,
    work: Path,
    watcher: CopyWatcher | None,
    schemas: dict[str, str],
    main_key: VaultKey,
) -> Snapshot | None:
    readers = [conn] if side is None else [conn, side]
    gate = _gate(vault, main_key, schemas)
    try:
        began: list[Connection] = []
        try:
            # The first read of each file in this transaction fixes its snapshot.
            conn.execute("BEGIN")
            began.append(conn)
            named = {str(r[0]) for r in conn.execute("SELECT id FROM main.books")}
            for schema in schemas.values():
                conn.execute(f"SELECT count(*) FROM {schema}.sqlite_master").fetchone()
            if side is not None:
                side.execute("BEGIN")
                began.append(side)
                side.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            for reader in began:
                reader.execute("ROLLBACK")
            raise
    finally:
        with contextlib.suppress(DatabaseError):
            gate.execute("ROLLBACK")
        gate.close()
    try:
        if named - schemas.keys():
            return None  # a book made meanwhile: attach it and begin again
        # keys.json after the snapshot: each change writes it before the database, so
        # it holds every slot and key the snapshot names (as after a crash at that point).
        keyfile = vault.keyfile()
        files = [
            CopiedFile(
                work / DATABASE_NAME, DATABASE_NAME, MAIN, main_key, vault.folder / DATABASE_NAME
            )
        ]
        sources = {MAIN: "main"}  # key id -> schema on conn
        for book_id in sorted(named):
            key = vault.held.current[book_key_id(book_id)]
            (work / BOOKS_FOLDER).mkdir(mode=0o700, exist_ok=True)
            name = f"{BOOKS_FOLDER}/{book_id}.db"
            live = book_path(vault.folder, book_id)
            files.append(CopiedFile(work / name, name, book_key_id(book_id), key, live))
            sources[files[-1].key_id] = schemas[book_id]
        # The largest book first: each file's checks run on other threads from the end of
        # its copy, so what is left once the last copy ends is that file's checks, and
        # those of the smallest file are the shortest.
        pages = {s: _page_count(conn, s) for s in sources.values()}
        jobs = sorted(
            ((f, sources[f.key_id]) for f in files), key=lambda j: pages[j[1]], reverse=True
        )
        if watcher is not None:
            watcher.copying(files)
        if side is None:
            _copy_each(conn, jobs, watcher)
        else:
            # Main from the side connection on another thread while the vault's connection
            # copies the books (a 100,000-client vault: a 320 MB main database, a 520 MB
            # book; the copy is work for a core, and SQLite lets go of Python's lock).
            with ThreadPoolExecutor(max_workers=1) as other:
                main = other.submit(_copy_each, side, [(files[0], "main")], watcher)
                _copy_each(conn, [j for j in jobs if j[0].key_id != MAIN], watcher)
                main.result()
        if watcher is not None:
            watcher.settle()
    finally:
        for reader in readers:
            reader.execute("ROLLBACK")  # a read transaction: nothing to keep
    return Snapshot(files, keyfile)


def _copy_each(
    conn: Connection, jobs: Sequence[tuple[CopiedFile, str]], watcher: CopyWatcher | None
) -> None:
    """Each file from its schema on ``conn``, one after another."""
    for file, schema in jobs:
        _copy(conn, schema, file)
        if watcher is not None:
            watcher.copied(file)


def _open_main(vault: UnlockedVault, main_key: VaultKey) -> Connection:
    try:
        return open_database(vault.folder / DATABASE_NAME, main_key)
    except UnreadableDatabase:
        raise VaultDamaged(
            "The vault's database could not be opened a second time.", code="vault.damaged.database"
        ) from None


def _gate(vault: UnlockedVault, main_key: VaultKey, schemas: dict[str, str]) -> Connection:
    """A second connection holding the write lock of every file until let go."""
    gate = _open_main(vault, main_key)
    try:
        for book_id, schema in schemas.items():
            key = vault.held.current[book_key_id(book_id)]
            attach_database(gate, book_path(vault.folder, book_id), schema, key)
        gate.execute("BEGIN IMMEDIATE")
    except BaseException:
        gate.close()
        raise
    return gate


def _page_count(conn: Connection, schema: str) -> int:
    return int(conn.execute(f"PRAGMA {schema}.page_count").fetchone()[0])


def _copy(conn: Connection, schema: str, copied: CopiedFile) -> None:
    """The online backup of one file into its copy, each page written once."""
    try:
        # No journal and no fsync for the copy (see open_copy_target): the container
        # built from it is what is made durable, and a crash leaves only the work folder.
        target = open_copy_target(copied.path, copied.key)
    except UnreadableDatabase as exc:
        raise BadInput(
            f"Cannot write the backup beside its destination: {exc}.", code="backup.unwritable"
        ) from None
    try:
        conn.backup(target, pages=-1, name=schema)
        # The copy's first page came from the source and names WAL mode, which the copy
        # takes up at its next read; a rollback journal rewrites that page (through a WAL
        # holding just it) and leaves no -wal or -shm beside it.
        mode = target.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise VaultDamaged(
                f"The copy kept journal mode {mode}; no backup was written.",
                code="backup.copy_journal",
            )
    finally:
        target.close()
