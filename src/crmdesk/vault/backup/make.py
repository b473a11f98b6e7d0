"""Making a backup: a consistent, verified copy of an open vault in one backup file.

The database is copied with SQLite's online backup API on the vault's own connection
(:meth:`Vault.copy_into`) into a new file keyed with the same raw key, so other processes
may keep writing meanwhile; the copy is switched to a rollback journal (its WAL
checkpointed into it) and verified on a fresh read-only connection before it is packed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crmdesk.errors import BadInput, CannotUnlock, VaultDamaged
from crmdesk.vault.backup.container import file_digest, sealed_prefix, write_container
from crmdesk.vault.backup.verify import CopyFacts, CopyProblem, verify_copy
from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.metadata import read_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.vault import Vault


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


def write_backup(vault: Vault, dest: Path, *, force: bool = False) -> BackupInfo:
    """Copy the open ``vault`` into the backup file ``dest``, verified; never half-written.

    Refuses an existing ``dest`` unless ``force``. The copy is one snapshot of the
    committed state, taken while other processes may write.
    """
    dest = Path(os.path.abspath(dest))
    _check_destination(dest, force)
    key = vault._require_key()
    vault_id = vault.meta.vault_id
    # Fresh from disk: the wrapped key must be the one in force now.
    meta = read_metadata(vault.folder / METADATA_NAME, vault.folder)
    if meta.vault_id != vault_id or not key.matches(vault_id, meta.key_check):
        raise CannotUnlock(
            "vault.json no longer matches the key this vault is open with (it was changed "
            "elsewhere). Close crmdesk, open the vault again, then make the backup.",
            code="backup.key_changed",
        )
    work = Path(tempfile.mkdtemp(prefix=".crmdesk-backup-", dir=dest.parent))
    try:
        copy = work / DATABASE_NAME
        made_at = datetime.now(UTC).isoformat(timespec="seconds")  # the snapshot's time
        _copy_database(vault, copy, key)
        try:
            facts = verify_copy(copy, key, vault_id)
        except CopyProblem as exc:
            raise VaultDamaged(
                f"The copy of the vault did not verify ({exc}), so no backup was written. "
                "The vault itself may be damaged: verify its audit trail, and keep your "
                "earlier backups.",
                code="backup.copy_unverified",
                problem=str(exc),
            ) from None
        _check_against_live(vault, facts)
        db_bytes, db_sha = file_digest(copy)
        prefix = sealed_prefix(
            key,
            made_at=made_at,
            meta=meta,
            schema_version=facts.schema_version,
            audit_head=facts.audit_head,
            database_bytes=db_bytes,
            database_sha256=db_sha,
        )
        size, sha = write_container(dest, prefix, copy, force=force)
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


def _copy_database(vault: Vault, copy: Path, key: VaultKey) -> None:
    """The online backup into ``copy``, then its WAL folded in: one self-contained file."""
    try:
        target = open_database(copy, key, create=True)
    except UnreadableDatabase as exc:
        raise BadInput(
            f"Cannot write the backup in {copy.parent.parent}: {exc}.",
            code="backup.unwritable",
            path=copy.parent.parent,
        ) from None
    try:
        vault.copy_into(target)
        # The copy took the source's WAL mode; a rollback journal checkpoints the WAL
        # into the file and leaves no -wal or -shm beside it.
        mode = target.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise VaultDamaged(
                f"The copy kept journal mode {mode}; no backup was written.",
                code="backup.copy_journal",
            )
    finally:
        target.close()


def _check_against_live(vault: Vault, facts: CopyFacts) -> None:
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
