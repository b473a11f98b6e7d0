"""The backup file (``.crmbackup``): one file, written 0600 and atomically::

    line 1   crmdesk-backup 2                 magic and container version
    line 2   the header, JSON on one line     non-secret metadata (below)
    line 3   {"sha256": ..., "signature": ...} seal of line 2
    rest     the parts, one after the other   exactly header.parts[i].bytes bytes each

The header holds what a restore needs besides a secret of the owner's: the vault's
``vault.json`` fields (vault id, format, creation time, the owner's pinned signing key),
the whole ``keys.json`` (every person's key slot and sealed grants: nothing in it is in
the clear), the owner's login, the schema version, the audit trail's head in the copy,
and every part (``crmdesk.db``, then each ``books/<id>.db``) with its size and SHA-256.
No record content: names and notes live only in the encrypted parts.

The seal's ``sha256`` tells accidental damage apart before anything else; its
``signature`` (Ed25519 over the header, by the person who made the backup, whose login,
key serial and public key the header names) shows a header altered by anyone without
that person's signing key. A restore checks the signature against the key the header
names before any secret is asked, and then that this key is the key of the owner whose
slot the restoring person opened (:mod:`.restore`).

Version 1 (one database under one vault key, sealed by an HMAC under that key) is read
by :mod:`.container_v1`.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import mmap
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol

from crmdesk import __version__
from crmdesk.errors import BadInput, NewerVault, VaultDamaged
from crmdesk.files import fsync_dir
from crmdesk.vault import migrations
from crmdesk.vault.keys.person import PersonPublic, b64, unb64
from crmdesk.vault.metadata import FORMAT_VERSION

CONTAINER_VERSION = 2
MAGIC_LINE = f"crmdesk-backup {CONTAINER_VERSION}\n".encode()
MAGIC_PREFIX = b"crmdesk-backup "
# A header with keys.json of a large office is tens of KiB; a damaged one must not fill memory.
MAX_HEADER = 8 << 20
SIGNATURE_LABEL = b"crmdesk backup header v2\x1f"
_CHUNK = 1 << 20
SUFFIX = ".crmbackup"
# Writing the backup file past the page cache (Linux): each chunk goes from one buffer
# to the disk. Offsets and lengths must be multiples of the device's block size.
_DIRECT = getattr(os, "O_DIRECT", 0)
_DIRECT_CHUNK = 4 << 20
_DIRECT_ALIGN = 4096

# The header's copy of vault.json: every field a restored vault.json needs, nothing else
# (its audit head is the copy's, from the header's own ``audit_head``).
VAULT_FIELDS = ("vault_id", "created_at", "format_version", "owner_sign_public")


@dataclass(frozen=True, slots=True)
class Part:
    """One file of the vault inside the backup."""

    file: str  # "crmdesk.db" or "books/<id>.db", relative to the vault folder
    key_id: str  # the data key that opens it: "main" or "book:<id>"
    bytes: int
    sha256: str

    @property
    def book_id(self) -> str | None:
        return self.key_id.partition(":")[2] if self.key_id.startswith("book:") else None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "key": self.key_id, "bytes": self.bytes, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Signer:
    """Who made (and signed) the backup."""

    login: str
    serial: int
    sign_public: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "key_serial": self.serial,
            "sign_public": b64(self.sign_public),
        }


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """What a backup file says about itself, read and checked without any key."""

    path: Path
    version: int
    made_at: str
    crmdesk_version: str
    vault: dict[str, Any]
    owner: str
    keys: dict[str, Any]  # keys.json as it was
    schema_version: int
    audit_head: tuple[int, str] | None
    parts: tuple[Part, ...]
    signer: Signer
    file_bytes: int
    # Lines 1 to 3 as read (for the whole file's SHA-256).
    prefix: bytes

    @property
    def vault_id(self) -> str:
        return str(self.vault["vault_id"])

    @property
    def audit_length(self) -> int:
        return self.audit_head[0] if self.audit_head else 0

    @property
    def people(self) -> int:
        return len(self.keys.get("people") or {})

    @property
    def key_storage(self) -> str:
        """How the owner's slot opened on the backup's day: keyring, passphrase or people."""
        slots = list((self.keys.get("people") or {}).values())
        if len(slots) > 1:
            return "people"
        if slots and "keyring" in (slots[0].get("wraps") or {}):
            return "keyring"
        return "passphrase"


# -- writing ----------------------------------------------------------------------------


class HeaderSigner(Protocol):
    """The slice of a person the header needs: who they are and their signing key."""

    login: str
    serial: int

    def sign(self, message: bytes) -> bytes: ...

    @property
    def public(self) -> PersonPublic: ...


def signed_prefix(
    signer: HeaderSigner,
    *,
    made_at: str,
    vault: dict[str, Any],
    owner: str,
    keys: dict[str, Any],
    schema_version: int,
    audit_head: tuple[int, str] | None,
    parts: Sequence[Part],
) -> bytes:
    """Lines 1 to 3 of a backup file: the magic line, the header and its seal."""
    who = Signer(signer.login, signer.serial, signer.public.sign_public)
    header = {
        "format": CONTAINER_VERSION,
        "made_at": made_at,
        "crmdesk_version": __version__,
        "vault": {name: vault.get(name) for name in VAULT_FIELDS},
        "owner": owner,
        "keys": keys,
        "schema_version": schema_version,
        "audit_head": head_json(audit_head),
        "parts": [p.to_json() for p in parts],
        "signer": who.to_json(),
    }
    header_line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    seal = {
        "sha256": hashlib.sha256(header_line).hexdigest(),
        "signature": b64(signer.sign(SIGNATURE_LABEL + header_line)),
    }
    return MAGIC_LINE + header_line + b"\n" + json.dumps(seal).encode() + b"\n"


def write_container(
    dest: Path,
    prefix: bytes,
    files: Sequence[Path],
    *,
    force: bool,
    vouch: Callable[[], None] | None = None,
) -> tuple[int, str]:
    """Write the container beside ``dest`` (0600), fsync, then put it in place.

    ``vouch``, called once the file is written and flushed, raises to keep it from being
    put in place (checks still running while it was written); the file is then deleted.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            written = _write_direct(tmp, prefix, files) if _DIRECT else None
            if written is None:
                out.truncate(0)  # whatever the direct attempt wrote
                written = _write_buffered(out, prefix, files)
            out.flush()
            os.fsync(out.fileno())
        if vouch is not None:
            vouch()
        _place(tmp, dest, force=force)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dest.parent)
    return written


