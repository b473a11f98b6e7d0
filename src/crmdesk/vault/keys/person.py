"""A person's own keys: one pair to receive data keys (X25519, sealed boxes) and one to
sign what they do (Ed25519), from libsodium through PyNaCl; nothing home-made.

The two private halves together are the person's *slot secret* (64 bytes). It is never
stored in the clear: :mod:`~crmdesk.vault.keys.keyfile` keeps it wrapped by the person's
password (or, for the owner, by the OS keyring or the recovery key).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

SECRET_BYTES = 64
_ENDORSEMENT_LABEL = "crmdesk person key v1"


class CannotOpen(Exception):
    """A sealed box that is not for this person, or was changed."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


@dataclass(frozen=True, slots=True)
class PersonPublic:
    """What everyone may know of a person's keys."""

    login: str
    serial: int
    box_public: bytes  # X25519: data keys are sealed to it
    sign_public: bytes  # Ed25519: their audit entries are checked with it

    def seal(self, secret: bytes) -> bytes:
        """``secret`` sealed so that only this person can open it (anonymous sender)."""
        return SealedBox(PublicKey(self.box_public)).encrypt(secret)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            VerifyKey(self.sign_public).verify(message, signature)
        except (BadSignatureError, ValueError):
            return False
        return True

    def endorsement_message(self, vault_id: str, role: str) -> bytes:
        """What an endorsement signs: this key belongs to this person, with this role."""
        fields = (
            _ENDORSEMENT_LABEL,
            vault_id,
            self.login.casefold(),
            role,
            str(self.serial),
            b64(self.box_public),
            b64(self.sign_public),
        )
        return "\x1f".join(fields).encode("utf-8")


class PersonSecret:
    """The private halves of a person's keys; never shows itself in a repr."""

    __slots__ = ("_box", "_sign")

    def __init__(self, raw: bytes) -> None:
        if len(raw) != SECRET_BYTES:
            raise ValueError("a person's slot secret is exactly 64 bytes")
        self._box = PrivateKey(raw[:32])
        self._sign = SigningKey(raw[32:])

    @classmethod
    def generate(cls) -> PersonSecret:
        return cls(bytes(PrivateKey.generate()) + bytes(SigningKey.generate()))

    @property
    def raw(self) -> bytes:
        return bytes(self._box) + bytes(self._sign)

    def public(self, login: str, serial: int) -> PersonPublic:
        return PersonPublic(
            login, serial, bytes(self._box.public_key), bytes(self._sign.verify_key)
        )

    def open(self, sealed: bytes) -> bytes:
        try:
            return SealedBox(self._box).decrypt(sealed)
        except (CryptoError, ValueError):
            raise CannotOpen from None

    def sign(self, message: bytes) -> bytes:
        return self._sign.sign(message).signature

    def __repr__(self) -> str:
        return "PersonSecret(<hidden>)"
