"""Changing who holds which key: slots added and removed, grants given and taken back,
a person's own password and keys changed, the owner's keyring and recovery wraps.

Every change re-reads keys.json under its lock and replaces it atomically
(:func:`~crmdesk.vault.keys.keyfile.update_keyfile`). Granting a key needs the key
itself, so only someone who holds it can grant it, and it needs only the receiver's
public key, so nobody's password is ever asked for. Which person should hold which key
(their role) is the services' rule; this module only does what it is told.

A grant taken back is only a promise: the person may have kept a copy of the key.
What makes it real is rotating the key (:mod:`.rotation`); the callers do that.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from crmdesk.errors import BadInput, CannotUnlock, CrmdeskError, VaultDamaged
from crmdesk.vault.keys.keyfile import DataKeyInfo, KeyFile, Slot, update_keyfile
from crmdesk.vault.keys.keystore import KeyStore, pending_id
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.keys.person import CannotOpen, PersonPublic, PersonSecret, b64, unb64
from crmdesk.vault.keys.slots import (
    AUDIT,
    KEYRING,
    PASSWORD,
    RECOVERY,
    book_key_id,
    check_value,
    open_slot,
    wrap_slot,
)
from crmdesk.vault.keys.vault_key import VaultKey
from crmdesk.vault.keys.wrapping import WrongSecret
from crmdesk.vault.protection import AWAITING
from crmdesk.vault.unlocked import Person, UnlockedVault


def new_slot(login: str, serial: int, secret: PersonSecret) -> Slot:
    public = secret.public(login, serial)
    return Slot(login, serial, b64(public.box_public), b64(public.sign_public))


def _own(vault: UnlockedVault) -> Person:
    if vault.person is None:
        raise CannotUnlock("The vault is locked. Unlock it again to continue.", code="vault.locked")
    return vault.person


def _grant_held(vault: UnlockedVault, keyfile: KeyFile, slot: Slot, key_ids: Iterable[str]) -> None:
    """Seal to ``slot`` each key in ``key_ids`` that this vault's person holds, at its
    current generation (and, for the audit key, every generation held)."""
    for key_id in key_ids:
        if key_id == AUDIT:
            for generation, secret in vault.held.audit.items():
                slot.grant(AUDIT, generation, secret)
            continue
        info = keyfile.keys.get(key_id)
        key = vault.held.current.get(key_id)
        if info is None or key is None:
            raise BadInput(
                f"You do not hold the key {key_id!r}, so you cannot grant it.",
                code="key.not_held",
                key=key_id,
            )
        slot.grant(key_id, info.generation, key.raw)
        pending = vault.held.pending.get(key_id)
        if info.pending and pending is not None:
            slot.grant(key_id, int(info.pending["generation"]), pending.raw)


def _not_awaiting(keyfile: KeyFile, login: str) -> None:
    left = [n for n in keyfile.state.get(AWAITING, []) if n.casefold() != login.casefold()]
    if left:
        keyfile.state[AWAITING] = left
    else:
        keyfile.state.pop(AWAITING, None)


def add_person(
    vault: UnlockedVault,
    login: str,
    password: str,
    key_ids: Iterable[str],
    *,
    kdf: KdfParams = DEFAULT_KDF,
) -> PersonPublic:
    """A new slot for ``login``: new key pairs wrapped by ``password``, and grants of
    ``key_ids``. Replaces an earlier slot of the same login (a reset password)."""
    secret = PersonSecret.generate()
    vault_id = vault.meta.vault_id
    wanted = list(key_ids)
    made: list[PersonPublic] = []

    def change(keyfile: KeyFile) -> None:
        old = keyfile.slot(login)
        serial = old.serial + 1 if old is not None else _next_serial(vault, login)
        slot = new_slot(login, serial, secret)
        wrap_slot(slot, vault_id, secret, PASSWORD, password=password, kdf=kdf)
        _grant_held(vault, keyfile, slot, wanted)
        keyfile.add_slot(slot)
        _not_awaiting(keyfile, login)
        made[:] = [slot.public]

    update_keyfile(vault.folder, change)
    return made[0]


def _next_serial(vault: UnlockedVault, login: str) -> int:
    """Serials never repeat for a login, even after its slot was removed."""
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT coalesce(max(serial), 0) FROM person_keys WHERE login = ?", (login,)
        ).fetchone()
    return int(row[0]) + 1


def remove_person(vault: UnlockedVault, login: str) -> set[str]:
    """Delete ``login``'s slot (every wrap and grant); returns the key ids they held."""
    held: set[str] = set()

    def change(keyfile: KeyFile) -> None:
        slot = keyfile.slot(login)
        if slot is not None:
            held.update(slot.held_key_ids())
            keyfile.remove_slot(login)

    update_keyfile(vault.folder, change)
    return held


