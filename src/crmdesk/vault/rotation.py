"""Rotating data keys: files re-encrypted under new keys, granted to who holds them now.

A rotation of the main key or a book key takes four steps (:func:`rotate`):

1. the new key goes into keys.json as the key's *pending* generation, sealed to every
   person who will hold it, before any file changes;
2. the file is re-encrypted (SQLCipher ``rekey``, one transaction: the file is wholly
   under the old key or wholly under the new one);
3. the rotation is recorded in the audit trail (never key material);
4. the pending generation becomes the current one, and the old grants go.

A crash at any point leaves a state that the next open settles (:func:`settle`): which
key the file is under decides whether the rotation is finished or forgotten. The audit
key pair has no file: its new generation is made and granted in one write of keys.json,
and old generations stay granted to those who still hold the key, so that the details
sealed to them stay readable.

Rotation needs the vault alone: another process with the file open under the old key
would fail at its next read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import CrmdeskError, KeyRotationFailed, VaultDamaged, VaultInUse
from crmdesk.vault.books import book_path
from crmdesk.vault.connection import (
    DatabaseError,
    UnreadableDatabase,
    checkpoint_truncate,
    open_database,
    opens_with,
    rekey,
)
from crmdesk.vault.keys.keyfile import KeyFile, Slot, grant_id, update_keyfile
from crmdesk.vault.keys.person import PersonPublic, PersonSecret, b64
from crmdesk.vault.keys.slots import (
    AUDIT,
    BOOK_PREFIX,
    MAIN,
    HeldKeys,
    audit_public,
    check_value,
)
from crmdesk.vault.keys.vault_key import VaultKey
from crmdesk.vault.locks import OPEN_ELSEWHERE
from crmdesk.vault.metadata import VaultMetadata
from crmdesk.vault.paths import DATABASE_NAME
from crmdesk.vault.unlocked import UnlockedVault

_REOPEN = (
    "Changing a key of the vault did not finish cleanly. Close crmdesk and open the vault "
    "again: it settles the change. Nothing was lost."
)


@dataclass(frozen=True, slots=True)
class Rotated:
    """What a rotation did, for the audit trail: key ids and their new generations."""

    generations: dict[str, int]


def file_of(folder: Path, key_id: str) -> Path | None:
    if key_id == MAIN:
        return folder / DATABASE_NAME
    if key_id.startswith(BOOK_PREFIX):
        return book_path(folder, key_id[len(BOOK_PREFIX) :])
    return None


# -- rotating ---------------------------------------------------------------------------


def rotate(
    vault: UnlockedVault,
    key_ids: Iterable[str],
    holders: Mapping[str, Iterable[PersonPublic]],
) -> Rotated:
    """New generations of ``key_ids``, granted to exactly ``holders[key_id]`` (whose
    public keys the caller checked against what the database endorses).

    The caller records the audit event (it knows why) inside a transaction after this
    returns; if it cannot, the rotation has still happened.
    """
    ids = sorted(set(key_ids), key=lambda k: (k != AUDIT, k != MAIN, k))
    with vault._lock:
        if vault.connection.in_transaction:
            raise RuntimeError("rotate cannot run inside a transaction")
        if any(file_of(vault.folder, k) for k in ids) and not vault._open_lock.try_exclusive(
            vault.folder
        ):
            raise VaultInUse(OPEN_ELSEWHERE, code="vault.in_use.elsewhere")
        try:
            done: dict[str, int] = {}
            for key_id in ids:
                people = list(holders.get(key_id, ()))
                if key_id == AUDIT:
                    done[key_id] = _rotate_audit(vault, people)
                else:
                    done[key_id] = _rotate_file_key(vault, key_id, people)
        finally:
            vault._open_lock.downgrade(vault.folder)
    return Rotated(done)


def _check_holders(keyfile: KeyFile, people: list[PersonPublic]) -> list[Slot]:
    slots = []
    for public in people:
        slot = keyfile.slot(public.login)
        if slot is None:
            continue  # no slot (yet): granted when they get one
        if slot.public != public:
            raise VaultDamaged(
                f"The key slot of {public.login!r} in keys.json does not match the key the "
                "vault records for them: the file was tampered with. Restore it from a backup.",
                code="key.tampered",
                login=public.login,
            )
        slots.append(slot)
    return slots


def _rotate_audit(vault: UnlockedVault, people: list[PersonPublic]) -> int:
    secret = PersonSecret.generate().raw[:32]
    made: list[int] = []
    keep = {p.login.casefold() for p in people}

    def change(keyfile: KeyFile) -> None:
        info = keyfile.keys[AUDIT]
        generation = info.generation + 1
        publics = dict(info.publics or {})
        publics[str(generation)] = b64(audit_public(secret))
        info.publics, info.generation = publics, generation
        for slot in keyfile.people.values():
            if slot.login.casefold() not in keep:
                slot.revoke(AUDIT)  # every generation: they leave the audit key behind
        for slot in _check_holders(keyfile, people):
            slot.grant(AUDIT, generation, secret)
            for old, old_secret in vault.held.audit.items():
                if grant_id(AUDIT, old) not in slot.grants:
                    slot.grant(AUDIT, old, old_secret)
        made[:] = [generation]

    update_keyfile(vault.folder, change)
    vault.held.audit[made[0]] = secret
    return made[0]


def _rotate_file_key(vault: UnlockedVault, key_id: str, people: list[PersonPublic]) -> int:
    folder = vault.folder
    old_key = vault.held.current.get(key_id)
    if old_key is None:
        raise KeyRotationFailed(
            f"You do not hold the key {key_id!r}, so you cannot change it.",
            code="key.not_held",
            key=key_id,
        )
    schema = "main" if key_id == MAIN else vault.book_schema(key_id[len(BOOK_PREFIX) :])
    if schema is None:
        raise KeyRotationFailed(
            f"The book of key {key_id!r} is not open.", code="key.not_held", key=key_id
        )
    # No page under the old key may stay in the WAL. With the exclusive lock no other
    # connection reads; where flock is missing (Windows) this still notices one that is
    # reading right now.
    if not checkpoint_truncate(vault.connection, schema):
        raise VaultInUse(OPEN_ELSEWHERE, code="vault.in_use.elsewhere")
    new_key = VaultKey.generate()
    vault_id = vault.meta.vault_id
    new_check = check_value(vault_id, key_id, new_key)
    generations: list[int] = []

    # 1. The new key, sealed to every future holder, before the file changes.
    def park(keyfile: KeyFile) -> None:
        info = keyfile.keys[key_id]
        generation = info.generation + 1
        info.pending = {"generation": generation, "check": new_check}
        for slot in _check_holders(keyfile, people):
            slot.grant(key_id, generation, new_key.raw)
        generations[:] = [generation]

    update_keyfile(folder, park)
    generation = generations[0]
    # 2. Every page re-encrypted under the new key.
    path = file_of(folder, key_id)
    assert path is not None
    try:
        rekey(vault.connection, new_key, schema)
    except DatabaseError as exc:
        if opens_with(path, old_key):
            with contextlib.suppress(OSError, CrmdeskError):
                _drop(folder, key_id, generation)
            raise KeyRotationFailed(
                f"A key of the vault could not be changed ({exc}). Nothing was changed: "
                "the vault opens as before. Try again.",
                code="key.rotation_failed.unchanged",
            ) from None
        raise KeyRotationFailed(_REOPEN, code="key.rotation_failed.reopen") from None
    # The re-encrypted pages sit in the WAL: into the file with them, WAL emptied.
    checkpoint_truncate(vault.connection, schema)
    # Reopen with the new key before trusting it.
    if not opens_with(path, new_key):
        raise KeyRotationFailed(_REOPEN, code="key.rotation_failed.reopen")
    # 4. The new generation takes over; every old grant goes.
    _promote(folder, key_id, generation, new_check)
    vault.held.current[key_id] = new_key
    vault.held.pending.pop(key_id, None)
    old_key.wipe()
    if key_id == MAIN:
        _reopen_main(vault, new_key)
    return generation


def _reopen_main(vault: UnlockedVault, key: VaultKey) -> None:
    """A fresh main connection under the new key, with the books attached again."""
    old = vault.connection
    try:
        fresh = open_database(vault.folder / DATABASE_NAME, key)
    except UnreadableDatabase:
        raise KeyRotationFailed(_REOPEN, code="key.rotation_failed.reopen") from None
    vault.books.schemas.clear()
    vault._conn = fresh
    with contextlib.suppress(DatabaseError):
        old.close()
    vault.attach_held_books()


def _promote(folder: Path, key_id: str, generation: int, check: str) -> None:
    """Make a parked generation current: safe to repeat, and a no-op once done."""

    def promote(keyfile: KeyFile) -> None:
        info = keyfile.keys.get(key_id)
        if info is None or not info.pending or info.pending.get("generation") != generation:
            return
        info.generation, info.check, info.pending = generation, check, None
        for slot in keyfile.people.values():
            for name in [g for g in slot.grants if g.rpartition("@")[0] == key_id]:
                if name != grant_id(key_id, generation):
                    del slot.grants[name]

    update_keyfile(folder, promote)


def _drop(folder: Path, key_id: str, generation: int) -> None:
    """Forget a parked generation the file never went over to."""

    def drop(keyfile: KeyFile) -> None:
        info = keyfile.keys.get(key_id)
        if info is None or not info.pending or info.pending.get("generation") != generation:
            return
        info.pending = None
        for slot in keyfile.people.values():
            slot.grants.pop(grant_id(key_id, generation), None)

    update_keyfile(folder, drop)


# -- a rotation cut short ---------------------------------------------------------------


def settle(
    folder: Path, meta: VaultMetadata, keyfile: KeyFile, slot: Slot, held: HeldKeys
) -> HeldKeys:
    """Finish or forget every key change that was cut short, as far as this person's
    keys allow; returns the keys they hold afterwards."""
    for key_id, info in keyfile.keys.items():
        if not info.pending:
            continue
        path = file_of(folder, key_id)
        generation = int(info.pending["generation"])
        new_key = held.pending.get(key_id)
        if path is None:
            continue
        if new_key is not None and opens_with(path, new_key):
            # The file went over to the new key: finish what the rotation began.
            _promote(folder, key_id, generation, str(info.pending["check"]))
            old = held.current.pop(key_id, None)
            if old is not None:
                old.wipe()
            held.current[key_id] = held.pending.pop(key_id)
        elif key_id in held.current and opens_with(path, held.current[key_id]):
            # It never went over: the old key stays, the new one goes.
            _drop(folder, key_id, generation)
            dropped = held.pending.pop(key_id, None)
            if dropped is not None:
                dropped.wipe()
    del meta, slot  # the signature names what the caller has; settling needs no more
    return held
