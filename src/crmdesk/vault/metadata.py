"""The vault's small, non-secret metadata file (``vault.json``).

It says which vault this is and how its key is held, so that crmdesk can give the right
advice before it touches the encrypted database. It never holds the key in the clear: in
passphrase mode it holds the key wrapped under the passphrase.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crmdesk.errors import NewerVault, NotAVault, VaultDamaged
from crmdesk.files import write_private

FORMAT_VERSION = 1
MAGIC = "crmdesk-vault"


@dataclass(slots=True)
class VaultMetadata:
    vault_id: str
    created_at: str
    key_storage: str  # "keyring" or "passphrase"
    key_check: str
    keyring_service: str | None = None
    keyring_entry: str | None = None
    passphrase: dict[str, Any] | None = None
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {"magic": MAGIC, **data, **extra}


_KNOWN = {f for f in VaultMetadata.__dataclass_fields__ if f != "extra"}


def read_metadata(path: Path, folder: Path) -> VaultMetadata:
    """Read and check ``vault.json``; each failure says what to do next."""
    if not path.exists():
        raise NotAVault(
            f"No crmdesk vault in {folder}. Create one with 'crmdesk init', or choose the "
            "vault folder with --vault DIR (or the CRMDESK_VAULT variable)."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VaultDamaged(
            f"The vault's metadata file {path} is unreadable ({type(exc).__name__}). "
            "Restore it from a backup of the vault folder."
        ) from None
    if not isinstance(data, dict) or data.get("magic") != MAGIC:
        raise NotAVault(f"{path} is not a crmdesk vault's metadata file.")
    version = data.get("format_version")
    if not isinstance(version, int):
        raise VaultDamaged(f"The vault's metadata file {path} has no format version.")
    if version > FORMAT_VERSION:
        raise NewerVault(
            f"This vault was made by a newer crmdesk (vault format {version}; this "
            f"version reads up to {FORMAT_VERSION}). Update crmdesk to open it."
        )
    known = {k: v for k, v in data.items() if k in _KNOWN}
    extra = {k: v for k, v in data.items() if k not in _KNOWN and k != "magic"}
    try:
        meta = VaultMetadata(**known, extra=extra)
    except TypeError:
        raise VaultDamaged(
            f"The vault's metadata file {path} is missing required fields. "
            "Restore it from a backup of the vault folder."
        ) from None
    if meta.key_storage not in ("keyring", "passphrase"):
        raise VaultDamaged(f"The vault's metadata names an unknown key storage: {meta.key_storage}")
    return meta


def write_metadata(path: Path, meta: VaultMetadata) -> None:
    """Replace ``vault.json`` atomically, so a crash leaves the old or the new file whole."""
    text = json.dumps(meta.to_json(), indent=2, sort_keys=True) + "\n"
    write_private(path, text.encode("utf-8"))
