"""A secret wrapped so that it can be written to a file: AES-256-GCM under a key that is
either derived from a password (Argon2id) or held elsewhere (the OS keyring, a recovery
key).

A record says how it was made, so parameters can be raised later without breaking old
files. The associated data binds a record to its place (vault, person, key serial, how
it is wrapped): a wrapped secret copied to another person's slot, another vault or
another wrapping method does not open.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import asdict
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crmdesk.errors import VaultDamaged
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams, derive_key


class WrongSecret(Exception):
    """The password or key does not open this record (callers word it for the person)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(record: dict[str, Any], name: str) -> bytes:
    return base64.b64decode(str(record[name]), validate=True)


def wrap_with_password(
    secret: bytes, password: str, aad: bytes, params: KdfParams = DEFAULT_KDF
) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    record = wrap_with_key(secret, derive_key(password, salt, params), aad)
    return {"kdf": "argon2id", "kdf_params": asdict(params), "salt": _b64(salt), **record}


def wrap_with_key(secret: bytes, kek: bytes, aad: bytes) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    return {
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped": _b64(AESGCM(kek).encrypt(nonce, secret, aad)),
    }


def password_params(record: dict[str, Any]) -> tuple[KdfParams, bytes]:
    """The Argon2id parameters and salt of a password record."""
    try:
        if record.get("kdf") != "argon2id":
            raise ValueError("unknown key derivation")
        raw = record["kdf_params"]
        if not isinstance(raw, dict):
            raise ValueError("kdf_params")
        return KdfParams(**{k: int(v) for k, v in raw.items()}), _unb64(record, "salt")
    except (KeyError, TypeError, ValueError) as exc:
        raise _unreadable() from exc


def unwrap_with_password(record: dict[str, Any], password: str, aad: bytes) -> bytes:
    params, salt = password_params(record)
    return unwrap_with_key(record, derive_key(password, salt, params), aad)


def unwrap_with_key(record: dict[str, Any], kek: bytes, aad: bytes) -> bytes:
    try:
        if record.get("cipher") != "aes-256-gcm":
            raise ValueError("unknown cipher")
        nonce, wrapped = _unb64(record, "nonce"), _unb64(record, "wrapped")
    except (KeyError, TypeError, ValueError) as exc:
        raise _unreadable() from exc
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, aad)
    except InvalidTag:
        raise WrongSecret from None


def _unreadable() -> VaultDamaged:
    return VaultDamaged(
        "The vault's key file (keys.json) has an unreadable wrapped key. Restore the vault "
        "folder from a backup.",
        code="vault.damaged.keys",
    )