def _write_buffered(out: IO[bytes], prefix: bytes, files: Sequence[Path]) -> tuple[int, str]:
    digest = hashlib.sha256(prefix)
    out.write(prefix)
    size = len(prefix)
    for path in files:
        with path.open("rb") as src:
            for chunk in chunks(src):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    return size, digest.hexdigest()


def _write_direct(tmp: Path, prefix: bytes, files: Sequence[Path]) -> tuple[int, str] | None:
    """The file's bytes written with O_DIRECT, past the page cache; None where the file
    system or the device refuses it (then the caller writes it the usual way).

    A backup's hundreds of MB are not read again here: through the page cache they would
    be copied into it, and push out what the computer is using, for nothing (on a 2-core
    machine copying 800 MB into the cache took 0.6 to 2 s of CPU; this takes none of it,
    only the SHA-256 of the bytes as they pass).
    """
    try:
        out = os.open(tmp, os.O_WRONLY | _DIRECT)
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            return None
        raise
    try:
        # An anonymous map is page-aligned, as O_DIRECT needs its buffer to be. Not
        # closed by hand: a view of it may still be held by a traceback; it goes with
        # its last reference.
        view = memoryview(mmap.mmap(-1, _DIRECT_CHUNK))
        digest, size, filled = hashlib.sha256(), 0, 0
        for src in _sources(prefix, files):
            with src:
                while n := src.readinto(view[filled:]):
                    filled += n
                    if filled == len(view):
                        digest.update(view)
                        _write_all(out, view)
                        size, filled = size + filled, 0
        digest.update(view[:filled])
        size += filled
        # The last block in full (zeros after the end), then the file cut to its size.
        padded = -(-filled // _DIRECT_ALIGN) * _DIRECT_ALIGN
        view[filled:padded] = bytes(padded - filled)
        _write_all(out, view[:padded])
        os.ftruncate(out, size)
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            return None
        raise
    finally:
        os.close(out)
    return size, digest.hexdigest()


def _sources(prefix: bytes, files: Sequence[Path]) -> Iterator[IO[bytes]]:
    yield io.BytesIO(prefix)
    for path in files:
        yield path.open("rb", buffering=0)


def _write_all(fd: int, data: memoryview) -> None:
    done = 0
    while done < len(data):
        done += os.write(fd, data[done:])


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


def open_backup(path: Path) -> tuple[Path, bytes, IO[bytes]]:
    """The absolute path, the first line and the open file; a missing file is exit 1."""
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
    return path, fh.readline(64), fh


def read_header(path: Path) -> BackupHeader:
    """Read and check a backup's header, its signature and its size, without a secret;
    damage raises exit 4. A version-1 backup's header is :mod:`.container_v1`'s."""
    path, first, fh = open_backup(path)
    with fh:
        if first != MAGIC_LINE:
            wrong_start(path, first)
        header_line = fh.readline(MAX_HEADER)
        seal_line = fh.readline(4096)
        prefix = first + header_line + seal_line
        file_bytes = os.fstat(fh.fileno()).st_size
    if not header_line.endswith(b"\n") or not seal_line.endswith(b"\n"):
        raise damaged(path, "its header is cut short")
    header_line = header_line[:-1]
    try:
        seal = json.loads(seal_line)
        expected = seal["sha256"]
        signature = unb64(seal["signature"])
    except (ValueError, TypeError, KeyError):
        raise damaged(path, "the seal of its header is unreadable") from None
    if hashlib.sha256(header_line).hexdigest() != expected:
        raise damaged(path, "its header does not match its checksum")
    parsed = _parse(path, header_line, prefix, file_bytes)
    public = PersonPublic(parsed.signer.login, parsed.signer.serial, b"", parsed.signer.sign_public)
    if not public.verify(SIGNATURE_LABEL + header_line, signature):
        raise damaged(path, "the signature of its header does not verify")
    if parsed.vault["format_version"] > FORMAT_VERSION:
        raise NewerVault(
            f"{path} holds a vault of a newer format ({parsed.vault['format_version']}); "
            "update crmdesk to restore it.",
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
    size = len(prefix) + sum(p.bytes for p in parsed.parts)
    if file_bytes < size:
        raise damaged(path, f"it is truncated: {file_bytes:,} of {size:,} bytes")
    if file_bytes > size:
        raise damaged(path, "it has bytes after its last part")
    return parsed


def _parse(path: Path, header_line: bytes, prefix: bytes, file_bytes: int) -> BackupHeader:
    try:
        header = json.loads(header_line)
        if header["format"] != CONTAINER_VERSION:
            raise ValueError("format")
        vault = {name: header["vault"].get(name) for name in VAULT_FIELDS}
        if not all(isinstance(vault[n], str) for n in ("vault_id", "created_at")):
            raise ValueError("vault fields")
        if not isinstance(vault["format_version"], int):
            raise ValueError("format version")
        keys = header["keys"]
        if not isinstance(keys, dict) or keys.get("vault_id") != vault["vault_id"]:
            raise ValueError("keys")
        parts = tuple(
            Part(str(p["file"]), str(p["key"]), int(p["bytes"]), str(p["sha256"]))
            for p in header["parts"]
        )
        if not parts or parts[0].key_id != "main" or any(p.bytes < 0 for p in parts):
            raise ValueError("parts")
        head = header["audit_head"]
        who = header["signer"]
        return BackupHeader(
            path=path,
            version=CONTAINER_VERSION,
            made_at=str(header["made_at"]),
            crmdesk_version=str(header.get("crmdesk_version", "")),
            vault=vault,
            owner=str(header["owner"]),
            keys=keys,
            schema_version=int(header["schema_version"]),
            audit_head=(int(head["seq"]), str(head["hash"])) if head else None,
            parts=parts,
            signer=Signer(str(who["login"]), int(who["key_serial"]), unb64(who["sign_public"])),
            file_bytes=file_bytes,
            prefix=prefix,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        raise damaged(path, "its header is incomplete") from None


def wrong_start(path: Path, first: bytes) -> NoReturn:
    if first.startswith(MAGIC_PREFIX):
        version = first[len(MAGIC_PREFIX) :].strip()
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
