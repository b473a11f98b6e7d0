"""The keys of a vault of the old format (one vault key) turned into key slots and books.

The steps, each safe to stop after (the next open by the owner continues):

1. :func:`begin`: keys.json is made (marked ``upgrading``) with the owner's slot, a new
   main key, the house book's key and the audit key pair, and the house book's file;
   the database is still under the old key. Stopped here, the next open finds the old
   key still opening the database and keeps the keys.json already made.
2. :func:`enter`: the database is re-encrypted under the new main key (one SQLCipher
   transaction), and the vault opens the new way, through the owner's slot. Stopped
   after, the old key opens nothing and the owner's slot takes over.
3. the services move the records into the new shape (books, endorsed keys, sealed
   audit details); each of their steps checks whether it was done.
4. :func:`finish`: vault.json says format 2 (its presence in that format is what makes
   the upgrade done), and whatever the old format left in the OS keyring that the new
   one does not use goes.

How the owner's slot opens: in a one-person vault, the old way keeps working (the old
keyring entry, the old passphrase, and the old recovery key open the slot). In a vault of
several people every one of those was shared or readable by colleagues: the owner's
password opens the slot, a new recovery key is made (shown once), and the keyring entry
is deleted at the end.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import CannotUnlock, CrmdeskError, VaultDamaged
from crmdesk.vault.books import HOUSE, book_path
from crmdesk.vault.connection import checkpoint_truncate, opens_with, rekey
from crmdesk.vault.keys.keyfile import (
    KEYFILE_NAME,
    DataKeyInfo,
    KeyFile,
    read_keyfile,
    update_keyfile,
    write_keyfile,
)
from crmdesk.vault.keys.keystore import KeyStore
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.keys.person import PersonSecret, b64
from crmdesk.vault.keys.slots import (
    AUDIT,
    KEYRING,
    MAIN,
    PASSWORD,
    RECOVERY,
    HeldKeys,
    audit_public,
    book_key_id,
    check_value,
    open_slot,
    wrap_slot,
)
from crmdesk.vault.keys.vault_key import VaultKey
from crmdesk.vault.keys.wrapping import WrongSecret
from crmdesk.vault.legacy import LegacyVault
from crmdesk.vault.locks import OpenLock
from crmdesk.vault.metadata import FORMAT_VERSION, VaultMetadata, read_metadata, update_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.people_keys import new_slot
from crmdesk.vault.protection import AWAITING
from crmdesk.vault.unlocked import Person, UnlockedVault

UPGRADING = "upgrading"


@dataclass(frozen=True, slots=True)
class OwnerWay:
    """How the owner opens their slot during (and after) the upgrade."""

    login: str
    password: str | None = None  # several people: the owner's password
    passphrase: str | None = None  # one person, passphrase mode
    old_key: VaultKey | None = None  # one person: the old vault key (keyring, recovery)
    several: bool = False
    others: tuple[str, ...] = ()  # several: the other enabled users, waiting for a slot


def is_upgrading(folder: Path) -> bool:
    path = folder / KEYFILE_NAME
    return path.exists() and bool(read_keyfile(folder).state.get(UPGRADING))


def begin(legacy: LegacyVault, way: OwnerWay, *, kdf: KdfParams = DEFAULT_KDF) -> bool:
    """Step 1. Returns True when this made a new recovery key for the owner (a vault of
    several people), which :func:`enter`'s vault then shows once."""
    folder = legacy.folder
    vault_id = legacy.meta.vault_id
    if (folder / KEYFILE_NAME).exists():
        keyfile = read_keyfile(folder)
        if not keyfile.state.get(UPGRADING):
            raise VaultDamaged(
                "This old vault already has a key file of the new format.",
                code="vault.damaged.keys",
            )
    else:
        secret = PersonSecret.generate()
        main_key, house_key = VaultKey.generate(), VaultKey.generate()
        audit_secret = PersonSecret.generate().raw[:32]
        keyfile = KeyFile(vault_id)
        keyfile.keys[MAIN] = DataKeyInfo(1, check_value(vault_id, MAIN, main_key))
        house = book_key_id(HOUSE)
        keyfile.keys[house] = DataKeyInfo(1, check_value(vault_id, house, house_key))
        keyfile.keys[AUDIT] = DataKeyInfo(1, publics={"1": b64(audit_public(audit_secret))})
        slot = new_slot(way.login, 1, secret)
        slot.grant(MAIN, 1, main_key.raw)
        slot.grant(house, 1, house_key.raw)
        slot.grant(AUDIT, 1, audit_secret)
        if way.several:
            assert way.password is not None
            wrap_slot(slot, vault_id, secret, PASSWORD, password=way.password, kdf=kdf)
            keyfile.state["recovery_unshown"] = True  # no recovery wrap yet: made at open
            # The others get slots when the owner gives them new passwords.
            keyfile.state[AWAITING] = list(way.others)
        else:
            assert way.old_key is not None
            # The old recovery key is the old vault key: the printed kit keeps working.
            wrap_slot(slot, vault_id, secret, RECOVERY, key=way.old_key)
            if way.passphrase is not None:
                wrap_slot(slot, vault_id, secret, PASSWORD, password=way.passphrase, kdf=kdf)
            else:
                # The old keyring entry holds the old vault key: it now opens this slot.
                wrap_slot(slot, vault_id, secret, KEYRING, key=way.old_key)
        keyfile.add_slot(slot)
        keyfile.state[UPGRADING] = True
        write_keyfile(folder, keyfile)
        legacy.held.current[house] = house_key
    owner_key = keyfile.slot(way.login)
    assert owner_key is not None
    if legacy.meta.owner_sign_public != owner_key.sign_public:
        # The owner's first key, pinned: every endorsement of the upgrade goes back to it.
        pin = owner_key.sign_public

        def pinned(meta: VaultMetadata) -> None:
            meta.owner_sign_public = pin

        legacy.meta = update_metadata(folder / METADATA_NAME, folder, pinned)
    if not book_path(folder, HOUSE).exists():
        held = _open_owner(keyfile, way, vault_id)[1]
        house_key = held.current[book_key_id(HOUSE)]
        with legacy._lock:
            legacy.books.attach(legacy.connection, folder, vault_id, HOUSE, house_key, create=True)
            legacy.books.detach(legacy.connection, HOUSE)
    return way.several


