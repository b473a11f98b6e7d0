"""What restoring a backup of either format needs: a new folder, a keyring, one rename."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import BadInput, KeyringUnavailable, VaultDamaged, VaultExists
from crmdesk.files import fsync_dir
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.keys.keystore import KeyStore, system_keystore
from crmdesk.vault.paths import METADATA_NAME


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    """A vault restored from a backup, verified and closed again."""

    folder: Path
    vault_id: str
    backup_made_at: str
    sha256: str
    audit_length: int
    key_storage: str  # "keyring", "passphrase" or "people"
    key_location: str
    owner: str
    people: int
    books: int
    opened_with: str  # what opened the owner's slot: "recovery key", "password", "keyring"


def check_target(folder: Path) -> None:
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


def keystore_for_restore() -> KeyStore:
    try:
        return system_keystore()
    except KeyringUnavailable as exc:
        raise type(exc)(
            f"{exc.message} Without a keyring, restore with the recovery key and a new "
            "master passphrase.",
            code="restore.no_keyring",
            cause=exc,
        ) from None


def stored_key(store: KeyStore, entry: str) -> VaultKey | None:
    try:
        return store.get(entry)
    except VaultDamaged:
        return None  # a mangled entry holds no key; a new one replaces it


def move_into_place(staging: Path, folder: Path) -> None:
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
        ) from None
    fsync_dir(folder.parent)
