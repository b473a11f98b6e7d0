"""Making a backup: a consistent, verified copy of an open vault in one signed file.

Every file of the vault (the main database and each book) is copied byte for byte as
one snapshot (:mod:`.snapshot`), while other processes keep the vault open; every page
of each copy passes its HMAC check and SQLite's check on a fresh read-only connection
(on worker threads, one lane per file) before it is packed with ``vault.json``'s fields
and the whole ``keys.json``, and the header is signed by the owner who made it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crmdesk import audit
from crmdesk.errors import BadInput, CannotUnlock, NotAllowed, VaultDamaged
from crmdesk.vault.backup.container import Part, file_digest, signed_prefix, write_container
from crmdesk.vault.backup.snapshot import CopiedFile, Snapshot, take_snapshot
from crmdesk.vault.backup.verify import (
    CopyFacts,
    CopyProblem,
    check_pages,
    verify_book,
    verify_copy,
)
from crmdesk.vault.keys.keyfile import KeyFile
from crmdesk.vault.keys.person import b64
from crmdesk.vault.keys.slots import MAIN
from crmdesk.vault.metadata import read_metadata
from crmdesk.vault.paths import METADATA_NAME
from crmdesk.vault.unlocked import Person, UnlockedVault


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """A backup just written and verified."""

    path: Path
    size: int
    sha256: str
    made_at: str
    vault_id: str
    schema_version: int
    audit_length: int
    audit_head: str
    books: int


def write_backup(
    vault: UnlockedVault,
    dest: Path,
    *,
    force: bool = False,
    audit_checkpoint: audit.Checkpoint | None = None,
) -> BackupInfo:
    """Copy the open ``vault`` into the backup file ``dest``, verified and signed by the
    owner who has it open; never half-written.

    Refuses an existing ``dest`` unless ``force``. The copy is one snapshot of the
    committed state of every file, taken while other processes may write.
    """
    dest = Path(os.path.abspath(dest))
    _check_destination(dest, force)
    person = vault.person
    if person is None:
        raise CannotUnlock("The vault is locked. Unlock it again to continue.", code="vault.locked")
    owner = vault.owner.login
    if person.login.casefold() != owner.casefold():
        # A restore accepts only the owner's signature (the owner's key is what the
        # restoring owner can check it against), and only the owner holds every key.
        raise NotAllowed(
            "Only the vault's owner makes backups: they are signed by the owner.",
            code="backup.owner_only",
        )
    vault_id = vault.meta.vault_id
    meta = read_metadata(vault.folder / METADATA_NAME, vault.folder)  # fresh from disk
    if meta.vault_id != vault_id:
        raise CannotUnlock(
            "vault.json no longer names the vault that is open (it was changed elsewhere). "
            "Close crmdesk, open the vault again, then make the backup.",
            code="backup.key_changed",
        )
    work = Path(tempfile.mkdtemp(prefix=".crmdesk-backup-", dir=dest.parent))
    try:
        made_at = datetime.now(UTC).isoformat(timespec="seconds")  # the snapshot's time
        with _PartChecks(vault_id, audit_checkpoint) as checks:
            with _unverified():  # a WAL whose checksums do not hold
                snapshot = take_snapshot(vault, work, checks)
            _check_keyfile(snapshot.keyfile, person)
            facts, parts = checks.header_facts(snapshot)
            _check_against_live(vault, facts)
            prefix = signed_prefix(
                person,
                made_at=made_at,
                vault=meta.to_json(),
                owner=owner,
                keys=snapshot.keyfile.to_json(),
                schema_version=facts.schema_version,
                audit_head=facts.audit_head,
                parts=parts,
            )
            # Written while the checks of the books may still run; put in place only
            # once every check has passed.
            files = [f.path for f in snapshot.files]
            size, sha = write_container(dest, prefix, files, force=force, vouch=checks.vouch)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    head = facts.audit_head
    return BackupInfo(
        path=dest,
        size=size,
        sha256=sha,
        made_at=made_at,
        vault_id=vault_id,
        schema_version=facts.schema_version,
        audit_length=head[0] if head else 0,
        audit_head=head[1] if head else "",
        books=len(parts) - 1,
    )


def _check_destination(dest: Path, force: bool) -> None:
    if dest.is_dir():
        raise BadInput(
            f"{dest} is a folder. Give the backup's file name, e.g. {dest / 'x'}.",
            code="backup.is_folder",
            path=dest,
        )
    if not dest.parent.is_dir():
        raise BadInput(
            f"The folder {dest.parent} does not exist. Create it first.",
            code="folder.missing",
            path=dest.parent,
        )
    if dest.exists() and not force:
        raise BadInput(
            f"{dest} already exists; a backup never overwrites a file. Choose another name.",
            code="backup.exists",
            path=dest,
        )


def _check_keyfile(keyfile: KeyFile, person: Person) -> None:
    """keys.json must hold the key slot whose key signs the header, and no key change
    cut short: the restoring owner opens that slot and checks the signature with it."""
    slot = keyfile.slot(person.login)
    if (
        slot is None
        or slot.serial != person.serial
        or slot.sign_public != b64(person.public.sign_public)
    ):
        raise CannotUnlock(
            "Your keys were renewed in another window or command since this vault was "
            "opened. Close crmdesk, open the vault again, then make the backup.",
            code="backup.keys_renewed",
        )
    if keyfile.state.get("upgrading") or any(info.pending for info in keyfile.keys.values()):
        raise CannotUnlock(
            "A change of the vault's keys is under way or was cut short. Close crmdesk "
            "everywhere and open the vault again (that settles it), then make the backup.",
            code="backup.rotation_under_way",
        )


class _PartChecks:
    """The checks of a backup, on worker threads while the other files are copied and
    checked (SQLite and hashlib let go of Python's lock while they work).

    Each copy (byte for byte: snapshot.py) gets the HMAC check of its every page, free
    pages too (:func:`check_pages`), and SQLite's structure check; the main database's
    also its SHA-256 and its audit chain. The books' hashes are taken by the thread that
    made the snapshot (:meth:`header_facts`), so that the largest book's checks, the
    longest lane of a large vault, begin as soon as its copy is whole.

    Each file's checks are one lane on one thread, so that two cores each carry one
    lane. The backup file is written once main's copy is checked (its header holds what
    that copy says), while the books' copies may still be checked; it is put in place
    only once every check has passed.
    """

    def __init__(self, vault_id: str, checkpoint: audit.Checkpoint | None) -> None:
        self._vault_id = vault_id
        self._checkpoint = checkpoint
        self._pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1))
        self._checked: dict[str, Future[CopyFacts | None]] = {}
        self._hashed: dict[str, Future[tuple[int, str]]] = {}

    def __enter__(self) -> _PartChecks:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        # After a failure the checks not yet begun are dropped; the work folder is removed
        # only once none is left running.
        self._pool.shutdown(wait=True, cancel_futures=kind is not None)

    def copying(self, files: Sequence[CopiedFile]) -> None:
        for file in files:  # known before any lane runs: header_facts and vouch wait on them
            self._checked[file.key_id] = Future()
            if file.key_id == MAIN:
                self._hashed[MAIN] = Future()

    def copied(self, file: CopiedFile) -> None:
        pages: Future[None] = Future()
        steps: list[tuple[Future[Any], Callable[[], Any]]] = [
            (pages, lambda: check_pages(file.path, file.key, file.what)),
            (self._checked[file.key_id], lambda: self._check_copy(file)),
        ]
        if file.key_id == MAIN:
            steps.insert(1, (self._hashed[MAIN], lambda: file_digest(file.path)))
        self._pool.submit(_lane, steps)

    def _check_copy(self, copied: CopiedFile) -> CopyFacts | None:
        if copied.key_id != MAIN:
            book_id = copied.key_id.partition(":")[2]
            verify_book(copied.path, copied.key, self._vault_id, book_id, every_hmac=False)
            return None
        # The copy's trail is checked from the checkpoint of the live one the services
        # trust (its entries before it were verified then): not walked again here.
        return verify_copy(
            copied.path,
            copied.key,
            self._vault_id,
            audit_checkpoint=self._checkpoint,
            every_hmac=False,
        )

    def header_facts(self, snapshot: Snapshot) -> tuple[CopyFacts, list[Part]]:
        """What the header needs, once the main database's copy is checked: its facts,
        and every part (main first) with its SHA-256, the books' taken here, on the
        caller's thread. The books' copies may still be being checked (:meth:`vouch`)."""
        main, *books = snapshot.files
        assert main.key_id == MAIN
        for book in books:
            done: Future[tuple[int, str]] = Future()
            done.set_result(file_digest(book.path))
            self._hashed[book.key_id] = done
        with _unverified():
            facts = self._checked[MAIN].result()
        assert facts is not None
        if facts.book_ids != {b.key_id.partition(":")[2] for b in books}:
            raise VaultDamaged(
                "The copy of the vault does not hold exactly the books its database names, "
                "so no backup was written. Close crmdesk everywhere, open the vault again "
                "and retry.",
                code="backup.books_differ",
            )
        return facts, [
            Part(f.file, f.key_id, *self._hashed[f.key_id].result()) for f in snapshot.files
        ]

    def vouch(self) -> None:
        """Every check has passed, the books' copies' too; else :class:`VaultDamaged`."""
        with _unverified():
            for checked in self._checked.values():
                checked.result()


def _lane(steps: Sequence[tuple[Future[Any], Callable[[], Any]]]) -> None:
    """Each step in turn on this thread, its outcome into its future; after a failure
    the later steps fail with it (their work would be wasted)."""
    failed: BaseException | None = None
    for future, step in steps:
        if failed is not None:
            future.set_exception(failed)
            continue
        try:
            future.set_result(step())
        except BaseException as exc:  # handed to whoever waits on the future
            failed = exc
            future.set_exception(exc)


@contextlib.contextmanager
def _unverified() -> Iterator[None]:
    try:
        yield
    except CopyProblem as exc:
        raise VaultDamaged(
            f"The copy of the vault did not verify ({exc}), so no backup was written. "
            "The vault itself may be damaged: verify its audit trail, and keep your "
            "earlier backups.",
            code="backup.copy_unverified",
            problem=str(exc),
        ) from None


def _check_against_live(vault: UnlockedVault, facts: CopyFacts) -> None:
    """The copy is a prefix of the live vault: same schema, same audit entry at its head."""
    with vault.reading() as conn:
        live_schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        row = None
        if facts.audit_head is not None:
            row = conn.execute(
                "SELECT hash FROM audit_events WHERE seq = ?", (facts.audit_head[0],)
            ).fetchone()
    if live_schema != facts.schema_version or (
        facts.audit_head is not None and (row is None or row[0] != facts.audit_head[1])
    ):
        raise VaultDamaged(
            "The copy does not match the open vault (schema or audit trail differ), so no "
            "backup was written. Close crmdesk everywhere, open the vault again and retry.",
            code="backup.copy_differs",
        )
