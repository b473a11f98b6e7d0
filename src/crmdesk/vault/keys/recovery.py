"""Recovery keys: the vault key written so that a person can print it and type it back.

Format: 56 characters of Crockford base32 in 14 groups of four, for example
``7K3M-...-Q2ZD``. They encode the 32 key bytes followed by a 3-byte checksum
(the start of a SHA-256 of the key), so a typo is caught with a probability of
1 - 2**-24. Typing is forgiving: case, spaces and dashes do not matter, and the
letters I, L and O are read as 1, 1 and 0, as Crockford intends.
"""

from __future__ import annotations

import hashlib

from crmdesk.errors import BadRecoveryKey
from crmdesk.vault.keys.vault_key import KEY_BYTES, VaultKey

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(_ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_CHECK_BYTES = 3
_CHARS = (KEY_BYTES + _CHECK_BYTES) * 8 // 5  # 280 bits -> 56 characters, no padding
_GROUP = 4
_LABEL = b"crmdesk recovery v1:"


def _checksum(raw: bytes) -> bytes:
    return hashlib.sha256(_LABEL + raw).digest()[:_CHECK_BYTES]


def encode(key: VaultKey) -> str:
    """The recovery key for ``key``, grouped for reading aloud and typing."""
    payload = key.raw + _checksum(key.raw)
    number = int.from_bytes(payload, "big")
    chars = [_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(_CHARS))]
    text = "".join(chars)
    return "-".join(text[i : i + _GROUP] for i in range(0, _CHARS, _GROUP))


def decode(text: str) -> VaultKey:
    """The vault key from a typed recovery key; a typo raises :class:`BadRecoveryKey`."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    bad = sorted({ch for ch in cleaned if ch not in _DECODE})
    if bad:
        raise BadRecoveryKey(
            "The recovery key contains characters that are never part of one: "
            f"{' '.join(bad)}. Type it again from your printed copy.",
            code="recovery_key.bad_characters",
        )
    if len(cleaned) != _CHARS:
        raise BadRecoveryKey(
            f"A recovery key has {_CHARS} characters (14 groups of 4); this one has "
            f"{len(cleaned)}. Check that no group is missing or doubled.",
            code="recovery_key.bad_length",
        )
    number = 0
    for ch in cleaned:
        number = (number << 5) | _DECODE[ch]
    payload = number.to_bytes(KEY_BYTES + _CHECK_BYTES, "big")
    raw, check = payload[:KEY_BYTES], payload[KEY_BYTES:]
    if _checksum(raw) != check:
        raise BadRecoveryKey(
            "The recovery key has a typo: its checksum does not match. "
            "Compare each group with your printed recovery kit and type it again.",
            code="recovery_key.typo",
        )
    return VaultKey(raw)
