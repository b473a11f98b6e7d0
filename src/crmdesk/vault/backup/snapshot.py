"""Copying every file of an open vault (the main database and each book) as one
consistent snapshot, while other processes keep the vault open.

Each file is copied byte for byte, with its WAL up to its last commit, while a second
connection (the *gate*) holds the write lock of every file (``BEGIN IMMEDIATE`` locks
each attached file): no writer is then half-way through a commit and none can start, so
the copies are one cut of the whole vault. Readers go on meanwhile; a writer waits (the
busy timeout, 10 s), never fails. The gate is held for the copying alone: an 800 MB
vault of 100,000 clients about a second from the page cache (``copy_file_range``: the
kernel copies, no page is decrypted or encrypted again). Once it is let go, each copy
folds its WAL in (a checkpoint of the copy) and becomes one file, on worker threads.

Why this is one cut. In WAL mode a committed page is in the database file or in a WAL
frame, and the newest frame of a page wins. Under the gate the WAL's committed frames do
not change: only a writer appends or restarts the WAL, and a checkpoint by another
connection (which may be writing pages of the database file while it is copied) only
copies committed frames into the file, frames the copy of the WAL holds too, which win
over whatever the copy of the file holds for those pages. So the copy is, page for page,
what a reader of that moment sees.

How much of the WAL. The frames to copy are the WAL's committed frames as the vault's own
connection sees them (its passive checkpoint under the gate answers how many there are;
:func:`_committed_frames`); the bytes beyond them (frames of an earlier round of the
WAL, or of a writer that crashed) are not copied. The copy's checkpoint must then find
exactly that many frames: the WAL's checksums chain every frame to the one before, so a
frame damaged on the disk cuts the chain, and the copy is refused
(:class:`~crmdesk.vault.backup.verify.CopyProblem`) instead of silently missing the
vault's last changes.

Pages of the database file are copied as they are, HMACs and all: the backup's checks
then read every page of each copy through the cipher (``verify.py``), which is why a
page damaged in the vault stops the backup. (SQLite's backup API, used before, copied a
page that failed its HMAC as zeros without an error.)
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from crmdesk.errors import BadInput, CannotUnlock, VaultDamaged
from crmdesk.vault.backup.verify import CopyProblem
from crmdesk.vault.books import BOOKS_FOLDER, book_path
from crmdesk.vault.connection import (
    Connection,
    DatabaseError,
    UnreadableDatabase,
    attach_database,
    open_copy,
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

# The WAL's layout (sqlite.org/fileformat2.html#walformat): a header, then frames of a
# header and one page each.
_WAL_HEADER = 32
_FRAME_HEADER = 24

# Another connection's checkpoint holds the checkpoint lock for a moment: the passive
# checkpoint that counts the WAL's frames is tried again meanwhile, this long at most.
_COUNT_FOR_SECONDS = 5.0

# Each read and write of a copy when the kernel cannot copy between the two files.
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class CopiedFile:
    """One file of the vault, copied into the work folder."""

    path: Path  # the copy
    file: str  # its name in the vault folder: crmdesk.db or books/<id>.db
    key_id: str  # "main" or "book:<id>"
    key: VaultKey
    source: Path  # the live file it is a copy of

    @property
    def what(self) -> str:
        """The file, as a message names it."""
        book = self.key_id.partition(":")[2]
        return "the vault's database" if self.key_id == MAIN else f"the vault's book {book}"


class CopyWatcher(Protocol):
    """Told what is copied, so that checks run on other threads meanwhile."""

    def copying(self, files: Sequence[CopiedFile]) -> None:
        """Before the first copy is made one file: every file the snapshot holds."""

    def copied(self, file: CopiedFile) -> None:
        """A file whose copy is complete, one file, and closed (on a worker thread)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    files: list[CopiedFile]  # main first, then each book by id
    keyfile: KeyFile  # keys.json read under the gate


def take_snapshot(vault: UnlockedVault, work: Path, watcher: CopyWatcher | None = None) -> Snapshot:
    """Copy the main database and every book the vault's ``books`` table names into
    ``work``, as one consistent snapshot. Needs every book's key (the owner's).

    ``watcher`` hears of the files before they are made whole and of each file as soon as
    its copy is, so that checks can run while the others are finished.
    Raises :class:`CopyProblem` when a file's WAL does not check out.
    """
    # Under the vault's lock (reading): its one connection serves one thread.
    with vault.reading() as conn:
        for _ in range(_ATTEMPTS):
            _attach_books_made_since(vault, conn)
            taken = _try_once(vault, conn, work)
            if taken is not None:
                break
        else:
            raise BadInput(
                "Books kept being added to the vault while the backup was made; try again "
                "in a moment. Nothing was written.",
                code="backup.books_changing",
            )
    snapshot, frames = taken
    if watcher is not None:
        watcher.copying(snapshot.files)
    # Each copy made one file on its own thread, the largest first: its checks are the
    # longest and begin as soon as it is whole.
    order = sorted(snapshot.files, key=lambda f: f.path.stat().st_size, reverse=True)
    with ThreadPoolExecutor(max_workers=min(2, len(order))) as pool:
        for done in [pool.submit(_make_whole, f, frames[f.key_id], watcher) for f in order]:
            done.result()
    return snapshot


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
    vault: UnlockedVault, conn: Connection, work: Path
) -> tuple[Snapshot, dict[str, int]] | None:
    """Every file copied under the gate; with each file's committed WAL frames. None when
    a book was made meanwhile (attach it and begin again)."""
    schemas = dict(vault.books.schemas)  # book id -> schema on conn
    main_key = vault.held.main
    if main_key is None:
        raise CannotUnlock("The vault is locked. Unlock it again to continue.", code="vault.locked")
    gate = _gate(vault, main_key, schemas)
    try:
        named = {str(r[0]) for r in gate.execute("SELECT id FROM main.books")}
        if named - schemas.keys():
            return None
        # keys.json under the gate: each change writes it before the database, so it
        # holds every slot and key the copies name (as after a crash at that point).
        keyfile = vault.keyfile()
        files = [
            CopiedFile(
                work / DATABASE_NAME, DATABASE_NAME, MAIN, main_key, vault.folder / DATABASE_NAME
            )
        ]
        schema_of = {MAIN: "main"}
        for book_id in sorted(named):
            (work / BOOKS_FOLDER).mkdir(mode=0o700, exist_ok=True)
            name = f"{BOOKS_FOLDER}/{book_id}.db"
            key = vault.held.current[book_key_id(book_id)]
            live = book_path(vault.folder, book_id)
            files.append(CopiedFile(work / name, name, book_key_id(book_id), key, live))
            schema_of[files[-1].key_id] = schemas[book_id]
        frames = {f.key_id: _committed_frames(conn, schema_of[f.key_id]) for f in files}
        page_size = {
            f.key_id: int(conn.execute(f"PRAGMA {schema_of[f.key_id]}.page_size").fetchone()[0])
            for f in files
        }
        # Two files at a time: the kernel's copy of one is work for one core.
        with ThreadPoolExecutor(max_workers=2) as pool:
            copies = [
                pool.submit(_copy_file, f, frames[f.key_id], page_size[f.key_id]) for f in files
            ]
            for copy in copies:
                copy.result()
    finally:
        with contextlib.suppress(DatabaseError):
            gate.execute("ROLLBACK")
        gate.close()
    return Snapshot(files, keyfile), frames


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


