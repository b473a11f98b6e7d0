"""The vault key: 32 random bytes, handed to SQLCipher raw.

The key is kept in a ``bytearray`` so that :meth:`VaultKey.wipe` can overwrite it when the
vault locks. Python may still hold copies (the hex string built for the PRAGMA, for one);
SECURITY.md says so.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_BYTES = 32
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")
_CHECK_LABEL = b"crmdesk key check v1:"


class VaultKey:
    """A 256-bit SQLCipher key that never shows itself in a repr or a log line."""

    __slots__ = ("_bytes",)

    def __init__(self, raw: bytes | bytearray) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError("a vault key is exactly 32 bytes")
        self._bytes = bytearray(raw)

    @classmethod
    def generate(cls) -> VaultKey:
        """A new key from the operating system's cryptographic random source."""
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_hex(cls, text: str) -> VaultKey:
        """The key as stored in the keyring: 64 lowercase hex digits."""
        if not _HEX_KEY.fullmatch(text):
            raise ValueError("a stored vault key must be 64 lowercase hex digits")
        return cls(bytes.fromhex(text))

    @property
    def raw(self) -> bytes:
        self._require_live()
        return bytes(self._bytes)

    def hex(self) -> str:
        self._require_live()
        return self._bytes.hex()

    def pragma_value(self) -> str:
        """The literal for ``PRAGMA key``: a raw key, so SQLCipher skips its passphrase KDF.

        PRAGMA cannot take a bound parameter, so the value is built only from
        ``bytearray.hex()`` and checked once more against the exact shape before use.
        """
        digits = self.hex()
        if not _HEX_KEY.fullmatch(digits):  # pragma: no cover - hex() cannot produce otherwise
            raise ValueError("refusing to build a PRAGMA key from anything but 64 hex digits")
        return f"\"x'{digits}'\""

    def check_value(self, vault_id: str) -> str:
        """A non-secret verifier stored in the metadata.

        It lets crmdesk tell "this is the wrong key" apart from "the file is damaged"
        without touching the database; an HMAC of a 256-bit random key reveals nothing
        usable about it.
        """
        return hmac.new(self.raw, _CHECK_LABEL + vault_id.encode(), hashlib.sha256).hexdigest()

    def matches(self, vault_id: str, expected_check: str) -> bool:
        return hmac.compare_digest(self.check_value(vault_id), expected_check)

    def wipe(self) -> None:
        """Overwrite the key bytes; the object is unusable afterwards."""
        for i in range(len(self._bytes)):
            self._bytes[i] = 0
        self._bytes = bytearray()

    def _require_live(self) -> None:
        if len(self._bytes) != KEY_BYTES:
            raise ValueError("this vault key was wiped when the vault locked")

    def __repr__(self) -> str:
        return "VaultKey(<hidden>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VaultKey):
            return NotImplemented
        return hmac.compare_digest(bytes(self._bytes), bytes(other._bytes))

    __hash__ = None  # type: ignore[assignment]
