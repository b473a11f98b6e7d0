"""The backup file (``.crmbackup``): one file, written 0600 and atomically::

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
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

from crmdesk import __version__
from crmdesk.errors import BadInput, NewerVault, VaultDamaged
from crmdesk.files import fsync_dir
from crmdesk.vault import migrations
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.metadata import FORMAT_VERSION, KeyStorage, VaultMetadata

CONTAINER_VERSION = 1
MAGIC_LINE = f"crmdesk-backup {CONTAINER_VERSION}\n".encode()
_MAGIC_PREFIX = b"crmdesk-backup "
_MAX_HEADER = 1 << 20  # a real header is about 1 KiB; a damaged one must not fill memory
_MAC_LABEL = b"crmdesk backup header v1:"
_CHUNK = 1 << 20
SUFFIX = ".crmbackup"

# The header's copy of vault.json: every field a restored vault.json needs, nothing else.
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


# -- writing ----------------------------------------------------------------------------


def sealed_prefix(
    key: VaultKey,
    *,
    made_at: str,
    meta: VaultMetadata,
    schema_version: int,
    audit_head: tuple[int, str] | None,
    database_bytes: int,
    database_sha256: str,
) -> bytes:
    """Lines 1 to 3 of a backup file: the magic line, the header and its seal."""
    header = {
        "format": CONTAINER_VERSION,
        "made_at": made_at,
        "crmdesk_version": __version__,
        "vault": {name: getattr(meta, name) for name in VAULT_FIELDS},
        "schema_version": schema_version,
        "audit_head": head_json(audit_head),
        "database": {"bytes": database_bytes, "sha256": database_sha256},
    }
    header_line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    seal = {"sha256": hashlib.sha256(header_line).hexdigest(), "mac": header_mac(key, header_line)}
    return MAGIC_LINE + header_line + b"\n" + json.dumps(seal).encode() + b"\n"


def write_container(dest: Path, prefix: bytes, db: Path, *, force: bool) -> tuple[int, str]:
    """Write the container beside ``dest`` (0600), fsync, then put it in place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256(prefix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(prefix)
            size = len(prefix)
            with db.open("rb") as src:
                for chunk in chunks(src):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        _place(tmp, dest, force=force)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dest.parent)
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
            f"{dest} already exists; a backup never overwrites a file. Choose another name.",
            code="backup.exists",
            path=dest,
        ) from None
    except OSError:
        # No hard links here (a FAT-formatted USB drive): check, then rename.
        if dest.exists():
            raise BadInput(
                f"{dest} appeared while the backup was written; it was left as it is. "
                "Choose another name.",
                code="backup.exists.meanwhile",
                path=dest,
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
        raise BadInput(f"There is no file {path}.", code="file.missing", path=path) from None
    except IsADirectoryError:
        raise BadInput(
            f"{path} is a folder, not a crmdesk backup file.", code="backup.is_folder", path=path
        ) from None
    except OSError as exc:
        raise BadInput(
            f"Cannot read {path}: {exc.strerror or exc}.", code="file.unreadable", path=path
        ) from None
    with fh:
        first = fh.readline(64)
        if first != MAGIC_LINE:
            _wrong_start(path, first)
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
        raise damaged(path, "its header is incomplete") from None
    if vault["format_version"] > FORMAT_VERSION:
        raise NewerVault(
            f"{path} holds a vault of a newer format ({vault['format_version']}); update "
            "crmdesk to restore it.",
            code="backup.newer",
            path=path,
        )
    if parsed.schema_version > migrations.LATEST_VERSION:
        raise NewerVault(
            f"{path} was made by a newer crmdesk (schema {parsed.schema_version}; this "
            f"version knows up to {migrations.LATEST_VERSION}). Update crmdesk to restore it.",
            code="backup.newer",
            path=path,
        )
    size = len(prefix) + parsed.database_bytes
    if file_bytes < size:
        raise damaged(path, f"it is truncated: {file_bytes:,} of {size:,} bytes")
    if file_bytes > size:
        raise damaged(path, "it has bytes after the database")
    return parsed


def _wrong_start(path: Path, first: bytes) -> NoReturn:
    if first.startswith(_MAGIC_PREFIX):
        version = first[len(_MAGIC_PREFIX) :].strip()
        if version.isdigit() and int(version) > CONTAINER_VERSION:
            raise NewerVault(
                f"{path} was made by a newer crmdesk (backup format {int(version)}). "
                "Update crmdesk to restore it.",
                code="backup.newer",
                path=path,
            )
        raise damaged(path, "its first line is damaged")
    raise BadInput(
        f"{path} is not a crmdesk backup file (it does not begin like one). Choose a "
        f"backup file that crmdesk wrote (usually named *{SUFFIX}).",
        code="backup.not_a_backup",
        path=path,
        suffix=SUFFIX,
    )


def damaged(path: Path, what: str) -> VaultDamaged:
    return VaultDamaged(
        f"The backup file {path} is damaged or was altered ({what}). Nothing was restored; "
        "use another backup, or make a new one from the vault.",
        code="backup.damaged",
        path=path,
        what=what,
    )


# -- small helpers ------------------------------------------------------------------------


def header_mac(key: VaultKey, header_line: bytes) -> str:
    return hmac.new(key.raw, _MAC_LABEL + header_line, hashlib.sha256).hexdigest()


def head_json(head: tuple[int, str] | None) -> dict[str, Any] | None:
    return {"seq": head[0], "hash": head[1]} if head else None


def chunks(fh: IO[bytes]) -> Iterator[bytes]:
    while chunk := fh.read(_CHUNK):
        yield chunk


def file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for chunk in chunks(fh):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
