"""Backup files: a consistent, encrypted copy of a vault in one file, and restoring one.

A backup (``.crmbackup``) is one file, written 0600 and atomically::

    line 1   crmdesk-backup 1                 magic and container version
    line 2   the header, JSON on one line     non-secret metadata (below)
    line 3   {"sha256": ..., "mac": ...}      seal of line 2
    rest     the SQLCipher database           exactly header.database.bytes bytes

The header holds what a restore needs besides the key: the vault's ``vault.json`` fields
(vault id, format, key storage, key check value, in passphrase mode the passphrase-wrapped
key; never a pending rotation), the schema version, the audit trail's head in the copy,
and the database part's size and SHA-256. No record content: names and notes live only
in the encrypted database. The seal's ``sha256`` tells accidental damage from a wrong key
before any key is looked for; its ``mac`` (HMAC-SHA256 under the vault key) shows a header
altered by someone without the key.

The database is copied with SQLite's online backup API on the vault's own connection
(:meth:`Vault.copy_into`) into a new file keyed with the same raw key, so other processes
may keep writing meanwhile; the copy is switched to a rollback journal (its WAL
checkpointed into it) and verified on a fresh read-only connection before it is packed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NoReturn

import sqlcipher3

from crmdesk import __version__, audit
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
from crmdesk.vault import migrations
from crmdesk.vault.connection import CACHE_SIZE, Connection, UnreadableDatabase, open_database
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import SERVICE, KeyStore, entry_name, system_keystore
from crmdesk.vault.metadata import (
    FORMAT_VERSION,
    KeyStorage,
    VaultMetadata,
    read_metadata,
    write_metadata,
)
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.vault import Vault

CONTAINER_VERSION = 1
MAGIC_LINE = f"crmdesk-backup {CONTAINER_VERSION}\n".encode()
_MAGIC_PREFIX = b"crmdesk-backup "
_MAX_HEADER = 1 << 20  # a real header is about 1 KiB; a damaged one must not fill memory
_MAC_LABEL = b"crmdesk backup header v1:"
_CHUNK = 1 << 20
SUFFIX = ".crmbackup"

# The header's copy of vault.json: every field a restored vault.json needs, nothing else.
_VAULT_FIELDS = (
    "vault_id",
    "created_at",
    "format_version",
    "key_storage",
    "key_check",
    "keyring_service",
    "keyring_entry",
    "passphrase",
)

ROTATED_ADVICE = (
    "A backup opens only with the vault key it was made under. If the key was changed "
    "(rotated) after this backup was made, restore it with the recovery key printed "
    "before that change: crmdesk restore FILE --to DIR --recovery-key-stdin."
)


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """What a backup file says about itself, read and checked without any key."""

    path: Path
    made_at: str
    crmdesk_version: str
    vault: dict[str, Any]
    schema_version: int
    audit_head: tuple[int, str] | None
    database_bytes: int
    database_sha256: str
    file_bytes: int
    # Lines 1 to 3 as read (for the file's SHA-256), the header line, its MAC.
    prefix: bytes
    header_line: bytes
    mac: str

    @property
    def vault_id(self) -> str:
        return str(self.vault["vault_id"])

    @property
    def key_storage(self) -> str:
        return str(self.vault["key_storage"])

    @property
    def audit_length(self) -> int:
        return self.audit_head[0] if self.audit_head else 0


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


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    """A vault restored from a backup, verified and closed again."""

    folder: Path
    vault_id: str
    backup_made_at: str
    sha256: str
    audit_length: int
    key_storage: str
    key_location: str


class _CopyProblem(Exception):
    """A copy of the database that does not verify; callers say whose fault it is."""


# -- writing ----------------------------------------------------------------------------


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
            "elsewhere). Close crmdesk, open the vault again, then make the backup."
        )
    work = Path(tempfile.mkdtemp(prefix=".crmdesk-backup-", dir=dest.parent))
    try:
        copy = work / DATABASE_NAME
        made_at = datetime.now(UTC).isoformat(timespec="seconds")  # the snapshot's time
        _copy_database(vault, copy, key)
        try:
            facts = _verify_copy(copy, key, vault_id)
        except _CopyProblem as exc:
            raise VaultDamaged(
                f"The copy of the vault did not verify ({exc}), so no backup was written. "
                "The vault itself may be damaged: run crmdesk audit verify, and keep your "
                "earlier backups."
            ) from None
        _check_against_live(vault, facts)
        db_bytes, db_sha = _file_digest(copy)
        header = {
            "format": CONTAINER_VERSION,
            "made_at": made_at,
            "crmdesk_version": __version__,
            "vault": {name: getattr(meta, name) for name in _VAULT_FIELDS},
            "schema_version": facts.schema_version,
            "audit_head": _head_json(facts.audit_head),
            "database": {"bytes": db_bytes, "sha256": db_sha},
        }
        header_line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
        seal = {"sha256": hashlib.sha256(header_line).hexdigest(), "mac": _mac(key, header_line)}
        prefix = MAGIC_LINE + header_line + b"\n" + json.dumps(seal).encode() + b"\n"
        size, sha = _write_atomically(dest, prefix, copy, force=force)
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
        raise BadInput(f"{dest} is a folder. Give the backup's file name, e.g. {dest / 'x'}.")
    if not dest.parent.is_dir():
        raise BadInput(f"The folder {dest.parent} does not exist. Create it first.")
    if dest.exists() and not force:
        raise BadInput(
            f"{dest} already exists; a backup never overwrites a file. Choose another "
            "name, or add --force to replace it."
        )


def _copy_database(vault: Vault, copy: Path, key: VaultKey) -> None:
    """The online backup into ``copy``, then its WAL folded in: one self-contained file."""
    try:
        target = open_database(copy, key, create=True)
    except UnreadableDatabase as exc:
        raise BadInput(f"Cannot write the backup in {copy.parent.parent}: {exc}.") from None
    try:
        vault.copy_into(target)
        # The copy took the source's WAL mode; a rollback journal checkpoints the WAL
        # into the file and leaves no -wal or -shm beside it.
        mode = target.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise VaultDamaged(f"The copy kept journal mode {mode}; no backup was written.")
    finally:
        target.close()


def _check_against_live(vault: Vault, facts: _CopyFacts) -> None:
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
            "backup was written. Close crmdesk everywhere, open the vault again and retry."
        )


def _write_atomically(dest: Path, prefix: bytes, db: Path, *, force: bool) -> tuple[int, str]:
    """Write the container beside ``dest`` (0600), fsync, then put it in place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256(prefix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(prefix)
            size = len(prefix)
            with db.open("rb") as src:
                for chunk in _chunks(src):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        _place(tmp, dest, force=force)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)
    return size, digest.hexdigest()