def _committed_frames(conn: Connection, schema: str) -> int:
    """How many frames of the file's WAL are committed, as the vault's connection sees
    them; called under the gate, so that no commit adds any meanwhile.

    A passive checkpoint answers it (and copies what it can into the file, as SQLite does
    after commits anyway). It does not wait for anyone: while another connection's
    checkpoint holds the lock it answers busy, and is asked again.
    """
    deadline = time.monotonic() + _COUNT_FOR_SECONDS
    while True:
        busy, frames, _ = conn.execute(f"PRAGMA {schema}.wal_checkpoint(PASSIVE)").fetchone()
        if frames >= 0:
            return int(frames)
        if not busy:
            return 0  # not in WAL mode: the file alone is the database
        if time.monotonic() > deadline:
            raise BadInput(
                "Another program kept the vault busy while the backup was made; try again "
                "in a moment. Nothing was written.",
                code="backup.vault_busy",
            )
        time.sleep(0.005)  # the other checkpoint ends within milliseconds


def _copy_file(file: CopiedFile, frames: int, page_size: int) -> None:
    """The live file and its WAL's committed frames, byte for byte, into the work folder."""
    try:
        _copy_bytes(file.source, file.path, None)
        if frames:
            wal = _wal(file.source)
            size = _WAL_HEADER + frames * (_FRAME_HEADER + page_size)
            if wal.stat().st_size < size:
                raise CopyProblem(f"the WAL of {file.what} is shorter than its committed frames")
            _copy_bytes(wal, _wal(file.path), size)
    except OSError as exc:
        raise BadInput(
            f"Cannot write the backup beside its destination: {exc.strerror or exc}.",
            code="backup.unwritable",
        ) from None


def _copy_bytes(source: Path, dest: Path, size: int | None) -> None:
    """``size`` bytes of ``source`` (all of it when None) into the new private file
    ``dest``; by the kernel where it can copy between the two (no pass through Python)."""
    kernel_copy = getattr(os, "copy_file_range", None)  # Linux only
    with open(source, "rb") as src:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        with open(os.open(dest, flags, 0o600), "wb") as out:
            left = os.fstat(src.fileno()).st_size if size is None else size
            with contextlib.suppress(OSError):  # across file systems, or not supported
                while kernel_copy is not None and left > 0:
                    copied = kernel_copy(src.fileno(), out.fileno(), left)
                    if copied == 0:
                        break  # the file ends here (it shrank meanwhile)
                    left -= copied
            if left > 0:
                src.seek(out.seek(0, os.SEEK_END))
                while left > 0:
                    chunk = src.read(min(left, _CHUNK))
                    if not chunk:
                        break
                    out.write(chunk)
                    left -= len(chunk)


def _make_whole(file: CopiedFile, frames: int, watcher: CopyWatcher | None) -> None:
    """The copy's WAL folded into it (a checkpoint of the copy), the copy left one file
    in rollback-journal mode; then ``watcher`` hears of it."""
    what = file.what
    try:
        conn = open_copy(file.path, file.key)
    except UnreadableDatabase:
        raise CopyProblem(f"the copy of {what} does not open with its key") from None
    try:
        if frames:
            # The copy's own WAL index is rebuilt from its WAL: every frame up to the last
            # whose checksum chain holds. Fewer than were committed: a frame is damaged.
            # (Passive: it answers the frames it found and folded in; no one else has the
            # copy open, so it folds in all of them. A truncating one answers 0 and 0.)
            _, found, folded = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if found != frames or folded != frames:
                raise CopyProblem(
                    f"the last changes of {what}, in its WAL, fail their checksums "
                    "(damaged on the disk or altered)"
                )
        # The file says WAL mode (its first page came from the vault); a rollback journal
        # leaves no -wal or -shm beside it.
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except DatabaseError as exc:
        raise CopyProblem(f"the copy of {what} cannot be read ({exc})") from None
    finally:
        conn.close()
    if str(mode).lower() != "delete":
        raise CopyProblem(f"the copy of {what} kept journal mode {mode}")
    if watcher is not None:
        watcher.copied(file)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")