def set_grants(
    vault: UnlockedVault, login: str, key_ids: Iterable[str], expected: PersonPublic
) -> tuple[set[str], set[str]]:
    """Make ``login`` hold exactly ``key_ids``; returns (granted, taken back).

    ``expected`` is the person's public key as the database endorses it: a slot whose
    public key differs (keys.json was tampered with to receive keys meant for someone
    else) gets nothing.
    """
    wanted = set(key_ids)
    granted: set[str] = set()
    taken: set[str] = set()

    def change(keyfile: KeyFile) -> None:
        slot = keyfile.slot(login)
        if slot is None:
            return
        if slot.public != expected:
            raise VaultDamaged(
                f"The key slot of {login!r} in keys.json does not match the key the vault "
                "records for them: the file was tampered with. Restore it from a backup.",
                code="key.tampered",
                login=login,
            )
        had = slot.held_key_ids()
        granted.update(wanted - had)
        taken.update(had - wanted)
        for key_id in taken:
            slot.revoke(key_id)
        _grant_held(vault, keyfile, slot, sorted(granted))

    update_keyfile(vault.folder, change)
    return granted, taken


def change_own_password(
    vault: UnlockedVault, new_password: str, *, roll_over: bool, kdf: KdfParams = DEFAULT_KDF
) -> PersonPublic:
    """Wrap the signed-in person's slot under ``new_password``.

    With ``roll_over`` the person gets new key pairs first (serial + 1) and every grant
    they hold is sealed again to the new public key: after a first or reset password,
    which someone else set, only the person holds their own keys. The caller records the
    new public key, endorsed by the old one.
    """
    if roll_over:
        return roll_over_keys(vault, password=new_password, kdf=kdf)[0]
    person = _own(vault)

    def change(keyfile: KeyFile) -> None:
        slot = keyfile.slot(person.login)
        if slot is None:
            raise CannotUnlock(
                "Your key slot is gone: ask the vault's owner.", code="key.slot_gone"
            )
        wrap_slot(
            slot, vault.meta.vault_id, person.secret, PASSWORD, password=new_password, kdf=kdf
        )

    update_keyfile(vault.folder, change)
    return person.public


