"""Backup files of container version 1 (crmdesk before key slots), read to restore them.

Version 1 held one database under the one vault key of format-1 vaults::

    line 1   crmdesk-backup 1                 magic and container version
    line 2   the header, JSON on one line     vault.json's fields of format 1, the schema
                                              version, the audit head, the database part
    line 3   {"sha256": ..., "mac": ...}      seal of line 2 (HMAC-SHA256 under the key)
    rest     the SQLCipher database           exactly header.database.bytes bytes

Such a backup is restored as the format-1 vault it was (:mod:`.restore_v1`); its owner's
first open upgrades it, as for any vault of that format.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdesk.errors import NewerVault
from crmdesk.vault.backup.container import damaged, open_backup
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.metadata import LEGACY_FORMAT, KeyStorage

LEGACY_VERSION = 1
LEGACY_MAGIC_LINE = b"crmdesk-backup 1\n"
_MAX_HEADER = 1 << 20  # a real header is about 1 KiB; a damaged one must not fill memory
_MAC_LABEL = b"crmdesk backup header v1:"
_LEGACY_SCHEMA = 6  # the last schema of format-1 vaults

# The header's copy of a format-1 vault.json.
VAULT_FIELDS = (
    "vault_id",
    "created_at",
    "format_version",
    "key_storage",
    "key_check",
    "keyring_service",
    "keyring_entry",
    "passphrase",
)


@dataclass(frozen=True, slots=True)
class LegacyHeader:
    """What a version-1 backup says about itself, read and checked without any key."""

    path: Path
    made_at: str
    crmdesk_version: str
    vault: dict[str, Any]
    schema_version: int
    audit_head: tuple[int, str] | None
    database_bytes: int
    database_sha256: str
    file_bytes: int
    prefix: bytes
    header_line: bytes
    mac: str
    version: int = LEGACY_VERSION

    @property
    def vault_id(self) -> str:
        return str(self.vault["vault_id"])

    @property
    def key_storage(self) -> str:
        return str(self.vault["key_storage"])

    @property
    def audit_length(self) -> int:
        return self.audit_head[0] if self.audit_head else 0

    def mac_matches(self, key: VaultKey) -> bool:
        """The HMAC under the vault key: a header altered by someone without the key."""
        mac = hmac.new(key.raw, _MAC_LABEL + self.header_line, hashlib.sha256).hexdigest()
        return hmac.compare_digest(mac, self.mac)


def read_legacy_header(path: Path) -> LegacyHeader:
    """Read and check a version-1 header and size, without a key; damage raises exit 4."""
    path, first, fh = open_backup(path)
    with fh:
        if first != LEGACY_MAGIC_LINE:
            raise damaged(path, "its first line is damaged")
        header_line = fh.readline(_MAX_HEADER)
        seal_line = fh.readline(4096)
        prefix = first + header_line + seal_line
        file_bytes = os.fstat(fh.fileno()).st_size
    if not header_line.endswith(b"\n") or not seal_line.endswith(b"\n"):
        raise damaged(path, "its header is cut short")
    header_line = header_line[:-1]
    try:
        seal = json.loads(seal_line)
        expected = seal["sha256"]
        mac = seal["mac"]
    except (ValueError, TypeError, KeyError):
        raise damaged(path, "the seal of its header is unreadable") from None
    if not isinstance(mac, str) or hashlib.sha256(header_line).hexdigest() != expected:
        raise damaged(path, "its header does not match its checksum")
    try:
        header = json.loads(header_line)
        vault = {name: header["vault"].get(name) for name in VAULT_FIELDS}
        head = header["audit_head"]
        parsed = LegacyHeader(
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
        if header["format"] != LEGACY_VERSION or not isinstance(vault["vault_id"], str):
            raise ValueError("format")
        if vault["key_storage"] not in (KeyStorage.KEYRING, KeyStorage.PASSPHRASE):
            raise ValueError("key storage")
        if not all(isinstance(vault[n], str) for n in ("key_check", "created_at")):
            raise ValueError("vault fields")
        if vault["format_version"] != LEGACY_FORMAT:
            raise ValueError("format version")
    except (ValueError, TypeError, KeyError, AttributeError):
        raise damaged(path, "its header is incomplete") from None
    if parsed.schema_version > _LEGACY_SCHEMA:
        raise NewerVault(
            f"{path} says it holds a format-1 vault of schema {parsed.schema_version}, "
            "which no crmdesk wrote. Nothing was restored.",
            code="backup.newer",
            path=path,
        )
    size = len(prefix) + parsed.database_bytes
    if file_bytes < size:
        raise damaged(path, f"it is truncated: {file_bytes:,} of {size:,} bytes")
    if file_bytes > size:
        raise damaged(path, "it has bytes after the database")
    return parsed
