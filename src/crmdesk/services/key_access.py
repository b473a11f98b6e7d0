"""Which keys each person holds, who vouches for their keys, and rotations after someone's
access shrinks.

The rule (SECURITY.md, "What each role's keys open"): everyone enabled holds the main
key (basic contact information, the registers, the audit trail); Owners and Managers
hold every book and the audit sealing key; a Salesperson holds their own book; an
Assistant no book.

Every person key is *endorsed*: signed by the owner's key (a new user, a role change, a
reset password) or by the person's own previous key (their own password change). The
owner's first key is pinned in vault.json. At sign-in and whenever keys are granted, a
person's key is checked back along its endorsements to that pin, so a key or role put
into the database or keys.json by someone with the main key alone is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.roles import Role, Visibility, role_from_text
from crmdesk.errors import VaultDamaged, VaultInUse
from crmdesk.services import audit_keys
from crmdesk.vault import Vault
from crmdesk.vault.books import HOUSE
from crmdesk.vault.keys.person import PersonPublic, unb64
from crmdesk.vault.keys.slots import AUDIT, BOOK_PREFIX, MAIN, book_key_id
from crmdesk.vault.rotation import rotate
from crmdesk.vault.unlocked import Person

TAMPERED = (
    "The keys recorded for {login!r} are not vouched for by the owner: someone changed the "
    "vault's files without the owner's key. Keep the vault as it is (it is evidence) and "
    "restore a copy from your latest backup."
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def endorsement_message(vault_id: str, login: str, role: Role, public: PersonPublic) -> bytes:
    return PersonPublic(
        login, public.serial, public.box_public, public.sign_public
    ).endorsement_message(vault_id, role.value)


def endorse(
    vault: Vault,
    conn: Any,
    login: str,
    role: Role,
    public: PersonPublic,
    *,
    signer: Person | None = None,
) -> None:
    """Record ``login``'s key (at ``public.serial``) with ``role``, signed by ``signer``:
    the person who has the vault open (the owner), or the person's own previous key
    when they roll their keys over."""
    signer = signer if signer is not None else vault.person
    if signer is None:
        raise VaultDamaged(
            "Nobody's key is open to vouch for a key.", code="key.tampered", login=login
        )
    signature = signer.sign(endorsement_message(vault.meta.vault_id, login, role, public))
    conn.execute(
        "INSERT INTO person_keys (login, serial, role, box_public, sign_public, endorsed_by,"
        " endorser_serial, endorsement, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (login, serial) DO UPDATE SET role = excluded.role,"
        " endorsed_by = excluded.endorsed_by, endorser_serial = excluded.endorser_serial,"
        " endorsement = excluded.endorsement",
        (
            login,
            public.serial,
            role.value,
            public.box_public,
            public.sign_public,
            signer.login,
            signer.serial,
            signature,
            _now(),
        ),
    )
    conn.execute(
        "UPDATE users SET key_serial = ?, box_public = ?, sign_public = ? WHERE login = ?",
        (public.serial, public.box_public, public.sign_public, login),
    )


@dataclass(frozen=True, slots=True)
class KeyRecord:
    login: str
    serial: int
    role: Role
    public: PersonPublic
    endorsed_by: str
    endorser_serial: int
    endorsement: bytes


def _record(conn: Any, login: str, serial: int) -> KeyRecord | None:
    row = conn.execute(
        "SELECT login, serial, role, box_public, sign_public, endorsed_by, endorser_serial,"
        " endorsement FROM person_keys WHERE login = ? AND serial = ?",
        (login, serial),
    ).fetchone()
    if row is None:
        return None
    public = PersonPublic(row[0], int(row[1]), bytes(row[3]), bytes(row[4]))
    return KeyRecord(
        row[0], int(row[1]), role_from_text(row[2]), public, row[5], int(row[6]), bytes(row[7])
    )


def verified_key(vault: Vault, conn: Any, login: str, serial: int) -> KeyRecord:
    """``login``'s key of ``serial``, checked back along its endorsements to the owner's
    pinned key; :class:`VaultDamaged` if the chain does not hold."""
    vault_id = vault.meta.vault_id
    pinned = unb64(vault.meta.owner_sign_public or "")
    record = _record(conn, login, serial)
    first = record
    seen: set[tuple[str, int]] = set()
    while True:
        if record is None or (record.login.casefold(), record.serial) in seen:
            raise VaultDamaged(TAMPERED.format(login=login), code="key.tampered", login=login)
        seen.add((record.login.casefold(), record.serial))
        endorser = _record(conn, record.endorsed_by, record.endorser_serial)
        if endorser is None:
            raise VaultDamaged(TAMPERED.format(login=login), code="key.tampered", login=login)
        message = endorsement_message(vault_id, record.login, record.role, record.public)
        if not endorser.public.verify(message, record.endorsement):
            raise VaultDamaged(TAMPERED.format(login=login), code="key.tampered", login=login)
        if endorser is not None and (endorser.login.casefold(), endorser.serial) == (
            record.login.casefold(),
            record.serial,
        ):
            # Self-endorsed: only the owner's first key, the pinned one, may be.
            if record.public.sign_public != pinned:
                raise VaultDamaged(TAMPERED.format(login=login), code="key.tampered", login=login)
            assert first is not None
            return first
        record = endorser


def current_key(vault: Vault, conn: Any, login: str) -> KeyRecord | None:
    """The key ``login`` has now, verified; None if they have no key slot yet."""
    row = conn.execute("SELECT key_serial FROM users WHERE login = ?", (login,)).fetchone()
    if row is None or row[0] is None:
        return None
    return verified_key(vault, conn, login, int(row[0]))


# -- who holds what -------------------------------------------------------------------


def book_of(conn: Any, login: str) -> str | None:
    row = conn.execute("SELECT id FROM books WHERE login = ?", (login,)).fetchone()
    return row[0] if row else None


def all_books(conn: Any) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM books ORDER BY created_at, id")]


def holdings(conn: Any, role: Role, login: str) -> set[str]:
    """The key ids a person of ``role`` holds."""
    keys = {MAIN}
    visibility = Visibility.ALL if role in (Role.OWNER, Role.MANAGER) else None
    if visibility is Visibility.ALL:
        keys |= {book_key_id(b) for b in all_books(conn)} | {AUDIT}
    elif role is Role.SALESPERSON:
        own = book_of(conn, login)
        if own is not None:
            keys.add(book_key_id(own))
    return keys


def holders(vault: Vault, conn: Any, key_ids: Iterable[str]) -> dict[str, list[PersonPublic]]:
    """For each key id, the verified public keys of every enabled person who holds it by
    their role (the people a rotation grants the new key to)."""
    rows = conn.execute(
        "SELECT login, role FROM users WHERE disabled_at IS NULL AND key_serial IS NOT NULL"
    ).fetchall()
    people = []
    for login, role in rows:
        record = current_key(vault, conn, login)
        if record is not None:
            people.append((record, holdings(conn, Role(role), login)))
    return {
        key_id: [record.public for record, held in people if key_id in held] for key_id in key_ids
    }


def book_key_ids(key_ids: Iterable[str]) -> list[str]:
    return [k for k in key_ids if k.startswith(BOOK_PREFIX)]


def house_book() -> str:
    return HOUSE


# -- rotations ------------------------------------------------------------------------

PENDING = "rotate"  # keys.json state: key ids whose rotation waits for the vault alone


def rotate_keys(vault: Vault, actor: str, key_ids: Iterable[str], reason: str) -> dict[str, int]:
    """Rotate ``key_ids`` now and record it; if another window has the vault open, the
    rotation waits (keys.json remembers it) and :class:`VaultInUse` says so."""
    from crmdesk.vault.keys.keyfile import update_keyfile

    ids = sorted(set(key_ids))
    if not ids:
        return {}
    with vault.reading() as conn:
        who = holders(vault, conn, ids)
    try:
        done = rotate(vault, ids, who).generations
    except VaultInUse:

        def remember(keyfile: Any) -> None:
            waiting = set(keyfile.state.get(PENDING, [])) | set(ids)
            keyfile.state[PENDING] = sorted(waiting)

        update_keyfile(vault.folder, remember)
        raise
    with vault.transaction() as conn:
        if AUDIT in done:
            # The new audit generation is vouched for before anything is sealed to it.
            audit_keys.endorse_held(vault, conn)
        vault.record_event(
            actor,
            "key.rotated",
            object=vault.meta.vault_id,
            details={"keys": done, "reason": reason},
        )

    def settled(keyfile: Any) -> None:
        left = sorted(set(keyfile.state.get(PENDING, [])) - set(ids))
        if left:
            keyfile.state[PENDING] = left
        else:
            keyfile.state.pop(PENDING, None)

    update_keyfile(vault.folder, settled)
    return done


def waiting_rotations(vault: Vault) -> list[str]:
    """Key ids whose rotation waits for the vault to be open nowhere else."""
    return list(vault.keyfile().state.get(PENDING, []))


# -- from one person to several ---------------------------------------------------------


def every_key_id(vault: Vault) -> list[str]:
    return sorted(vault.keyfile().keys)


def leave_the_keyring(vault: Vault, actor: str, owner_password: str, kdf: Any) -> str:
    """The vault gets its second person: nothing in the OS keyring may open it any more.

    In this order, each step safe to stop after: the keyring's wrap and entry go (the
    owner's password opens their slot from now on); the owner's key pairs are replaced
    (whoever copied the keyring's secret could open the old ones) and their grants sealed
    to the new ones; a new recovery key; then every data key is rotated, now or, if the
    vault is open elsewhere, at the next open that has it alone. Returns the new recovery
    key, to show once.
    """
    from crmdesk.vault import people_keys
    from crmdesk.vault.keys import recovery

    person = vault.person
    assert person is not None
    previous = person.public
    people_keys.forget_keyring(vault, vault.keystore)
    public, recovery_secret = people_keys.roll_over_keys(
        vault, password=owner_password, recovery=True, kdf=kdf
    )
    assert recovery_secret is not None
    with vault.transaction() as conn:
        role_row = conn.execute("SELECT role FROM users WHERE login = ?", (actor,)).fetchone()
        endorse(vault, conn, actor, Role(role_row[0]), public, signer=person)
        vault.record_event(
            actor,
            "key.rolled_over",
            object=actor,
            details={
                "from_serial": previous.serial,
                "to_serial": public.serial,
                "reason": "the vault has several users: the OS keyring opens it no more",
            },
        )
    # If the vault is open elsewhere, keys.json remembers the rotation for the next open
    # that has the vault alone.
    with contextlib.suppress(VaultInUse):
        rotate_keys(
            vault,
            actor,
            every_key_id(vault),
            "the vault has several users now: keys the OS keyring could reach are replaced",
        )
    return recovery.encode(recovery_secret)
