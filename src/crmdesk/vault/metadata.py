"""The vault's small, non-secret metadata file (``vault.json``).

It says which vault this is and how its key is held, so that crmdesk can give the right
advice before it touches the encrypted database. It never holds the key in the clear: in
passphrase mode it holds the key wrapped under the passphrase.

It also keeps the audit trail's head (newest entry and hash, outside the database, so a
removal of the newest entries shows) and, while a key rotation runs, the new key's check
value (and in passphrase mode the new key, wrapped).

Several processes may have one vault open (the app and the command line): after the
vault is created, every change goes through :func:`update_metadata`, which re-reads the
file under a cross-process lock and changes only the caller's own fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from crmdesk.errors import NewerVault, NotAVault, VaultDamaged
from crmdesk.files import write_private
from crmdesk.vault.locks import metadata_lock

# Format 2 (schema 7): the keys live in keys.json, one slot per person; vault.json says
# which vault this is, pins the owner's signing key and keeps the audit head. Format 1:
# one vault key, in the OS keyring or wrapped here by a master passphrase; read only to
# upgrade it.
FORMAT_VERSION = 2
LEGACY_FORMAT = 1
MAGIC = "crmdesk-vault"


class KeyStorage(StrEnum):
    """Where a vault's key is held: the value of vault.json's ``key_storage``."""

    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


@dataclass(slots=True)
class VaultMetadata:
    vault_id: str
    created_at: str
    # Format 1 only: "keyring" or "passphrase", and the vault key's check value.
    key_storage: str | None = None
    key_check: str | None = None
    keyring_service: str | None = None
    keyring_entry: str | None = None
    passphrase: dict[str, Any] | None = None
    format_version: int = FORMAT_VERSION
    # {"seq": N, "hash": "..."}: the newest audit entry known to be committed. Older
    # files have none; it only ever moves forward.
    audit_head: dict[str, Any] | None = None
    # While a key rotation runs: the new key's check value, and in passphrase mode the
    # new key wrapped by the same passphrase (in keyring mode it waits in its own entry).
    pending_key_check: str | None = None
    pending_passphrase: dict[str, Any] | None = None
    # Format 2: the owner's first signing key (b64), the root every endorsement and
    # audit signature is checked back to.
    owner_sign_public: str | None = None
    # Set once the vault keeps its newest heads after views in audit-head.log too (the
    # record format's version, vault/audit_head_log.py): from then on that file must be
    # there, whole.
    audit_head_log: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        for name in _OMITTED_WHEN_EMPTY:
            if data[name] is None:
                del data[name]  # keep files of vaults that never used them as they were
        return {"magic": MAGIC, **data, **extra}

    def recorded_audit_head(self) -> tuple[int, str] | None:
        """The audit head this file records; :class:`ValueError` if it is malformed."""
        if self.audit_head is None:
            return None
        head = self.audit_head
        if (
            not isinstance(head, dict)
            or type(head.get("seq")) is not int
            or head["seq"] < 1
            or not isinstance(head.get("hash"), str)
        ):
            raise ValueError("malformed audit_head")
        return head["seq"], head["hash"]

    def advance_audit_head(self, seq: int, digest: str) -> None:
        """Record a newer head; an older one (from a slower process) changes nothing."""
        try:
            current = self.recorded_audit_head()
        except ValueError:
            current = None  # a mangled record is replaced by a true one
        if current is None or seq > current[0]:
            self.audit_head = {"seq": seq, "hash": digest}


_OMITTED_WHEN_EMPTY = (
    "audit_head",
    "pending_key_check",
    "pending_passphrase",
    "key_storage",
    "key_check",
    "keyring_service",
    "keyring_entry",
    "passphrase",
    "owner_sign_public",
    "audit_head_log",
)


_KNOWN = {f for f in VaultMetadata.__dataclass_fields__ if f != "extra"}


def read_metadata(path: Path, folder: Path) -> VaultMetadata:
    """Read and check ``vault.json``; each failure says what to do next."""
    if not path.exists():
        raise NotAVault(
            f"No crmdesk vault in {folder}. Create one, or choose the folder that holds the vault.",
            code="vault.none",
            folder=folder,
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VaultDamaged(
            f"The vault's metadata file {path} is unreadable ({type(exc).__name__}). "
            "Restore it from a backup of the vault folder.",
            code="vault.damaged.metadata",
            path=path,
        ) from None
    if not isinstance(data, dict) or data.get("magic") != MAGIC:
        raise NotAVault(
            f"{path} is not a crmdesk vault's metadata file.", code="vault.none.metadata", path=path
        )
    version = data.get("format_version")
    if not isinstance(version, int):
        raise VaultDamaged(
            f"The vault's metadata file {path} has no format version.",
            code="vault.damaged.metadata",
            path=path,
        )
    if version > FORMAT_VERSION:
        raise NewerVault(
            f"This vault was made by a newer crmdesk (vault format {version}; this "
            f"version reads up to {FORMAT_VERSION}). Update crmdesk to open it.",
            code="vault.newer.format",
        )
    known = {k: v for k, v in data.items() if k in _KNOWN}
    extra = {k: v for k, v in data.items() if k not in _KNOWN and k != "magic"}
    try:
        meta = VaultMetadata(**known, extra=extra)
    except TypeError:
        raise VaultDamaged(
            f"The vault's metadata file {path} is missing required fields. "
            "Restore it from a backup of the vault folder.",
            code="vault.damaged.metadata",
            path=path,
        ) from None
    if meta.format_version == LEGACY_FORMAT and (
        meta.key_storage not in ("keyring", "passphrase") or not meta.key_check
    ):
        raise VaultDamaged(
            f"The vault's metadata names an unknown key storage: {meta.key_storage}",
            code="vault.damaged.metadata",
            path=path,
        )
    if meta.format_version > LEGACY_FORMAT and not meta.owner_sign_public:
        raise VaultDamaged(
            f"The vault's metadata file {path} lacks the owner's key. Restore it from a "
            "backup of the vault folder.",
            code="vault.damaged.metadata",
            path=path,
        )
    return meta


def _encode(meta: VaultMetadata) -> bytes:
    return (json.dumps(meta.to_json(), indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_metadata(path: Path, meta: VaultMetadata) -> None:
    """Replace ``vault.json`` atomically, so a crash leaves the old or the new file whole.

    Only for a vault being created: afterwards other processes may have it open, and
    every change goes through :func:`update_metadata`.
    """
    write_private(path, _encode(meta))


def update_metadata(
    path: Path, folder: Path, change: Callable[[VaultMetadata], None]
) -> VaultMetadata:
    """Lock, read ``vault.json`` fresh from disk, apply ``change``, replace it atomically.

    ``change`` edits only the fields its caller owns; every other field keeps what is on
    disk now, never an older copy held in memory (writing back a stale ``key_check``
    after another process changed the key would lose the vault). Returns what is on disk
    afterwards. Nothing is written when ``change`` changed nothing.
    """
    with metadata_lock(path.parent):
        return update_metadata_locked(path, folder, change)


def update_metadata_locked(
    path: Path, folder: Path, change: Callable[[VaultMetadata], None]
) -> VaultMetadata:
    """:func:`update_metadata` for a caller that holds the metadata lock already."""
    meta = read_metadata(path, folder)
    before = _encode(meta)
    change(meta)
    after = _encode(meta)
    if after != before:
        write_private(path, after)
    return meta