def _place(tmp: Path, dest: Path, *, force: bool) -> None:
    """Rename into place; without ``force`` never over a file that appeared meanwhile."""
    if force:
        os.replace(tmp, dest)
        return
    try:
        os.link(tmp, dest)  # fails if dest exists: no check-then-rename race
    except FileExistsError:
        raise BadInput(
            f"{dest} already exists; a backup never overwrites a file. Choose another "
            "name, or add --force to replace it."
        ) from None
    except OSError:
        # No hard links here (a FAT-formatted USB drive): check, then rename.
        if dest.exists():
            raise BadInput(
                f"{dest} appeared while the backup was written; it was left as it is. "
                "Choose another name, or add --force to replace it."
            ) from None
        os.rename(tmp, dest)
    else:
        tmp.unlink()


# -- reading ----------------------------------------------------------------------------


def read_header(path: Path) -> BackupHeader:
    """Read and check a backup's header and size, without a key; damage raises exit 4."""
    path = Path(os.path.abspath(path))
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise BadInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a folder, not a crmdesk backup file.") from None
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    with fh:
        first = fh.readline(64)
        if first != MAGIC_LINE:
            _wrong_start(path, first)
        header_line = fh.readline(_MAX_HEADER)
        seal_line = fh.readline(4096)
        prefix = first + header_line + seal_line
        file_bytes = os.fstat(fh.fileno()).st_size
    if not header_line.endswith(b"\n") or not seal_line.endswith(b"\n"):
        raise _damaged(path, "its header is cut short")
    header_line = header_line[:-1]
    try:
        seal = json.loads(seal_line)
        expected = seal["sha256"]
        mac = seal["mac"]
    except (ValueError, TypeError, KeyError):
        raise _damaged(path, "the seal of its header is unreadable") from None
    if not isinstance(mac, str) or hashlib.sha256(header_line).hexdigest() != expected:
        raise _damaged(path, "its header does not match its checksum")
    try:
        header = json.loads(header_line)
        vault = {name: header["vault"].get(name) for name in _VAULT_FIELDS}
        head = header["audit_head"]
        parsed = BackupHeader(
            path=path,
            made_at=str(header["made_at"]),
            crmdesk_version=str(header.get("crmdesk_version", "")),
            vault=vault,
            schema_version=int(header["schema_version"]),
            audit_head=(int(head["seq"]), str(head["hash"])) if head else None,
            database_bytes=int(header["database"]["bytes"]),
            database_sha256=str(header["database"]["sha256"]),
            file_bytes=file_bytes,
            prefix=prefix,
            header_line=header_line,
            mac=mac,
        )
        if header["format"] != CONTAINER_VERSION or not isinstance(vault["vault_id"], str):
            raise ValueError("format")
        if vault["key_storage"] not in (KeyStorage.KEYRING, KeyStorage.PASSPHRASE):
            raise ValueError("key storage")
        if not all(isinstance(vault[n], str) for n in ("key_check", "created_at")):
            raise ValueError("vault fields")
        if not isinstance(vault["format_version"], int):
            raise ValueError("format version")
    except (ValueError, TypeError, KeyError, AttributeError):
        raise _damaged(path, "its header is incomplete") from None
    if vault["format_version"] > FORMAT_VERSION:
        raise NewerVault(
            f"{path} holds a vault of a newer format ({vault['format_version']}); update "
            "crmdesk to restore it."
        )
    if parsed.schema_version > migrations.LATEST_VERSION:
        raise NewerVault(
            f"{path} was made by a newer crmdesk (schema {parsed.schema_version}; this "
            f"version knows up to {migrations.LATEST_VERSION}). Update crmdesk to restore it."
        )
    size = len(prefix) + parsed.database_bytes
    if file_bytes < size:
        raise _damaged(path, f"it is truncated: {file_bytes:,} of {size:,} bytes")
    if file_bytes > size:
        raise _damaged(path, "it has bytes after the database")
    return parsed


