"""Opening a person's key slot, and the data keys their grants hold.

A slot's secret is wrapped in up to three ways (:data:`PASSWORD`, :data:`KEYRING`,
:data:`RECOVERY`); each wrap's associated data names the vault, the person, the key
serial and the way, so a wrap copied to another slot, vault or way does not open.
Opening a wrap is the password check: nothing else about a password is stored.

Data keys are granted by sealing them to the person's public key (``keyfile.Slot.grant``);
:class:`HeldKeys` is what a signed-in person's grants open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nacl.public import PrivateKey

from crmdesk.vault.keys.keyfile import DataKeyInfo, KeyFile, Slot
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.keys.person import CannotOpen, PersonSecret, unb64
from crmdesk.vault.keys.vault_key import VaultKey
from crmdesk.vault.keys.wrapping import (
    WrongSecret,
    unwrap_with_key,
    unwrap_with_password,
    wrap_with_key,
    wrap_with_password,
)

PASSWORD = "password"  # Argon2id of the person's password
KEYRING = "keyring"  # a random slot key in the OS keyring (the owner of a one-person vault)
RECOVERY = "recovery"  # the owner's recovery key

MAIN = "main"  # the main database's key
AUDIT = "audit"  # the key pair audit details with value-added content are sealed to
BOOK_PREFIX = "book:"


def book_key_id(book_id: str) -> str:
    return BOOK_PREFIX + book_id


def _aad(vault_id: str, slot: Slot, how: str) -> bytes:
    return f"crmdesk slot v1|{vault_id}|{slot.login.casefold()}|{slot.serial}|{how}".encode()


def wrap_slot(
    slot: Slot,
    vault_id: str,
    secret: PersonSecret,
    how: str,
    *,
    password: str | None = None,
    key: VaultKey | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> None:
    """Add (or replace) one way of opening ``slot``: by ``password`` or by ``key``."""
    aad = _aad(vault_id, slot, how)
    if password is not None:
        slot.wraps[how] = wrap_with_password(secret.raw, password, aad, kdf)
    elif key is not None:
        slot.wraps[how] = wrap_with_key(secret.raw, key.raw, aad)
    else:
        raise ValueError("a slot is wrapped by a password or by a key")


def open_slot(
    slot: Slot,
    vault_id: str,
    how: str,
    *,
    password: str | None = None,
    key: VaultKey | None = None,
) -> PersonSecret:
    """The person's secret; :class:`WrongSecret` if the password or key does not open it
    (or the slot has no such wrap)."""
    record = slot.wraps.get(how)
    if record is None:
        raise WrongSecret
    aad = _aad(vault_id, slot, how)
    if password is not None:
        raw = unwrap_with_password(record, password, aad)
    elif key is not None:
        raw = unwrap_with_key(record, key.raw, aad)
    else:
        raise ValueError("a slot is opened by a password or by a key")
    secret = PersonSecret(raw)
    mine = secret.public(slot.login, slot.serial)
    if (mine.box_public, mine.sign_public) != (
        unb64(slot.box_public),
        unb64(slot.sign_public),
    ):
        # The wrap opened, but holds another person's keys: the file was tampered with.
        raise WrongSecret
    return secret


def check_value(vault_id: str, key_id: str, key: VaultKey) -> str:
    """A data key's non-secret check value (the main key's is the vault's, as before)."""
    return key.check_value(vault_id if key_id == MAIN else f"{vault_id}/{key_id}")


def audit_public(secret: bytes) -> bytes:
    return bytes(PrivateKey(secret).public_key)


@dataclass(slots=True)
class HeldKeys:
    """The data keys one person's grants open, by generation.

    ``current`` holds each key at the generation keys.json names as current;
    ``pending`` the next generation of a rotation under way; ``audit`` every audit
    generation granted (old sealed details stay readable to those who held them).
    """

    current: dict[str, VaultKey] = field(default_factory=dict)
    pending: dict[str, VaultKey] = field(default_factory=dict)
    audit: dict[int, bytes] = field(default_factory=dict)

    @classmethod
    def open(cls, keyfile: KeyFile, slot: Slot, secret: PersonSecret) -> HeldKeys:
        held = cls()
        for name, sealed in slot.grants.items():
            key_id, _, number = name.rpartition("@")
            info = keyfile.keys.get(key_id)
            if info is None or not number.isdigit():
                continue  # a grant of a key that is gone: nothing to open
            generation = int(number)
            try:
                raw = secret.open(unb64(sealed))
            except CannotOpen:
                continue  # not sealed to this person (tampered): treated as not held
            if key_id == AUDIT:
                if _audit_matches(info, generation, raw):
                    held.audit[generation] = raw
                continue
            key = VaultKey(raw)
            if generation == info.generation and _matches(keyfile, key_id, key, info.check):
                held.current[key_id] = key
            elif (
                info.pending
                and generation == info.pending.get("generation")
                and _matches(keyfile, key_id, key, str(info.pending.get("check", "")))
            ):
                held.pending[key_id] = key
        return held

    @property
    def main(self) -> VaultKey | None:
        return self.current.get(MAIN)

    def books(self) -> dict[str, VaultKey]:
        return {
            k[len(BOOK_PREFIX) :]: v for k, v in self.current.items() if k.startswith(BOOK_PREFIX)
        }

    def wipe(self) -> None:
        for key in (*self.current.values(), *self.pending.values()):
            key.wipe()
        self.current.clear()
        self.pending.clear()
        self.audit.clear()


def _matches(keyfile: KeyFile, key_id: str, key: VaultKey, check: str) -> bool:
    return bool(check) and key.matches(
        keyfile.vault_id if key_id == MAIN else f"{keyfile.vault_id}/{key_id}", check
    )


def _audit_matches(info: DataKeyInfo, generation: int, raw: bytes) -> bool:
    public = info.publics.get(str(generation)) if info.publics else None
    return public is not None and unb64(public) == audit_public(raw)
