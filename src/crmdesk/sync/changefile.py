"""A change file: what one device hands every other, safe on any transport.

A device writes its changes in numbered files that are never rewritten. Each file holds
sections, one per key: basic information under the office key, each book's value-added
information under that book's key, so a laptop opens only the sections of keys it was
given and holds nothing else it could decrypt. Each section is XChaCha20-Poly1305 (from
libsodium, through PyNaCl) with a fresh random nonce, its header's digest and its index
as associated data (a section cannot be moved to another file or place). The whole file
is signed by the device's Ed25519 key, and names the digest of the device's previous
file, so that a file changed, cut short, written by someone else, put in place of
another, or dropped from the middle of a device's files is told from a true one.

Layout (bytes): the magic line, one line of canonical JSON (the header: office, device,
number, previous file's digest, when, and each section's key, nonce and length), the
sections' ciphertexts one after another, and the 64-byte signature of everything before
it under the domain tag :data:`SIGNED_AS`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nacl import bindings
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import VerifyKey
from nacl.utils import random as random_bytes

from crmdesk.sync.errors import FileRejected

MAGIC = b"crmdesk-changes 1\n"
SIGNED_AS = b"crmdesk change file v1\x00"
SIGNATURE_BYTES = 64
KEY_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
_NONCE_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
# The digest a device's first file names as its previous one.
GENESIS = "0" * 64
# Bigger files are refused before they are read (a device writes far less per file).
MAX_FILE_BYTES = 256 * 2**20


class Signer(Protocol):
    """The device that writes: its id and its Ed25519 signing key."""

    device_id: str

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Section:
    """One key's part of a file: the key's id ("office", "book:<id>") and the items."""

    key_id: str
    items: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class ChangeFile:
    """A file read and checked: its place in the device's files, and what it holds for
    the keys at hand (``sealed``: the key ids of the sections this reader cannot open)."""

    office: str
    device: str
    number: int
    previous: str
    digest: str  # SHA-256 of the whole file, which the device's next file names
    made_at: str
    opened: tuple[Section, ...]
    sealed: tuple[str, ...]
    size: int
    mtime_ns: int = 0  # when the reader found it (to notice a later rewrite cheaply)


def file_name(number: int) -> str:
    return f"changes-{number:08d}.crmsync"


def encode(
    signer: Signer,
    *,
    office: str,
    number: int,
    previous: str,
    made_at: str,
    sections: Sequence[Section],
    keys: Mapping[str, bytes],
) -> bytes:
    """A signed file of ``sections``, each encrypted under ``keys[section.key_id]``."""
    nonces = [random_bytes(_NONCE_BYTES) for _ in sections]
    plain = [_pack(section.items) for section in sections]
    lengths = [len(p) + bindings.crypto_aead_xchacha20poly1305_ietf_ABYTES for p in plain]
    header = _header_line(
        {
            "office": office,
            "device": signer.device_id,
            "number": number,
            "previous": previous,
            "made_at": made_at,
            "sections": [
                {"key": s.key_id, "nonce": _b64(n), "bytes": length}
                for s, n, length in zip(sections, nonces, lengths, strict=True)
            ],
        }
    )
    bound = hashlib.sha256(MAGIC + header).digest()
    body = [MAGIC, header]
    for index, (section, nonce, data) in enumerate(zip(sections, nonces, plain, strict=True)):
        key = keys[section.key_id]
        body.append(
            bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
                data, _aad(bound, index), nonce, key
            )
        )
    signed = b"".join(body)
    return signed + signer.sign(SIGNED_AS + signed)


def decode(
    data: bytes,
    *,
    office: str,
    device: str,
    number: int,
    device_key: bytes,
    keys: Mapping[str, bytes],
) -> ChangeFile:
    """Check a file that should be ``device``'s number ``number`` of ``office``, signed
    with ``device_key`` (Ed25519 public), and open the sections of ``keys`` it holds.
    Raises :class:`FileRejected`, saying why, for anything else."""
    facts = {"device": device, "number": number}
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(
            "the file is too large to be a change file", code="sync.file_bad", **facts
        )
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + SIGNATURE_BYTES + 2:
        raise FileRejected(
            "the file is not a change file, or is cut short", code="sync.file_bad", **facts
        )
    signed, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    try:
        VerifyKey(device_key).verify(SIGNED_AS + signed, signature)
    except (BadSignatureError, ValueError):
        raise FileRejected(
            "the file's signature does not check out under the device's key: it was changed, "
            "cut short, or written by someone else",
            code="sync.file_forged",
            **facts,
        ) from None
    # Signed by the device: from here on a malformed file is the device's fault, and
    # still refused.
    end = signed.find(b"\n", len(MAGIC))
    header = _parse_header(signed[len(MAGIC) : end + 1] if end > 0 else b"", facts)
    if (header["office"], header["device"], header["number"]) != (office, device, number):
        raise FileRejected(
            "the file is signed, but names another office, device or number than its place "
            "(a file copied or renamed)",
            code="sync.file_misplaced",
            **facts,
        )
    bound = hashlib.sha256(signed[: end + 1]).digest()
    offset = end + 1
    opened: list[Section] = []
    sealed: list[str] = []
    for index, entry in enumerate(header["sections"]):
        ciphertext = signed[offset : offset + entry["bytes"]]
        offset += entry["bytes"]
        key = keys.get(entry["key"])
        if key is None:
            sealed.append(entry["key"])
            continue
        try:
            plain = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                ciphertext, _aad(bound, index), entry["nonce"], key
            )
        except CryptoError:
            raise FileRejected(
                f"a section for {entry['key']} does not open with that key (an old key, or "
                "a device that wrote it wrongly)",
                code="sync.file_unreadable",
                key=entry["key"],
                **facts,
            ) from None
        opened.append(Section(entry["key"], _unpack(plain, facts)))
    if offset != len(signed):
        raise FileRejected(
            "the file's sections do not add up to its length", code="sync.file_bad", **facts
        )
    return ChangeFile(
        office,
        device,
        number,
        header["previous"],
        hashlib.sha256(data).hexdigest(),
        header["made_at"],
        tuple(opened),
        tuple(sealed),
        len(data),
    )


def _header_line(header: Mapping[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _parse_header(line: bytes, facts: Mapping[str, Any]) -> dict[str, Any]:
    try:
        header = json.loads(line)
        sections = []
        for entry in header["sections"]:
            nonce = base64.b64decode(entry["nonce"], validate=True)
            size = entry["bytes"]
            if len(nonce) != _NONCE_BYTES or not isinstance(size, int) or size < 0:
                raise ValueError("section")
            sections.append({"key": str(entry["key"]), "nonce": nonce, "bytes": size})
        number, previous = header["number"], header["previous"]
        if not isinstance(number, int) or not (isinstance(previous, str) and len(previous) == 64):
            raise ValueError("number")
        return {
            "office": str(header["office"]),
            "device": str(header["device"]),
            "number": number,
            "previous": previous,
            "made_at": str(header["made_at"]),
            "sections": sections,
        }
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise FileRejected(
            "the file's header cannot be read", code="sync.file_bad", **facts
        ) from None


def _aad(bound: bytes, index: int) -> bytes:
    return bound + index.to_bytes(4, "big")


def _pack(items: Sequence[Mapping[str, Any]]) -> bytes:
    text = "".join(json.dumps(item, sort_keys=True, separators=(",", ":")) + "\n" for item in items)
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(data: bytes, facts: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    try:
        text = zlib.decompress(data).decode("utf-8")
        items = tuple(json.loads(line) for line in text.splitlines())
    except (zlib.error, UnicodeDecodeError, ValueError):
        raise FileRejected(
            "a section's content cannot be read", code="sync.file_bad", **facts
        ) from None
    if not all(isinstance(item, dict) for item in items):
        raise FileRejected("a section's content cannot be read", code="sync.file_bad", **facts)
    return items


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