def _wrong_start(path: Path, first: bytes) -> NoReturn:
    if first.startswith(_MAGIC_PREFIX):
        version = first[len(_MAGIC_PREFIX) :].strip()
        if version.isdigit() and int(version) > CONTAINER_VERSION:
            raise NewerVault(
                f"{path} was made by a newer crmdesk (backup format {int(version)}). "
                "Update crmdesk to restore it."
            )
        raise _damaged(path, "its first line is damaged")
    raise BadInput(
        f"{path} is not a crmdesk backup file (it does not begin like one). Choose the "
        f"file that crmdesk backup wrote (usually named *{SUFFIX})."
    )


def _damaged(path: Path, what: str) -> VaultDamaged:
    return VaultDamaged(
        f"The backup file {path} is damaged or was altered ({what}). Nothing was restored; "
        "use another backup, or make a new one from the vault."
    )


# -- restoring --------------------------------------------------------------------------


def restore_backup(
    source: Path,
    folder: Path,
    *,
    keystore: KeyStore | None = None,
    recovery_key: str | None = None,
    passphrase_text: str | None = None,
    new_passphrase: str | None = None,
    kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
) -> RestoreInfo:
    """Restore the backup ``source`` into the new vault folder ``folder``.

    The key comes from the recovery key if given; else, for a backup in passphrase mode,
    from its wrapped key and ``passphrase_text``; else from this computer's keyring. It
    is then kept as the backup says (keyring, or the backup's wrapped key), in the
    keyring after a recovery key, or wrapped by ``new_passphrase`` if given. The restored
    vault is verified, opened, and records ``vault.restored``; on any failure nothing of
    it remains (no folder, no new keyring entry).
    """
    folder = Path(os.path.abspath(folder))
    _check_target(folder)
    header = read_header(source)
    vault_id = header.vault_id
    key, came_from, store = _backup_key(header, keystore, recovery_key, passphrase_text)
    if not hmac.compare_digest(_mac(key, header.header_line), header.mac):
        raise _damaged(header.path, "its header was changed after it was written")

    meta = VaultMetadata(**header.vault)
    meta.audit_head = _head_json(header.audit_head)
    open_with: str | None = None
    if new_passphrase is not None:
        passphrase.check_new_passphrase(new_passphrase)
        meta.key_storage = KeyStorage.PASSPHRASE
        meta.passphrase = passphrase.wrap_key(key, new_passphrase, vault_id, kdf)
        meta.keyring_service = meta.keyring_entry = None
        open_with, store = new_passphrase, None
    elif came_from == "passphrase":
        open_with = passphrase_text  # the backup's wrapped key stays as it was
    else:
        if store is None:
            store = keystore if keystore is not None else _keystore_for_restore()
        meta.key_storage, meta.passphrase = KeyStorage.KEYRING, None
        meta.keyring_service, meta.keyring_entry = SERVICE, entry_name(vault_id)
        _refuse_other_key(store, vault_id, key)

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.restoring-", dir=folder.parent))
    added_entry = False
    try:
        sha = _unpack_database(header, staging / DATABASE_NAME)
        try:
            _verify_copy(staging / DATABASE_NAME, key, vault_id, expected=header)
        except _CopyProblem as exc:
            raise _damaged(header.path, str(exc)) from None
        if store is not None and store.get(vault_id) is None:
            store.put(vault_id, key)
            added_entry = True
        write_metadata(staging / METADATA_NAME, meta)
        info = _open_and_record(staging, folder, header, sha, store, open_with)
        _move_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if added_entry and store is not None:
            with contextlib.suppress(CrmdeskError):  # the original error matters more
                store.delete(vault_id)
        raise
    return info


