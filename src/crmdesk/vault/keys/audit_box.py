"""Sealing audit details to the audit key pair (X25519 sealed boxes, libsodium via PyNaCl).

Anyone may seal to the audit key's public half; only a holder of its secret half (the
Owner and the Managers, through their grants) opens what was sealed. Which generation to
seal to, and whether its public half is vouched for, is the services' business.
"""

from __future__ import annotations

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox


def seal_to(public: bytes, data: bytes) -> bytes:
    return SealedBox(PublicKey(public)).encrypt(data)


class AuditOpener:
    """Opens boxes with the audit secrets one person holds, by generation."""

    __slots__ = ("_boxes",)

    def __init__(self, secrets: dict[int, bytes]) -> None:
        # One SealedBox per generation, made once: a page of entries opens many boxes.
        self._boxes = {generation: SealedBox(PrivateKey(s)) for generation, s in secrets.items()}

    def holds(self, generation: int) -> bool:
        return generation in self._boxes

    def open(self, generation: int, sealed: bytes) -> bytes | None:
        """The content, or None if this generation is not held or the box is not for it."""
        box = self._boxes.get(generation)
        if box is None:
            return None
        try:
            return box.decrypt(sealed)
        except (CryptoError, ValueError):
            return None

    def __repr__(self) -> str:
        return f"AuditOpener(generations={sorted(self._boxes)})"