def _open_owner(keyfile: KeyFile, way: OwnerWay, vault_id: str) -> tuple[Person, HeldKeys]:
    slot = keyfile.slot(way.login)
    if slot is None:
        raise VaultDamaged(
            "The upgrade's key file has no slot for the owner.", code="vault.damaged.keys"
        )
    try:
        if way.password is not None and way.several:
            secret = open_slot(slot, vault_id, PASSWORD, password=way.password)
        elif way.passphrase is not None:
            secret = open_slot(slot, vault_id, PASSWORD, password=way.passphrase)
        else:
            assert way.old_key is not None
            how = KEYRING if KEYRING in slot.wraps else RECOVERY
            secret = open_slot(slot, vault_id, how, key=way.old_key)
    except WrongSecret:
        raise CannotUnlock(
            "The upgrade of this vault was begun with another password or key; open it the "
            "way you opened it then.",
            code="upgrade.other_way",
        ) from None
    return Person(slot.login, slot.serial, secret), HeldKeys.open(keyfile, slot, secret)


def enter(folder: Path, way: OwnerWay, legacy: LegacyVault | None, cls: type) -> UnlockedVault:
    """Step 2: the database under the new main key (if it is not yet), and the vault open
    through the owner's slot. ``legacy`` is the old vault if the old key still opens it;
    it is closed here."""
    keyfile = read_keyfile(folder)
    vault_id = keyfile.vault_id
    person, held = _open_owner(keyfile, way, vault_id)
    main_key = held.main
    if main_key is None:
        raise VaultDamaged(
            "The upgrade's key file holds no main key for the owner.", code="vault.damaged.keys"
        )
    if legacy is not None:
        with legacy._lock:
            conn = legacy.connection
            if not checkpoint_truncate(conn):
                raise CannotUnlock(
                    "crmdesk has this vault open in another window or command: close it "
                    "there, then open the vault again to finish its upgrade.",
                    code="vault.in_use.elsewhere",
                )
            rekey(conn, main_key)
            checkpoint_truncate(conn)
        legacy.close()
    if not opens_with(folder / DATABASE_NAME, main_key):
        raise VaultDamaged(
            "The vault's database opens neither with its old key nor with the new one. "
            "Restore the vault folder from your latest backup.",
            code="vault.damaged.database",
        )
    meta = read_metadata(folder / METADATA_NAME, folder)
    lock = OpenLock.acquire(folder)
    try:
        vault = cls._open_with_keys(folder, meta, held, person, lock)
    except BaseException:
        lock.release()
        raise
    return vault


def finish(vault: UnlockedVault, *, old_store: KeyStore | None, several: bool) -> None:
    """Step 4: vault.json of the new format, the old keyring entry gone where it no
    longer belongs, the mark of the upgrade removed."""
    assert vault.person is not None
    public = vault.person.public

    def to_format_2(meta: VaultMetadata) -> None:
        meta.format_version = FORMAT_VERSION
        meta.owner_sign_public = (
            b64(public.sign_public)
            if public.serial == 1
            else (meta.owner_sign_public or b64(public.sign_public))
        )
        meta.key_storage = meta.key_check = None
        meta.keyring_service = meta.keyring_entry = None
        meta.passphrase = None
        meta.pending_key_check = meta.pending_passphrase = None

    vault.meta = update_metadata(vault.folder / METADATA_NAME, vault.folder, to_format_2)
    if several and old_store is not None:
        with contextlib.suppress(CrmdeskError):
            old_store.delete(vault.meta.vault_id)

    def done(keyfile: KeyFile) -> None:
        keyfile.state.pop(UPGRADING, None)

    update_keyfile(vault.folder, done)