def _check_target(folder: Path) -> None:
    if (folder / METADATA_NAME).exists():
        raise VaultExists(
            f"{folder} already holds a crmdesk vault; restore never overwrites a vault. "
            "Restore into a new folder (--to DIR)."
        )
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} is a file. Restore into a new folder (--to DIR).")
    if folder.is_dir() and any(folder.iterdir()):
        raise BadInput(
            f"{folder} is not empty; restore only fills a new or empty folder. Choose "
            "another folder (--to DIR)."
        )


def _backup_key(
    header: BackupHeader,
    keystore: KeyStore | None,
    recovery_key: str | None,
    passphrase_text: str | None,
) -> tuple[VaultKey, str, KeyStore | None]:
    """The backup's key, where it came from ("recovery", "passphrase" or "keyring"),
    and the keyring it was read from."""
    vault_id, check = header.vault_id, str(header.vault["key_check"])
    if recovery_key is not None:
        key = recovery.decode(recovery_key)
        if not key.matches(vault_id, check):
            raise WrongKey(
                "This recovery key does not open this backup: it belongs to another vault, "
                "or to a later key of this one. " + ROTATED_ADVICE
            )
        return key, "recovery", None
    if header.key_storage == KeyStorage.PASSPHRASE:
        if passphrase_text is None:
            raise CannotUnlock(
                "This backup's key is wrapped by the vault's master passphrase of the day it "
                "was made: give that passphrase at the prompt or with --passphrase-stdin, or "
                "use the recovery key (--recovery-key-stdin)."
            )
        wrapped = header.vault.get("passphrase")
        if not isinstance(wrapped, dict):
            raise _damaged(header.path, "its wrapped key is missing")
        key = passphrase.unwrap_key(wrapped, passphrase_text, vault_id)
        if not key.matches(vault_id, check):
            raise _damaged(header.path, "its wrapped key is not the vault key")
        return key, "passphrase", None
    store = keystore if keystore is not None else _keystore_for_restore()
    key = _stored_key(store, vault_id)
    if key is None:
        raise KeyMissing(
            f"The {store.describe()} on this computer has no key for this backup's vault "
            f"(entry {SERVICE}/{entry_name(vault_id)}). Restore it with the recovery key: "
            "crmdesk restore FILE --to DIR --recovery-key-stdin."
        )
    if not key.matches(vault_id, check):
        raise WrongKey(
            "The key in this computer's keyring for this vault is not the key of this "
            "backup. " + ROTATED_ADVICE
        )
    return key, "keyring", store


