"""Master-passphrase mode: the vault key wrapped with a key derived from a passphrase.

Used where no trustworthy OS keyring exists. The random vault key stays the same; only
its wrapping is stored, in the vault's metadata file:

* key derivation: Argon2id (RFC 9106), 64 MiB, 3 passes, 4 lanes, 16-byte random salt;
* wrapping: AES-256-GCM with a 12-byte random nonce, the vault id as associated data
  (so a wrapped key cannot be moved to another vault's metadata).

The parameters are written next to the wrapped key, so they can be raised later without
breaking existing vaults.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crmdesk.errors import BadInput, VaultDamaged, WrongPassphrase
from crmdesk.vault.keys.vault_key import VaultKey

MIN_PASSPHRASE_CHARS = 12


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost parameters (memory in KiB)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


DEFAULT_KDF = KdfParams()


def check_new_passphrase(passphrase: str) -> None:
    """Refuse passphrases too short to resist guessing once the file is copied."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise BadInput(
            f"The passphrase must have at least {MIN_PASSPHRASE_CHARS} characters. "
            "A sentence of four or five unrelated words is strong and easy to remember.",
            code="passphrase.too_short",
            least=MIN_PASSPHRASE_CHARS,
        )


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=passphrase.encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def wrap_key(
    key: VaultKey, passphrase: str, vault_id: str, params: KdfParams = DEFAULT_KDF
) -> dict[str, object]:
    """The JSON-ready record of ``key`` encrypted under ``passphrase``."""
    check_new_passphrase(passphrase)
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = derive_key(passphrase, salt, params)
    sealed = AESGCM(kek).encrypt(nonce, key.raw, vault_id.encode())
    return {
        "kdf": "argon2id",
        "kdf_params": asdict(params),
        "salt": _b64(salt),
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(sealed),
    }


def unwrap_key(record: dict[str, object], passphrase: str, vault_id: str) -> VaultKey:
    """The vault key from its wrapped record; a wrong passphrase raises WrongPassphrase."""
    try:
        if record.get("kdf") != "argon2id" or record.get("cipher") != "aes-256-gcm":
            raise ValueError("unknown algorithm")
        raw_params = record["kdf_params"]
        if not isinstance(raw_params, dict):
            raise ValueError("kdf_params")
        params = KdfParams(**{k: int(v) for k, v in raw_params.items()})
        salt = base64.b64decode(str(record["salt"]), validate=True)
        nonce = base64.b64decode(str(record["nonce"]), validate=True)
        sealed = base64.b64decode(str(record["wrapped_key"]), validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise VaultDamaged(
            "The vault's metadata file has an unreadable passphrase record. "
            "Restore vault.json from a backup, or use your recovery key.",
            code="passphrase.record_damaged",
        ) from exc
    kek = derive_key(passphrase, salt, params)
    try:
        raw = AESGCM(kek).decrypt(nonce, sealed, vault_id.encode())
    except InvalidTag:
        raise WrongPassphrase(
            "That passphrase does not open this vault. Check Caps Lock and try again; "
            "if it is lost, use your recovery key.",
            code="passphrase.wrong",
        ) from None
    return VaultKey(raw)
