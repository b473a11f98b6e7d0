"""Restoring a backup of container version 1 (a format-1 vault, one vault key).

The key comes from the recovery key of the backup's day (format 1's recovery key was
the vault key itself), the backup's passphrase-wrapped key and that day's master
passphrase, or this computer's keyring. The database is checked, the vault is written
as the format-1 vault it was (its key in the keyring, or wrapped by its passphrase or a
new one), opened with that key, and records ``vault.restored`` (unsigned, like every
entry of that format); its owner's first open then upgrades it to key slots and books.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from crmdesk.errors import (
    BadInput,
    CannotUnlock,
    CrmdeskError,
    KeyMissing,
    VaultDamaged,
    WrongKey,
)
from crmdesk.vault.backup.container import damaged, head_json
from crmdesk.vault.backup.container_v1 import LegacyHeader
from crmdesk.vault.backup.restore_common import (
    RestoreInfo,
    keystore_for_restore,
    move_into_place,
)
from crmdesk.vault.backup.verify import CopyProblem, verify_copy
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keystore import SERVICE, KeyStore, entry_name
from crmdesk.vault.legacy import open_legacy
from crmdesk.vault.metadata import KeyStorage, VaultMetadata, write_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME

LEGACY_ADVICE = (
    "A backup made before key slots opens only with the vault key of its day. If the key "
    "was changed (rotated) after this backup was made, restore it with the recovery key "
    "printed before that change."
)


def restore_legacy(
    header: LegacyHeader,
    folder: Path,
    *,
    keystore: KeyStore | None,
    recovery_key: str | None,
    passphrase_text: str | None,
    new_passphrase: str | None,
    kdf: passphrase.KdfParams,
) -> RestoreInfo:
    """Restore a version-1 backup into the new vault folder ``folder``, as a format-1
    vault (see the module's description); on any failure nothing of it remains."""
    vault_id = header.vault_id
    key, came_from, store = _backup_key(header, keystore, recovery_key, passphrase_text)
    if not header.mac_matches(key):
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
            store = keystore if keystore is not None else keystore_for_restore()
        meta.key_storage, meta.passphrase = KeyStorage.KEYRING, None
        meta.keyring_service, meta.keyring_entry = SERVICE, entry_name(vault_id)
        _refuse_other_key(store, vault_id, key)

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.restoring-", dir=folder.parent))
    added_entry = False
    try:
        sha = _unpack_database(header, staging / DATABASE_NAME)
        try:
            verify_copy(
                staging / DATABASE_NAME,
                key,
                vault_id,
                expected_schema=header.schema_version,
                expected_head=header.audit_head,
            )
        except CopyProblem as exc:
            raise damaged(header.path, str(exc)) from None
        if store is not None and store.get(vault_id) is None:
            store.put(vault_id, key)
            added_entry = True
        write_metadata(staging / METADATA_NAME, meta)
        info = _open_and_record(staging, folder, header, sha, store, open_with, came_from)
        move_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if added_entry and store is not None:
            with contextlib.suppress(CrmdeskError):  # the original error matters more
                store.delete(vault_id)
        raise
    return info


def _backup_key(
    header: LegacyHeader,
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
                "or to a later key of this one. " + LEGACY_ADVICE,
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
    store = keystore if keystore is not None else keystore_for_restore()
    try:
        key = store.get(vault_id)
    except VaultDamaged:
        key = None  # not a vault key of format 1 (the entry of the upgraded vault)
    if key is None:
        raise KeyMissing(
            f"The {store.describe()} on this computer has no key for this backup's vault "
            f"(entry {SERVICE}/{entry_name(vault_id)}). Restore it with the recovery key.",
            code="restore.key_missing",
        )
    if not key.matches(vault_id, check):
        raise WrongKey(
            "The key in this computer's keyring for this vault is not the key of this "
            "backup. " + LEGACY_ADVICE,
            code="restore.keyring_key_other",
        )
    return key, "keyring", store


def _refuse_other_key(store: KeyStore, vault_id: str, key: VaultKey) -> None:
    """Never replace the keyring's key of this vault id: the live vault may need it."""
    try:
        present = store.get(vault_id)
    except VaultDamaged:
        present = None  # a mangled entry is no key; put() replaces it
    if present is not None and present != key:
        raise BadInput(
            f"This computer's keyring already holds another key for vault {vault_id} "
            "(the vault this backup was made from, whose key was changed since). Storing "
            "the backup's key there would lock that vault out. Restore with the recovery "
            "key and a new passphrase for the restored vault, or on another computer.",
            code="restore.keyring_holds_other_key",
            vault_id=vault_id,
        )


def _unpack_database(header: LegacyHeader, target: Path) -> str:
    """Copy the database part to ``target`` (0600); returns the whole file's SHA-256."""
    whole = hashlib.sha256(header.prefix)
    part = hashlib.sha256()
    left = header.database_bytes
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, header.path.open("rb") as src:
        src.seek(len(header.prefix))
        while left > 0:
            chunk = src.read(min(left, 1 << 20))
            if not chunk:
                break
            out.write(chunk)
            part.update(chunk)
            whole.update(chunk)
            left -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    if left != 0 or part.hexdigest() != header.database_sha256:
        raise damaged(header.path, "its database part does not match its checksum")
    return whole.hexdigest()


def _open_and_record(
    staging: Path,
    folder: Path,
    header: LegacyHeader,
    sha: str,
    store: KeyStore | None,
    open_with: str | None,
    came_from: str,
) -> RestoreInfo:
    """Open the restored vault with its key (the proof it opens) and record the restore."""
    vault = open_legacy(staging, keystore=store, passphrase_text=open_with)
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
                    "key_storage": str(vault.meta.key_storage),
                },
            )
        report = vault.verify_audit()
        if not report.ok:
            raise damaged(header.path, report.problem)
        with vault.reading() as conn:
            people = int(
                conn.execute("SELECT count(*) FROM users WHERE disabled_at IS NULL").fetchone()[0]
            )
        storage = str(vault.meta.key_storage)
        where = (
            f"in the {store.describe()}, service '{SERVICE}', entry '{entry_name(header.vault_id)}'"
            if storage == KeyStorage.KEYRING and store is not None
            else "wrapped by the master passphrase"
        )
        return RestoreInfo(
            folder=folder,
            vault_id=header.vault_id,
            backup_made_at=header.made_at,
            sha256=sha,
            audit_length=report.length,
            key_storage=storage,
            key_location=f"{where} (a vault of an earlier format: its owner's first open "
            "upgrades it)",
            owner=vault.owner.login,
            people=people,
            books=0,
            opened_with=_OPENED[came_from],
        )
    finally:
        vault.close()


_OPENED = {"recovery": "recovery key", "passphrase": "passphrase", "keyring": "keyring"}