def _keystore_for_restore() -> KeyStore:
    try:
        return system_keystore()
    except KeyringUnavailable as exc:
        raise type(exc)(
            f"{exc.message} Without a keyring, restore with the recovery key and a new "
            "master passphrase: --recovery-key-stdin with --passphrase-stdin."
        ) from None


def _stored_key(store: KeyStore, vault_id: str) -> VaultKey | None:
    try:
        return store.get(vault_id)
    except VaultDamaged:
        raise WrongKey(
            f"The keyring entry {SERVICE}/{entry_name(vault_id)} does not hold a crmdesk key. "
            + ROTATED_ADVICE
        ) from None


def _refuse_other_key(store: KeyStore, vault_id: str, key: VaultKey) -> None:
    """Never replace the keyring's key of this vault id: the live vault may need it."""
    try:
        present = store.get(vault_id)
    except VaultDamaged:
        present = None  # a mangled entry is no key; put() below replaces it
    if present is not None and present != key:
        raise BadInput(
            f"This computer's keyring already holds another key for vault {vault_id} "
            "(the vault this backup was made from, whose key was changed since). Storing "
            "the backup's key there would lock that vault out. Restore with "
            "--recovery-key-stdin and --passphrase-stdin (the second line of standard "
            "input becomes the restored vault's new master passphrase), or on another "
            "computer."
        )


def _unpack_database(header: BackupHeader, target: Path) -> str:
    """Copy the database part to ``target`` (0600); returns the whole file's SHA-256."""
    whole = hashlib.sha256(header.prefix)
    part = hashlib.sha256()
    left = header.database_bytes
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, header.path.open("rb") as src:
        src.seek(len(header.prefix))
        for chunk in _chunks(src):
            chunk = chunk[:left]
            out.write(chunk)
            part.update(chunk)
            whole.update(chunk)
            left -= len(chunk)
            if left <= 0:
                break
        out.flush()
        os.fsync(out.fileno())
    if left != 0 or part.hexdigest() != header.database_sha256:
        raise _damaged(header.path, "its database part does not match its checksum")
    return whole.hexdigest()


def _open_and_record(
    staging: Path,
    folder: Path,
    header: BackupHeader,
    sha: str,
    store: KeyStore | None,
    open_with: str | None,
) -> RestoreInfo:
    """Open the restored vault the usual way (the proof it opens) and record the restore."""
    vault = Vault.open(staging, keystore=store, passphrase_text=open_with)
    try:
        with vault.transaction():
            vault.record_event(
                vault.owner.login,
                "vault.restored",
                object=header.vault_id,
                details={
                    "from": str(header.path),
                    "sha256": sha,
                    "backup_made_at": header.made_at,
                    "audit_length_at_backup": header.audit_length,
                    "restored_to": str(folder),
                    "key_storage": vault.meta.key_storage,
                },
            )
        report = vault.verify_audit()
        if not report.ok:
            raise _damaged(header.path, report.problem)
        return RestoreInfo(
            folder=folder,
            vault_id=header.vault_id,
            backup_made_at=header.made_at,
            sha256=sha,
            audit_length=report.length,
            key_storage=str(vault.meta.key_storage),
            key_location=vault.key_location(),
        )
    finally:
        vault.close()


