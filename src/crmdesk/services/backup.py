"""Backups: the owner's encrypted copy of the vault, the automatic one at closing, and
restoring a copy into a new vault folder.

A backup is one file holding the encrypted database and the non-secret metadata a
restore needs (:mod:`crmdesk.vault.backup` describes the format). It opens only with
the vault key of its day: this computer's keyring entry, the master passphrase of that
day, or the recovery key printed before any later key rotation. Every backup made is
recorded (``backup.created``) in the vault it was made from, after it was verified;
every restore is recorded (``vault.restored``) in the restored vault.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.services.access import require
from crmdesk.services.settings import load_settings
from crmdesk.services.user_session import Session
from crmdesk.vault import backup as vault_backup
from crmdesk.vault.backup import BackupHeader, RestoreInfo
from crmdesk.vault.keys.keystore import KeyStore
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams

SUFFIX = vault_backup.SUFFIX
# crmdesk-<first 8 hex digits of the vault id>-<UTC time, ms>.crmbackup
_AUTO_NAME = re.compile(
    r"^crmdesk-(?P<vault>[0-9a-f]{8})-(?P<when>\d{8}T\d{6}\.\d{3}Z)" + re.escape(SUFFIX) + "$"
)

__all__ = [
    "BackupResult",
    "BackupSummary",
    "RestoreInfo",
    "auto_backup",
    "auto_backup_name",
    "backup",
    "inspect",
    "restore",
]


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A backup written, verified and recorded in the audit trail."""

    path: Path
    size: int
    sha256: str
    made_at: str
    audit_length: int  # entries of the trail inside the backup
    automatic: bool
    removed: tuple[Path, ...] = ()  # older automatic backups deleted to keep the last N


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a backup file says about itself (read without any key)."""

    path: Path
    vault_id: str
    made_at: str
    key_storage: str  # "keyring" or "passphrase"
    schema_version: int
    audit_length: int
    size: int


def backup(session: Session, dest: Path, *, force: bool = False) -> BackupResult:
    """Write a verified encrypted copy of the vault to ``dest``. Owner only.

    Refuses an existing file unless ``force``. Other windows and commands may keep
    working meanwhile: the copy is one snapshot of what was committed when it began.
    """
    require(session, Permission.BACKUP, what="backup")
    return _make(session, Path(dest), force=force, automatic=False)


def auto_backup(session: Session, *, now: datetime | None = None) -> BackupResult | None:
    """The backup made when the app closes, for whoever closes it; None when the owner set
    no backup folder.

    Writes ``crmdesk-<vault id short>-<UTC time>.crmbackup`` into the folder, then keeps
    the newest N of this vault's automatic backups there (N: ``backups_kept``); other
    files, and other vaults' backups, are never touched.
    """
    chosen = load_settings(session.vault)
    if not chosen.backup_folder:
        return None
    folder = Path(chosen.backup_folder)
    if not folder.is_dir():
        raise BadInput(
            f"The automatic backup was not made: the backup folder {folder} is not there "
            "(an unplugged drive?). Connect it, or choose another folder in the settings.",
            code="backup.auto.folder_missing",
            folder=folder,
        )
    vault_id = session.vault.meta.vault_id
    when = (now or datetime.now(UTC)).astimezone(UTC)
    dest = folder / auto_backup_name(vault_id, when)
    while dest.exists():  # two closes within a millisecond: the next free name
        when += timedelta(milliseconds=1)
        dest = folder / auto_backup_name(vault_id, when)
    made = _make(session, dest, force=False, automatic=True)
    removed = _prune(folder, vault_id, keep=chosen.backups_kept)
    return BackupResult(
        made.path, made.size, made.sha256, made.made_at, made.audit_length, True, removed
    )


def auto_backup_name(vault_id: str, when: datetime) -> str:
    """``crmdesk-1a2b3c4d-20261129T173005.123Z.crmbackup``: sorts by time."""
    when = when.astimezone(UTC)
    stamp = f"{when:%Y%m%dT%H%M%S}.{when.microsecond // 1000:03d}Z"
    return f"crmdesk-{vault_id[:8]}-{stamp}{SUFFIX}"


def inspect(source: Path) -> BackupSummary:
    """Read a backup's header (no key needed); damage raises :class:`VaultDamaged`."""
    header = vault_backup.read_header(Path(source))
    return _summary(header)


def restore(
    source: Path,
    folder: Path,
    *,
    keystore: KeyStore | None = None,
    recovery_key: str | None = None,
    passphrase: str | None = None,
    new_passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> RestoreInfo:
    """Restore a backup into the new (or empty) vault folder ``folder``.

    The key: ``recovery_key`` if given; else for a passphrase-mode backup its wrapped key
    and ``passphrase`` (the master passphrase of its day); else this computer's keyring.
    Afterwards the key is kept in the keyring (or as the backup kept it), or wrapped by
    ``new_passphrase``. Holding the key is the authority here, as for ``recover``: no
    one is signed in to a vault that does not exist yet. Never writes over a vault, and
    a failure leaves nothing behind.
    """
    return vault_backup.restore_backup(
        Path(source),
        Path(folder),
        keystore=keystore,
        recovery_key=recovery_key,
        passphrase_text=passphrase,
        new_passphrase=new_passphrase,
        kdf=kdf,
    )


# -- internals ---------------------------------------------------------------------------


def _make(session: Session, dest: Path, *, force: bool, automatic: bool) -> BackupResult:
    vault = session.vault
    info = vault_backup.write_backup(vault, dest, force=force)
    try:
        # After the copy was verified, so the backup holds the trail up to just before.
        with vault.transaction():
            vault.record_event(
                session.actor,
                "backup.created",
                object=info.path.name,
                details={
                    "file": str(info.path),
                    "size": info.size,
                    "sha256": info.sha256,
                    "audit_length": info.audit_length,
                    "automatic": automatic,
                },
            )
    except BaseException:
        # A copy nobody can account for is what the audit trail exists to prevent.
        with contextlib.suppress(OSError):
            info.path.unlink()
        raise
    return BackupResult(
        info.path, info.size, info.sha256, info.made_at, info.audit_length, automatic
    )


def _prune(folder: Path, vault_id: str, *, keep: int) -> tuple[Path, ...]:
    """Delete this vault's automatic backups beyond the newest ``keep``."""
    ours: list[tuple[str, Path]] = []
    for path in folder.iterdir():
        match = _AUTO_NAME.match(path.name)
        if match is None or match["vault"] != vault_id[:8] or not path.is_file():
            continue
        try:
            # The short id in the name could be another vault's: the header decides.
            if vault_backup.read_header(path).vault_id != vault_id:
                continue
        except CrmdeskError:
            continue  # unreadable: not provably ours, so not ours to delete
        ours.append((match["when"], path))
    ours.sort(reverse=True)
    removed = []
    for _, path in ours[keep:]:
        with contextlib.suppress(OSError):  # still there next time; tried again then
            path.unlink()
            removed.append(path)
    return tuple(removed)


def _summary(header: BackupHeader) -> BackupSummary:
    return BackupSummary(
        path=header.path,
        vault_id=header.vault_id,
        made_at=header.made_at,
        key_storage=header.key_storage,
        schema_version=header.schema_version,
        audit_length=header.audit_length,
        size=header.file_bytes,
    )
