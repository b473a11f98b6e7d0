"""A device's own signing key, and the keys that encrypt change-file sections (issue 14).

Each copy of a vault that syncs is a *device*: it signs the change files it writes with
an Ed25519 key of its own (one person may have a laptop and a desktop; revoking one
revokes its key, not the person). The device's secret is never stored in the clear: it
is sealed to the person whose device it is (their X25519 key, the one data keys are
granted to), so it opens only once that person has signed in, like their data keys.

Change-file sections are not encrypted with the data keys themselves (those are
SQLCipher keys of the database files): each section key is derived from the data key
of the same id by HKDF-SHA256 with its own label, so a key given for one purpose is
useless for the other.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nacl.signing import SigningKey

from crmdesk.vault.keys.person import CannotOpen, PersonPublic, PersonSecret

_SECTION_LABEL = b"crmdesk change-file section key v1:"
SECRET_BYTES = 32


def device_id_of(sign_public: bytes) -> str:
    """A device's id: the first 16 bytes of the SHA-256 of its signing key, in hex (the
    same rule as :func:`crmdesk.sync.joining.device_id_of`)."""
    return hashlib.sha256(sign_public).hexdigest()[:32]


class DeviceKey:
    """A device's signing key; never shows itself in a repr."""

    __slots__ = ("_sign", "device_id", "public")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SECRET_BYTES:
            raise ValueError("a device's secret is exactly 32 bytes")
        self._sign = SigningKey(seed)
        self.public = bytes(self._sign.verify_key)
        self.device_id = device_id_of(self.public)

    @classmethod
    def generate(cls) -> DeviceKey:
        return cls(bytes(SigningKey.generate()))

    def sign(self, message: bytes) -> bytes:
        return self._sign.sign(message).signature

    def sealed_to(self, person: PersonPublic) -> bytes:
        """The secret sealed so that only ``person`` opens it (kept in keys.json)."""
        return person.seal(bytes(self._sign))

    @classmethod
    def opened_by(cls, person: PersonSecret, sealed: bytes) -> DeviceKey:
        """The device key from its sealed form; :class:`CannotOpen` when not theirs."""
        seed = person.open(sealed)
        if len(seed) != SECRET_BYTES:
            raise CannotOpen
        return cls(seed)

    def __repr__(self) -> str:
        return f"DeviceKey({self.device_id}, <hidden>)"


def section_key(data_key: bytes, key_id: str, generation: int) -> bytes:
    """The key of change-file sections under data key ``key_id`` (``main`` for the
    office's basic information, ``book:<id>`` for a book) of that generation."""
    return HKDF(
        algorithm=SHA256(),
        length=32,
        salt=None,
        info=_SECTION_LABEL + f"{key_id}:{generation}".encode(),
    ).derive(data_key)