def _move_into_place(staging: Path, folder: Path) -> None:
    """The finished vault takes the new folder's name in one rename."""
    if folder.is_dir() and os.name != "posix":
        folder.rmdir()  # POSIX rename replaces an empty folder; Windows does not
    try:
        os.rename(staging, folder)
    except OSError as exc:
        raise BadInput(
            f"Cannot put the restored vault at {folder} ({exc.strerror or exc}); the folder "
            "must be new or empty. Nothing was restored."
        ) from None
    _fsync_dir(folder.parent)


# -- checking a copy ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CopyFacts:
    schema_version: int
    audit_head: tuple[int, str] | None


def _verify_copy(
    path: Path, key: VaultKey, vault_id: str, *, expected: BackupHeader | None = None
) -> _CopyFacts:
    """Every page's HMAC, SQLite's own check, the vault id and the audit chain.

    On a fresh read-only connection: after one bad page, later checks on a connection
    are unreliable, and a check must not change the file it checks. With ``expected``,
    the schema version and audit head must be the header's.
    """
    try:
        conn = _open_readonly(path, key)
    except UnreadableDatabase:
        raise _CopyProblem("the database does not open with the vault key") from None
    try:
        if conn.execute("PRAGMA cipher_integrity_check").fetchall():
            raise _CopyProblem("pages of the database fail their HMAC check")
        if conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise _CopyProblem("SQLite's integrity check fails")
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        row = conn.execute("SELECT value FROM vault_info WHERE key = 'vault_id'").fetchone()
        if row is None or row[0] != vault_id:
            raise _CopyProblem("the database belongs to another vault")
        recorded = expected.audit_head if expected is not None else None
        report = audit.verify(conn, vault_id, recorded_head=recorded)
        if not report.ok:
            raise _CopyProblem(f"its audit trail does not verify: {report.problem}")
        head = audit.head(conn)
    except sqlcipher3.DatabaseError as exc:
        raise _CopyProblem(f"the database cannot be read ({exc})") from None
    finally:
        conn.close()
    if expected is not None and (schema != expected.schema_version or head != recorded):
        raise _CopyProblem("the database is not the one its header describes")
    return _CopyFacts(schema, head)


def _open_readonly(path: Path, key: VaultKey) -> Connection:
    """A read-only keyed connection for checks.

    Not :func:`~crmdesk.vault.connection.open_database`: that one switches the file to
    WAL, a write to page 1 of the very copy being checked.
    """
    try:
        conn = sqlcipher3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlcipher3.Error as exc:
        raise UnreadableDatabase(str(exc)) from None
    try:
        conn.execute(f"PRAGMA key = {key.pragma_value()}")  # the very first statement
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA temp_store = MEMORY")  # sorts of the checks stay off the disk
        # integrity_check revisits index pages: the vault's cache size halves its time.
        conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise UnreadableDatabase(str(exc)) from None
    return conn


# -- small helpers ------------------------------------------------------------------------


def _mac(key: VaultKey, header_line: bytes) -> str:
    return hmac.new(key.raw, _MAC_LABEL + header_line, hashlib.sha256).hexdigest()


def _head_json(head: tuple[int, str] | None) -> dict[str, Any] | None:
    return {"seq": head[0], "hash": head[1]} if head else None


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    while chunk := fh.read(_CHUNK):
        yield chunk


def _file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for chunk in _chunks(fh):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
