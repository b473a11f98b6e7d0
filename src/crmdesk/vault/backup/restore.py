"""Restoring a backup into a new vault folder: checked whole before it is put in place.

The key comes from the recovery key, the backup's passphrase-wrapped key, or this
computer's keyring; the restored vault is verified, opened the usual way, records
``vault.restored``, and only then takes the folder's name in one rename. On any failure
nothing of it remains.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import (
    BadInput,
    CannotUnlock,
    CrmdeskError,
    KeyMissing,
    KeyringUnavailable,
    VaultDamaged,
    VaultExists,
    WrongKey,
)
from crmdesk.files import fsync_dir
from crmdesk.vault.backup.container import (
    BackupHeader,
    chunks,
    damaged,
    head_json,
    header_mac,
    read_header,
)
from crmdesk.vault.backup.verify import CopyProblem, verify_copy
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import SERVICE, KeyStore, entry_name, system_keystore
from crmdesk.vault.metadata import KeyStorage, VaultMetadata, write_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.vault import Vault

ROTATED_ADVICE = (
    "A backup opens only with the vault key it was made under. If the key was changed "
    "(rotated) after this backup was made, restore it with the recovery key printed "
    "before that change."
)


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
    if not hmac.compare_digest(header_mac(key, header.header_line), header.mac):
        raise damaged(header.path, "its header was changed after it was written")

    meta = VaultMetadata(**header.vault)
    meta.audit_head = head_json(header.audit_head)
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
            verify_copy(staging / DATABASE_NAME, key, vault_id, expected=header)
        except CopyProblem as exc:
            raise damaged(header.path, str(exc)) from None
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
            "Restore into a new folder.",
            code="restore.target_is_vault",
            folder=folder,
        )
    if folder.exists() and not folder.is_dir():
        raise BadInput(
            f"{folder} is a file. Restore into a new folder.",
            code="restore.target_is_file",
            folder=folder,
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise BadInput(
            f"{folder} is not empty; restore only fills a new or empty folder. Choose "
            "another folder.",
            code="restore.target_not_empty",
            folder=folder,
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
                "or to a later key of this one. " + ROTATED_ADVICE,
                code="restore.recovery_key_other",
            )
        return key, "recovery", None
    if header.key_storage == KeyStorage.PASSPHRASE:
        if passphrase_text is None:
            raise CannotUnlock(
                "This backup's key is wrapped by the vault's master passphrase of the day it "
                "was made: give that passphrase, or use the recovery key.",
                code="restore.passphrase_needed",
            )
        wrapped = header.vault.get("passphrase")
        if not isinstance(wrapped, dict):
            raise damaged(header.path, "its wrapped key is missing")
        key = passphrase.unwrap_key(wrapped, passphrase_text, vault_id)
        if not key.matches(vault_id, check):
            raise damaged(header.path, "its wrapped key is not the vault key")
        return key, "passphrase", None
    store = keystore if keystore is not None else _keystore_for_restore()
    key = _stored_key(store, vault_id)
    if key is None:
        entry = f"{SERVICE}/{entry_name(vault_id)}"
        raise KeyMissing(
            f"The {store.describe()} on this computer has no key for this backup's vault "
            f"(entry {entry}). Restore it with the recovery key.",
            code="restore.key_missing",
            keyring=store.describe(),
            entry=entry,
        )
    if not key.matches(vault_id, check):
        raise WrongKey(
            "The key in this computer's keyring for this vault is not the key of this "
            "backup. " + ROTATED_ADVICE,
            code="restore.keyring_key_other",
        )
    return key, "keyring", store


def _keystore_for_restore() -> KeyStore:
    try:
        return system_keystore()
    except KeyringUnavailable as exc:
        raise type(exc)(
            f"{exc.message} Without a keyring, restore with the recovery key and a new "
            "master passphrase.",
            code="restore.no_keyring",
            cause=exc,
        ) from None


def _stored_key(store: KeyStore, vault_id: str) -> VaultKey | None:
    try:
        return store.get(vault_id)
    except VaultDamaged:
        entry = f"{SERVICE}/{entry_name(vault_id)}"
        raise WrongKey(
            f"The keyring entry {entry} does not hold a crmdesk key. " + ROTATED_ADVICE,
            code="restore.keyring_entry_damaged",
            entry=entry,
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
            "the backup's key there would lock that vault out. Restore with the recovery "
            "key and a new master passphrase for the restored vault, or on another computer.",
            code="restore.keyring_holds_other_key",
            vault_id=vault_id,
        )


def _unpack_database(header: BackupHeader, target: Path) -> str:
    """Copy the database part to ``target`` (0600); returns the whole file's SHA-256."""
    whole = hashlib.sha256(header.prefix)
    part = hashlib.sha256()
    left = header.database_bytes
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, header.path.open("rb") as src:
        src.seek(len(header.prefix))
        for chunk in chunks(src):
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
        raise damaged(header.path, "its database part does not match its checksum")
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
            raise damaged(header.path, report.problem)
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
            "must be new or empty. Nothing was restored.",
            code="restore.cannot_place",
            folder=folder,
            problem=exc.strerror or str(exc),
        ) from None
    fsync_dir(folder.parent)
