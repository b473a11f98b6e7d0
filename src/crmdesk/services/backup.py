"""Backups: the owner's encrypted copy of the vault, the automatic one at closing, and
restoring a copy into a new vault folder, by the owner only.

A backup is one file holding every encrypted file of the vault (the main database and
each book), ``keys.json`` (every key slot and sealed grant) and the non-secret metadata a
restore needs, signed by the owner (:mod:`crmdesk.vault.backup` describes the format).
Only the owner makes backups: only they hold every book's key, and a restore trusts
nobody else's signature. Every backup made is recorded (``backup.created``) in the vault
it was made from, after it was verified.

A backup opens with what opened its owner's key slot on its day (the owner's password or
passphrase of that day, the recovery key, or for a one-person vault this computer's
keyring entry while it still opens that slot: :mod:`crmdesk.vault.backup.restore` says
exactly). Every restore is recorded (``vault.restored``, signed by the owner) in the
restored vault; one made beside the live vault it came from is first allowed by that
vault (the signed-in person must be its owner: anyone else's attempt is refused and
recorded as ``access.denied``) and recorded there too (``vault.restored_elsewhere``).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmdesk.domain.roles import Permission, Role
from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.services import audit_check, people
from crmdesk.services.access import require, require_role
from crmdesk.services.settings import load_settings
from crmdesk.services.user_session import Session
from crmdesk.vault import backup as vault_backup
from crmdesk.vault.backup import BackupHeader, LegacyHeader, RestoreInfo
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
    key_storage: str  # how its owner's slot opened: "keyring", "passphrase" or "people"
    schema_version: int
    audit_length: int
    size: int
    version: int  # of the backup file: 2, or 1 for a backup made before key slots
    owner: str  # the owner's login ("" in a version-1 backup: not in its header)
    people: int  # key slots in it (0 in a version-1 backup)
    books: int

    @property
    def several_people(self) -> bool:
        return self.people > 1


def backup(session: Session, dest: Path, *, force: bool = False) -> BackupResult:
    """Write a verified encrypted copy of the vault to ``dest``. Owner only.

    Refuses an existing file unless ``force``. Other windows and commands may keep
    working meanwhile: the copy is one snapshot of what was committed when it began.
    """
    require(session, Permission.BACKUP, what="backup")
    return _make(session, Path(dest), force=force, automatic=False)


def auto_backup(session: Session, *, now: datetime | None = None) -> BackupResult | None:
    """The backup made when the owner closes the app; None when the owner set no backup
    folder, or someone else closes it (only the owner holds every book's key, and a
    restore trusts only the owner's signature: the owner's next close makes it).

    Writes ``crmdesk-<vault id short>-<UTC time>.crmbackup`` into the folder, then keeps
    the newest N of this vault's automatic backups there (N: ``backups_kept``); other
    files, and other vaults' backups, are never touched.
    """
    if session.role is not Role.OWNER:
        return None
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
    header = vault_backup.read_any_header(Path(source))
    return _summary(header)


def restore(
    source: Path,
    folder: Path,
    *,
    by: Session | None = None,
    login: str | None = None,
    password: str | None = None,
    recovery_key: str | None = None,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    new_password: str | None = None,
    kdf: KdfParams | None = None,
) -> RestoreInfo:
    """Restore a backup into the new (or empty) vault folder ``folder``, as its owner.

    ``by`` is the session of the live vault the backup was made from, when there is one
    here: only its owner may restore (anyone else is refused, and the refusal recorded in
    it), and the restore is recorded in it. Without it (a new computer) the backup's
    owner slot decides: ``login`` (if given) must be the owner's, and ``recovery_key``
    or ``password`` (the owner's password or passphrase of the backup's day) opens it;
    for a one-person vault kept in the keyring, this computer's keyring may. Afterwards
    the restored vault opens the usual way: ``new_password`` (several people; needed
    after a recovery key), ``new_passphrase`` (one person), or as its owner's slot did.
    Never writes over a vault, and a failure leaves nothing behind.
    """
    source = Path(source)
    if by is not None:
        header = vault_backup.read_any_header(source)
        if by.vault.meta.vault_id != header.vault_id:
            raise BadInput(
                f"{source} is a backup of another vault than the one at {by.vault.folder}.",
                code="restore.other_vault",
            )
        require_role(by, Permission.BACKUP, what="restore")
        login = by.actor
    if new_password is not None:
        people.check_new_password(new_password)
    info = vault_backup.restore_backup(
        source,
        Path(folder),
        login=login,
        password=password,
        recovery_key=recovery_key,
        keystore=keystore,
        new_passphrase=new_passphrase,
        new_password=new_password,
        kdf=kdf if kdf is not None else _kdf(new_password),
    )
    if by is not None:
        with by.vault.transaction():
            by.vault.record_event(
                by.actor,
                "vault.restored_elsewhere",
                object=str(info.folder),
                details={
                    "to": str(info.folder),
                    "by": by.actor,
                    "from": str(source.absolute()),
                    "sha256": info.sha256,
                    "backup_made_at": info.backup_made_at,
                    "opened_with": info.opened_with,
                },
            )
    return info


def _kdf(new_password: str | None) -> KdfParams:
    # Looked up now, not at import: the tests make passwords cheap.
    return people.PASSWORD_KDF if new_password is not None else DEFAULT_KDF


# -- internals ---------------------------------------------------------------------------


def _make(session: Session, dest: Path, *, force: bool, automatic: bool) -> BackupResult:
    vault = session.vault
    info = vault_backup.write_backup(
        vault, dest, force=force, audit_checkpoint=audit_check.trusted_checkpoint(vault)
    )
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
            if vault_backup.read_any_header(path).vault_id != vault_id:
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


def _summary(header: BackupHeader | LegacyHeader) -> BackupSummary:
    if isinstance(header, LegacyHeader):
        owner, slots, books = "", 0, 0
    else:
        owner, slots, books = header.owner, header.people, len(header.parts) - 1
    return BackupSummary(
        path=header.path,
        vault_id=header.vault_id,
        made_at=header.made_at,
        key_storage=header.key_storage,
        schema_version=header.schema_version,
        audit_length=header.audit_length,
        size=header.file_bytes,
        version=header.version,
        owner=owner,
        people=slots,
        books=books,
    )