def roll_over_keys(
    vault: UnlockedVault,
    *,
    password: str | None = None,
    store: KeyStore | None = None,
    recovery: bool = False,
    kdf: KdfParams = DEFAULT_KDF,
) -> tuple[PersonPublic, VaultKey | None]:
    """New key pairs for the signed-in person (serial + 1), in one write of keys.json:
    their grants sealed again to them, and the slot wrapped every way it is to open —
    by ``password``; by a new secret in the OS keyring ``store``; by a new recovery key
    (returned, to show once) — so that no moment exists when the slot opens no way.

    The keyring's new secret goes first into a second entry (``vault-<id>.next``) that
    the new wrap names, and only then replaces the usual entry: a crash at any point
    leaves an entry that opens the slot keys.json holds.
    """
    person = _own(vault)
    vault_id = vault.meta.vault_id
    secret = PersonSecret.generate()
    slot_key = VaultKey.generate() if store is not None else None
    recovery_secret = VaultKey.generate() if recovery else None
    if store is not None and slot_key is not None:
        store.put(pending_id(vault_id), slot_key)
    result: list[PersonPublic] = []

    def change(keyfile: KeyFile) -> None:
        old = keyfile.slot(person.login)
        if old is None:
            raise CannotUnlock(
                "Your key slot is gone: ask the vault's owner.", code="key.slot_gone"
            )
        slot = new_slot(person.login, old.serial + 1, secret)
        for name, sealed in old.grants.items():
            key_id, _, generation = name.rpartition("@")
            raw = _open_grant(person.secret, sealed)
            if raw is not None:
                slot.grant(key_id, int(generation), raw)
        if password is not None:
            wrap_slot(slot, vault_id, secret, PASSWORD, password=password, kdf=kdf)
        if slot_key is not None:
            wrap_slot(slot, vault_id, secret, KEYRING, key=slot_key)
            slot.wraps[KEYRING]["entry"] = "next"
        if recovery_secret is not None:
            wrap_slot(slot, vault_id, secret, RECOVERY, key=recovery_secret)
            keyfile.state[UNSHOWN_RECOVERY] = True
        keyfile.add_slot(slot)
        result[:] = [slot.public]

    update_keyfile(vault.folder, change)
    vault.person = Person(person.login, result[0].serial, secret)
    if store is not None and slot_key is not None:
        store.put(vault_id, slot_key)

        def settled(keyfile: KeyFile) -> None:
            slot = keyfile.slot(person.login)
            if slot is not None and KEYRING in slot.wraps:
                slot.wraps[KEYRING].pop("entry", None)

        update_keyfile(vault.folder, settled)
        with contextlib.suppress(CrmdeskError):  # a leftover entry opens nothing new
            store.delete(pending_id(vault_id))
        slot_key.wipe()
    return result[0], recovery_secret


def _open_grant(secret: PersonSecret, sealed: str) -> bytes | None:
    try:
        return secret.open(unb64(sealed))
    except CannotOpen:
        return None


def check_own_password(vault: UnlockedVault, password: str) -> bool:
    """True if ``password`` opens the signed-in person's slot (the lock screen's check)."""
    person = _own(vault)
    slot = vault.keyfile().slot(person.login)
    if slot is None or PASSWORD not in slot.wraps:
        return False
    try:
        open_slot(slot, vault.meta.vault_id, PASSWORD, password=password)
    except WrongSecret:
        return False
    return True


def keep_in_keyring(vault: UnlockedVault, store: KeyStore) -> str:
    """The signed-in owner's slot also opens with a new random secret kept in ``store``
    (a one-person vault). Returns where, in words."""
    person = _own(vault)
    slot_key = VaultKey.generate()
    # The keyring first: a wrap no keyring entry opens would lock the owner out.
    store.put(vault.meta.vault_id, slot_key)

    def change(keyfile: KeyFile) -> None:
        slot = keyfile.slot(person.login)
        if slot is None:
            raise CannotUnlock(
                "Your key slot is gone: use your recovery key.", code="key.slot_gone"
            )
        wrap_slot(slot, vault.meta.vault_id, person.secret, KEYRING, key=slot_key)

    update_keyfile(vault.folder, change)
    slot_key.wipe()
    return store.describe()


def forget_keyring(vault: UnlockedVault, store: KeyStore | None) -> None:
    """Nothing in the OS keyring opens the vault any more: the wrap goes from keys.json
    first, then the entry (a crash in between leaves an entry that opens nothing)."""

    def change(keyfile: KeyFile) -> None:
        for slot in keyfile.people.values():
            slot.wraps.pop(KEYRING, None)

    update_keyfile(vault.folder, change)
    if store is not None:
        store.delete(vault.meta.vault_id)


def set_passphrase(vault: UnlockedVault, passphrase: str, *, kdf: KdfParams = DEFAULT_KDF) -> None:
    """The signed-in person's slot opens with ``passphrase`` (their password)."""
    person = _own(vault)

    def change(keyfile: KeyFile) -> None:
        slot = keyfile.slot(person.login)
        if slot is None:
            raise CannotUnlock(
                "Your key slot is gone: use your recovery key.", code="key.slot_gone"
            )
        wrap_slot(slot, vault.meta.vault_id, person.secret, PASSWORD, password=passphrase, kdf=kdf)

    update_keyfile(vault.folder, change)


