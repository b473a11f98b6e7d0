"""The keys of change-file sections: who gets which, and where they come from.

A section's key id is ``office@<generation>`` (basic information and records' lives) or
``book:<id>@<generation>`` (one book's value-added information). On the office's own
vault they are derived from the data keys it holds (HKDF, :func:`section_key`); a member
device holds only those its person's key grant gave it, sealed to that person.
"""

from __future__ import annotations

from typing import Any

from crmdesk.vault.keys.device import section_key
from crmdesk.vault.keys.slots import BOOK_PREFIX, MAIN

from . import ledger, state


def base_of(section_id: str) -> str:
    """``book:x@2`` -> ``book:x``; ``office@1`` -> ``office``."""
    return section_id.rpartition("@")[0] or section_id


def office_keys(vault: Any) -> dict[str, bytes]:
    """The section keys the office's own vault derives from the data keys held now."""
    keyfile = vault.keyfile()
    found: dict[str, bytes] = {}
    for key_id, key in vault.held.current.items():
        info = keyfile.keys.get(key_id)
        if info is None:
            continue
        if key_id == MAIN:
            base = ledger.OFFICE
        elif key_id.startswith(BOOK_PREFIX):
            base = key_id
        else:
            continue
        found[f"{base}@{info.generation}"] = section_key(key.raw, key_id, info.generation)
    return found


def held(vault: Any, found: state.Office) -> dict[str, bytes]:
    """Every section key this device holds now."""
    if found.kind == state.OWNER:
        return office_keys(vault)
    return state.member_keys(vault)


def newest(keys: dict[str, bytes]) -> dict[str, str]:
    """Section base -> the id of its newest generation held (what is written with)."""
    best: dict[str, tuple[int, str]] = {}
    for section_id in keys:
        base, _, generation = section_id.rpartition("@")
        number = int(generation) if generation.isdigit() else 0
        if base and (base not in best or number > best[base][0]):
            best[base] = (number, section_id)
    return {base: section_id for base, (_, section_id) in best.items()}


def for_person(vault: Any, role: str, login: str) -> dict[str, bytes]:
    """The section keys a person of ``role`` gets for their device: the office's basic
    information always; every book for the Owner and Managers; a Salesperson's own book."""
    keys = office_keys(vault)
    if role in ("owner", "manager"):
        # And the audit key: every device's trail is sealed to it (trails.py).
        return keys | {f"audit@{g}": secret for g, secret in vault.held.audit.items()}
    own = None
    if role == "salesperson":
        row = vault.connection.execute(
            "SELECT id FROM books WHERE login = ? COLLATE NOCASE", (login,)
        ).fetchone()
        own = None if row is None else f"{BOOK_PREFIX}{row[0]}"
    return {k: v for k, v in keys.items() if base_of(k) in (ledger.OFFICE, own)}
