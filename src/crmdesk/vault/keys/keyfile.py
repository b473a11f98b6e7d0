"""``keys.json``: each person's key slot and the data keys granted to them.

Beside ``vault.json`` in the vault folder, because it is needed before the database can
be opened. Nothing in it is secret in the clear: a slot's secret is wrapped (password,
OS keyring, recovery key), and every data key is sealed to the public key of each
person who holds it. Changes go through :func:`update_keyfile`, which re-reads the file
under the vault's metadata lock and replaces it atomically, like ``vault.json``.

Layout::

    {"magic": "crmdesk-keys", "format": 1, "vault_id": "...",
     "keys": {"main": {"generation": 2, "check": "..."}, "book:ab12": {...},
              "audit": {"generation": 1, "publics": {"1": "<b64>"}}},
     "people": {"zoe": {"login": "Zoe", "serial": 1, "box_public": "<b64>",
                        "sign_public": "<b64>", "wraps": {"password": {...}},
                        "grants": {"main@2": "<b64 sealed>", ...}}},
     "state": {...}}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crmdesk.errors import NewerVault, VaultDamaged
from crmdesk.files import write_private
from crmdesk.vault.keys.person import PersonPublic, b64, unb64
from crmdesk.vault.locks import metadata_lock

KEYFILE_NAME = "keys.json"
MAGIC = "crmdesk-keys"
FORMAT = 1


def grant_id(key_id: str, generation: int) -> str:
    return f"{key_id}@{generation}"


@dataclass(slots=True)
class DataKeyInfo:
    """One data key's current generation and what tells a right key from a wrong one."""

    generation: int
    # Symmetric keys: the HMAC check value of the current generation.
    check: str = ""
    # The audit key pair: its public key (b64) for every generation, by generation.
    publics: dict[str, str] | None = None
    # While a rotation runs: the next generation and its check value.
    pending: dict[str, Any] | None = None


@dataclass(slots=True)
class Slot:
    login: str
    serial: int
    box_public: str
    sign_public: str
    wraps: dict[str, dict[str, Any]] = field(default_factory=dict)
    grants: dict[str, str] = field(default_factory=dict)

    @property
    def public(self) -> PersonPublic:
        return PersonPublic(
            self.login, self.serial, unb64(self.box_public), unb64(self.sign_public)
        )

    def held_key_ids(self) -> set[str]:
        return {g.rpartition("@")[0] for g in self.grants}

    def grant(self, key_id: str, generation: int, secret: bytes) -> None:
        self.grants[grant_id(key_id, generation)] = b64(self.public.seal(secret))

    def revoke(self, key_id: str) -> None:
        for name in [g for g in self.grants if g.rpartition("@")[0] == key_id]:
            del self.grants[name]


@dataclass(slots=True)
class KeyFile:
    vault_id: str
    keys: dict[str, DataKeyInfo] = field(default_factory=dict)
    people: dict[str, Slot] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    def slot(self, login: str) -> Slot | None:
        return self.people.get(login.casefold())

    def add_slot(self, slot: Slot) -> None:
        self.people[slot.login.casefold()] = slot

    def remove_slot(self, login: str) -> None:
        self.people.pop(login.casefold(), None)

    def holders(self, key_id: str) -> list[Slot]:
        return [s for s in self.people.values() if key_id in s.held_key_ids()]

    def to_json(self) -> dict[str, Any]:
        return {
            "magic": MAGIC,
            "format": FORMAT,
            "vault_id": self.vault_id,
            "keys": {k: _without_empty(asdict(v)) for k, v in sorted(self.keys.items())},
            "people": {k: asdict(v) for k, v in sorted(self.people.items())},
            "state": self.state,
        }


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", None)}


def encode(keyfile: KeyFile) -> bytes:
    return (json.dumps(keyfile.to_json(), indent=2, sort_keys=True) + "\n").encode("utf-8")


def decode(data: bytes, path: Path) -> KeyFile:
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict) or raw.get("magic") != MAGIC:
            raise ValueError("not a crmdesk key file")
        if not isinstance(raw.get("format"), int):
            raise ValueError("no format")
        if raw["format"] > FORMAT:
            raise NewerVault(
                f"This vault's key file was written by a newer crmdesk (key file format "
                f"{raw['format']}; this version reads up to {FORMAT}). Update crmdesk.",
                code="vault.newer.format",
            )
        keys = {k: DataKeyInfo(**v) for k, v in raw["keys"].items()}
        people = {k: Slot(**v) for k, v in raw["people"].items()}
        for name, slot in people.items():
            if name != slot.login.casefold() or slot.serial < 1:
                raise ValueError("slot")
            unb64(slot.box_public), unb64(slot.sign_public)
        return KeyFile(str(raw["vault_id"]), keys, people, dict(raw.get("state") or {}))
    except NewerVault:
        raise
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise VaultDamaged(
            f"The vault's key file {path} is unreadable or incomplete ({type(exc).__name__}). "
            "Restore the vault folder from your latest backup.",
            code="vault.damaged.keys",
            path=path,
        ) from None


def read_keyfile(folder: Path) -> KeyFile:
    path = folder / KEYFILE_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VaultDamaged(
            f"The vault in {folder} has lost its key file ({KEYFILE_NAME}). Restore the "
            "vault folder from your latest backup.",
            code="vault.damaged.keys",
            path=folder / KEYFILE_NAME,
        ) from None
    return decode(data, path)


def write_keyfile(folder: Path, keyfile: KeyFile) -> None:
    """Only for a vault being made (or migrated) by one process; later: update_keyfile."""
    write_private(folder / KEYFILE_NAME, encode(keyfile))


def update_keyfile(folder: Path, change: Callable[[KeyFile], None]) -> KeyFile:
    """Lock, read fresh, apply ``change``, replace atomically; returns what is on disk."""
    with metadata_lock(folder):
        keyfile = read_keyfile(folder)
        before = encode(keyfile)
        change(keyfile)
        after = encode(keyfile)
        if after != before:
            write_private(folder / KEYFILE_NAME, after)
    return keyfile