def set_recovery(vault: UnlockedVault, recovery_secret: VaultKey) -> None:
    """The signed-in owner's slot also opens with ``recovery_secret`` (the recovery key)."""
    person = _own(vault)

    def change(keyfile: KeyFile) -> None:
        for slot in keyfile.people.values():
            slot.wraps.pop(RECOVERY, None)  # one recovery key, the owner's
        slot = keyfile.slot(person.login)
        if slot is None:
            raise CannotUnlock(
                "Your key slot is gone: use your recovery key.", code="key.slot_gone"
            )
        wrap_slot(slot, vault.meta.vault_id, person.secret, RECOVERY, key=recovery_secret)

    update_keyfile(vault.folder, change)


UNSHOWN_RECOVERY = "recovery_unshown"  # keys.json state: a recovery key nobody saw yet
DISABLED = "disabled"  # keys.json state: logins whose accounts are disabled


def new_recovery_key(vault: UnlockedVault) -> VaultKey:
    """A new recovery key for the signed-in owner's slot (the old one stops working).

    keys.json remembers that nobody has seen it until :func:`recovery_key_shown`: an
    open that finds it unseen makes another one, so a crash before it was shown never
    leaves the owner with a recovery key they do not have.
    """
    person = _own(vault)
    secret = VaultKey.generate()

    def change(keyfile: KeyFile) -> None:
        for slot in keyfile.people.values():
            slot.wraps.pop(RECOVERY, None)
        slot = keyfile.slot(person.login)
        if slot is None:
            raise CannotUnlock(
                "Your key slot is gone: use your recovery key.", code="key.slot_gone"
            )
        wrap_slot(slot, vault.meta.vault_id, person.secret, RECOVERY, key=secret)
        keyfile.state[UNSHOWN_RECOVERY] = True

    update_keyfile(vault.folder, change)
    return secret


def recovery_key_shown(vault: UnlockedVault) -> None:
    def change(keyfile: KeyFile) -> None:
        keyfile.state.pop(UNSHOWN_RECOVERY, None)

    update_keyfile(vault.folder, change)


def needs_new_recovery_key(keyfile: KeyFile, login: str) -> bool:
    """True for the owner whose slot has no recovery wrap, or one nobody has seen."""
    slot = keyfile.slot(login)
    if slot is None:
        return False
    return RECOVERY not in slot.wraps or bool(keyfile.state.get(UNSHOWN_RECOVERY))


def mark_disabled(vault: UnlockedVault, login: str, disabled: bool) -> None:
    """Remember outside the database that an account is disabled, so that sign-in can
    say so before (and without) checking a password."""

    def change(keyfile: KeyFile) -> None:
        if disabled:
            _not_awaiting(keyfile, login)
        names = {n for n in keyfile.state.get(DISABLED, []) if n != login.casefold()}
        if disabled:
            names.add(login.casefold())
        if names:
            keyfile.state[DISABLED] = sorted(names)
        else:
            keyfile.state.pop(DISABLED, None)

    update_keyfile(vault.folder, change)


def is_disabled(keyfile: KeyFile, login: str) -> bool:
    return login.casefold() in keyfile.state.get(DISABLED, [])


def create_book(vault: UnlockedVault, book_id: str, holders: Iterable[PersonPublic]) -> str:
    """A new book file under its own new key, granted to ``holders`` and attached here;
    returns its schema name. The key file first: a crash before the file exists leaves a
    key that opens nothing, never a file nobody can open."""
    key = VaultKey.generate()
    key_id = book_key_id(book_id)
    vault_id = vault.meta.vault_id
    people = list(holders)

    def change(keyfile: KeyFile) -> None:
        keyfile.keys[key_id] = DataKeyInfo(1, check_value(vault_id, key_id, key))
        for public in people:
            slot = keyfile.slot(public.login)
            if slot is None:
                continue
            if slot.public != public:
                raise VaultDamaged(
                    f"The key slot of {public.login!r} in keys.json does not match the key "
                    "the vault records for them: the file was tampered with.",
                    code="key.tampered",
                    login=public.login,
                )
            slot.grant(key_id, 1, key.raw)

    update_keyfile(vault.folder, change)
    vault.held.current[key_id] = key
    with vault._lock:
        return vault.books.attach(
            vault.connection, vault.folder, vault_id, book_id, key, create=True
        )
