"""A vault: one folder with its database, its books, its key file and its metadata.

:class:`Vault` is how a vault is created, opened, signed into and recovered; what it does
once open (transactions, reads, books, the audit trail, closing) is
:class:`~crmdesk.vault.unlocked.UnlockedVault`. The rules that make failures safe:
nothing is written before the key is known to be right, init never overwrites, vault.json
is written last (its presence makes a vault), a key change cut short is finished or
forgotten at the next open (:mod:`.rotation`), and every failure is a
:class:`~crmdesk.errors.CrmdeskError` that says what to do next.

Who can open what: each person has a key slot in keys.json. A one-person vault opens its
owner's slot with a secret in the OS keyring (or the owner's passphrase); once there are
several people, only a person's password opens their slot (:meth:`Vault.sign_in`), and
the data keys their grants hold decide what they can read.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Self

from crmdesk.errors import (
    BadInput,
    CannotUnlock,
    CrmdeskError,
    KeyringUnavailable,
    SignInFailed,
    SignInRequired,
    VaultExists,
    WrongKey,
    WrongPassphrase,
)
from crmdesk.vault import migrations, people_keys, rotation
from crmdesk.vault.books import HOUSE
from crmdesk.vault.connection import UnreadableDatabase, checkpoint_truncate, open_database
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keyfile import (
    KEYFILE_NAME,
    DataKeyInfo,
    KeyFile,
    Slot,
    read_keyfile,
    update_keyfile,
    write_keyfile,
)
from crmdesk.vault.keys.keystore import KeyStore, key_missing, pending_id, system_keystore
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
from crmdesk.vault.keys.wrapping import WrongSecret, unwrap_with_password, wrap_with_password
from crmdesk.vault.locks import LOCK_FILES, OpenLock
from crmdesk.vault.metadata import LEGACY_FORMAT, VaultMetadata, read_metadata, write_metadata
from crmdesk.vault.owner import Owner
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.people_keys import new_slot
from crmdesk.vault.protection import Protection, protection
from crmdesk.vault.status import VaultStatus, vault_status
from crmdesk.vault.unlocked import Person, UnlockedVault

OLD_FORMAT = (
    "This vault was made by an earlier crmdesk and must be upgraded by its owner first: "
    "the owner opens it (and signs in) once with this version."
)
WRONG_SIGN_IN = "The login or password is wrong. Check Caps Lock and try again."


def _paths(folder: Path) -> tuple[Path, Path]:
    return folder / DATABASE_NAME, folder / METADATA_NAME


class Vault(UnlockedVault):
    """An unlocked vault. Use :meth:`create`, :meth:`open`, :meth:`sign_in` or :meth:`recover`."""

    # -- creating ---------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        folder: Path,
        owner: Owner,
        *,
        keystore: KeyStore | None = None,
        passphrase_text: str | None = None,
        kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
    ) -> tuple[Self, str]:
        """Make a new vault; returns it and its recovery key (shown once, never stored).

        The owner's key slot opens with ``passphrase_text`` if given, else with a random
        secret kept in ``keystore`` (the OS keyring unless a test gives another). The
        recovery key opens the owner's slot too.
        """
        owner = owner.validated()
        db_path, meta_path = _paths(folder)
        if meta_path.exists():
            raise VaultExists(
                f"{folder} already holds a crmdesk vault; a new vault never overwrites one. "
                "Choose another folder.",
                code="vault.exists",
                folder=folder,
            )
        if db_path.exists() or (folder / KEYFILE_NAME).exists():
            raise VaultExists(
                f"{folder} holds a crmdesk database but no {METADATA_NAME} (an interrupted "
                "init, or a damaged vault). Move it away before creating a new vault there.",
                code="vault.exists.database_only",
                folder=folder,
            )
        if passphrase_text is not None:
            passphrase.check_new_passphrase(passphrase_text)

        vault_id = uuid.uuid4().hex
        secret = PersonSecret.generate()
        main_key, house_key, audit_secret = (
            VaultKey.generate(),
            VaultKey.generate(),
            PersonSecret.generate().raw[:32],
        )
        recovery_secret = VaultKey.generate()
        keyfile = KeyFile(vault_id)
        keyfile.keys[MAIN] = DataKeyInfo(1, check_value(vault_id, MAIN, main_key))
        house = book_key_id(HOUSE)
        keyfile.keys[house] = DataKeyInfo(1, check_value(vault_id, house, house_key))
        keyfile.keys[AUDIT] = DataKeyInfo(1, publics={"1": b64(audit_public(audit_secret))})
        slot = new_slot(owner.login, 1, secret)
        slot.grant(MAIN, 1, main_key.raw)
        slot.grant(house, 1, house_key.raw)
        slot.grant(AUDIT, 1, audit_secret)
        wrap_slot(slot, vault_id, secret, RECOVERY, key=recovery_secret)
        store: KeyStore | None = None
        if passphrase_text is not None:
            wrap_slot(slot, vault_id, secret, PASSWORD, password=passphrase_text, kdf=kdf)
            location = "your passphrase"
        else:
            store = keystore if keystore is not None else system_keystore()
            slot_key = VaultKey.generate()
            store.put(vault_id, slot_key)
            wrap_slot(slot, vault_id, secret, KEYRING, key=slot_key)
            slot_key.wipe()
            location = store.describe()
        keyfile.add_slot(slot)
        meta = VaultMetadata(
            vault_id=vault_id,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            owner_sign_public=slot.sign_public,
        )
        held = HeldKeys(current={MAIN: main_key, house: house_key}, audit={1: audit_secret})
        person = Person(owner.login, 1, secret)

        vault: Self | None = None
        lock: OpenLock | None = None
        try:
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                lock = OpenLock.acquire(folder)
                write_keyfile(folder, keyfile)
                conn = open_database(db_path, main_key, create=True)
                db_path.chmod(0o600)  # the WAL and shared-memory files inherit these rights
            except (UnreadableDatabase, OSError) as exc:
                raise BadInput(
                    f"Cannot create the database in {folder}: {exc}.",
                    code="vault.create_failed",
                    folder=folder,
                ) from None
            vault = cls(folder, meta, conn, held, person, lock)
            vault._head_writer.metadata_written = False  # the audit head waits in meta until then
            vault.key_source, vault.keystore = location, store
            vault._migrate(to=migrations.LATEST_VERSION, actor=owner.login, record=False)
            vault.books.attach(conn, folder, vault_id, HOUSE, house_key, create=True)
            with vault.transaction() as tx:
                tx.executemany(
                    "INSERT INTO vault_info (key, value) VALUES (?, ?)",
                    [
                        ("vault_id", vault_id),
                        ("owner_name", owner.full_name),
                        ("owner_login", owner.login),
                        ("business_name", owner.business),
                        ("created_at", meta.created_at),
                    ],
                )
                tx.execute(
                    "INSERT INTO books (id, login, created_at) VALUES (?, NULL, ?)",
                    (HOUSE, meta.created_at),
                )
                vault.record_event(
                    owner.login,
                    "vault.created",
                    object=vault_id,
                    details={
                        "owner": owner.full_name,
                        "business": owner.business,
                        "key_storage": protection(keyfile).value,
                        "key_location": location,
                    },
                )
            # The metadata file is written last: its presence is what makes a vault.
            write_metadata(meta_path, meta)
            vault._head_writer.metadata_written = True
        except BaseException:
            # Leave nothing half-made: no database without metadata, no orphaned key.
            if vault is not None:
                vault.close()
            elif lock is not None:
                lock.release()
            leftovers = [db_path, *_sidecars(db_path), folder / KEYFILE_NAME]
            book = folder / "books" / f"{HOUSE}.db"
            leftovers += [book, *_sidecars(book), *(folder / n for n in LOCK_FILES)]
            for leftover in leftovers:
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                (folder / "books").rmdir()
            if store is not None:
                with contextlib.suppress(CrmdeskError):  # the original error matters more
                    store.delete(vault_id)
            raise
        assert vault is not None
        return vault, recovery.encode(recovery_secret)

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        keystore: KeyStore | None = None,
        passphrase_text: str | None = None,
    ) -> Self:
        """Open a one-person vault: its owner's slot with the secret in the OS keyring,
        or with the owner's passphrase. A vault of several people needs :meth:`sign_in`
        (:class:`SignInRequired`)."""
        meta = _current_format(folder)
        lock = OpenLock.acquire(folder)
        try:
            keyfile = read_keyfile(folder)
            kind = protection(keyfile)
            if kind is Protection.PEOPLE:
                raise SignInRequired(
                    "This vault has several users: sign in with your login and password.",
                    code="signin.required",
                )
            [slot] = keyfile.people.values()
            store: KeyStore | None = None
            if kind is Protection.KEYRING:
                secret, source, store = _open_by_keyring(slot, meta.vault_id, keystore)
            else:
                if passphrase_text is None:
                    raise CannotUnlock(
                        "This vault is protected by a passphrase. Give it; if it is lost, "
                        "use your recovery key.",
                        code="passphrase.needed",
                    )
                try:
                    secret = open_slot(slot, meta.vault_id, PASSWORD, password=passphrase_text)
                except WrongSecret:
                    raise WrongPassphrase(
                        "That passphrase does not open this vault. Check Caps Lock and try "
                        "again; if it is lost, use your recovery key.",
                        code="passphrase.wrong",
                    ) from None
                source = "your passphrase"
            vault = cls._enter(folder, meta, keyfile, slot, secret, lock)
        except BaseException:
            lock.release()
            raise
        vault.key_source, vault.keystore = source, store
        return vault

    @classmethod
    def sign_in(cls, folder: Path, login: str, password: str) -> Self:
        """Open the vault as ``login``: their password opens their slot, their grants the
        data keys. A wrong login costs as much time as a wrong password."""
        meta = _current_format(folder)
        lock = OpenLock.acquire(folder)
        try:
            keyfile = read_keyfile(folder)
            slot = keyfile.slot(login.strip()) if login.strip() else None
            if slot is None or PASSWORD not in slot.wraps:
                _spend_a_password_check(password)
                raise SignInFailed(WRONG_SIGN_IN, code="signin.wrong", login=login)
            try:
                secret = open_slot(slot, meta.vault_id, PASSWORD, password=password)
            except WrongSecret:
                raise SignInFailed(WRONG_SIGN_IN, code="signin.wrong", login=login) from None
            vault = cls._enter(folder, meta, keyfile, slot, secret, lock)
        except BaseException:
            lock.release()
            raise
        vault.key_source = "your password"
        return vault

    @classmethod
    def _enter(
        cls,
        folder: Path,
        meta: VaultMetadata,
        keyfile: KeyFile,
        slot: Slot,
        secret: PersonSecret,
        lock: OpenLock,
    ) -> Self:
        """The person's grants opened, a key change cut short settled, the files opened."""
        held = HeldKeys.open(keyfile, slot, secret)
        person = Person(slot.login, slot.serial, secret)
        if keyfile.state or any(info.pending for info in keyfile.keys.values()):
            held = rotation.settle(folder, meta, keyfile, slot, held)
        return cls._open_with_keys(folder, meta, held, person, lock)

    # -- recovery ---------------------------------------------------------------------

    @classmethod
    def recover(
        cls,
        folder: Path,
        recovery_key: str,
        *,
        keystore: KeyStore | None = None,
        new_passphrase: str | None = None,
        new_password: str | None = None,
        kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
    ) -> Self:
        """Open the owner's slot with the recovery key, and make it open again the usual
        way: a new secret in the OS keyring (one person), or ``new_passphrase`` (one
        person), or ``new_password`` (a vault of several people)."""
        meta = _current_format(folder)
        recovery_secret = recovery.decode(recovery_key)
        lock = OpenLock.acquire(folder)
        try:
            keyfile = read_keyfile(folder)
            owner = next((s for s in keyfile.people.values() if RECOVERY in s.wraps), None)
            try:
                if owner is None:
                    raise WrongSecret
                secret = open_slot(owner, meta.vault_id, RECOVERY, key=recovery_secret)
            except WrongSecret:
                raise WrongKey(
                    "This recovery key does not open this vault: it belongs to another vault, "
                    "or a newer recovery kit replaced it. Check the vault id on the kit.",
                    code="recovery_key.other_vault",
                ) from None
            vault = cls._enter(folder, meta, keyfile, owner, secret, lock)
        except BaseException:
            lock.release()
            raise
        try:
            vault.key_source = _store_again(
                vault, keystore, new_passphrase, new_password, kdf, several=len(keyfile.people) > 1
            )
        except BaseException:
            vault.close()
            raise
        return vault

    # -- changing keys ----------------------------------------------------------------

    def rotate_keys(
        self, actor: str, key_ids: list[str] | None = None, *, reason: str = ""
    ) -> dict[str, int]:
        """New generations of ``key_ids`` (every data key by default), granted to whoever
        holds each now, and recorded in the audit trail. Needs the vault alone
        (:class:`~crmdesk.errors.VaultInUse`). Crash-safe: see :mod:`.rotation`.

        The services decide holders by role (:mod:`crmdesk.services.key_access`); this is
        the same mechanism for "everyone keeps what they have"."""
        keyfile = self.keyfile()
        ids = sorted(key_ids if key_ids is not None else keyfile.keys)
        holders = {k: [s.public for s in keyfile.holders(k)] for k in ids}
        done = rotation.rotate(self, ids, holders).generations
        with self.transaction():
            self.record_event(
                actor,
                "key.rotated",
                object=self.meta.vault_id,
                details={"keys": done, "reason": reason},
            )
        with self._lock:
            checkpoint_truncate(self.connection)  # the file alone holds every page now
        return done

    # -- status -----------------------------------------------------------------------

    def unshown_recovery_key(self) -> str | None:
        """A recovery key made that nobody has seen yet, once; else None. Showing it is
        the caller's duty: keys.json forgets it was unseen when this is read."""
        text, self._unshown_recovery_key = self._unshown_recovery_key, None
        if text is not None:
            people_keys.recovery_key_shown(self)
        return text

    def show_recovery_key_once(self, text: str) -> None:
        self._unshown_recovery_key = text

    def status(self) -> VaultStatus:
        """What ``crmdesk status`` shows: where, which format, how the keys are held, counts."""
        return vault_status(self)


def _current_format(folder: Path) -> VaultMetadata:
    meta = read_metadata(folder / METADATA_NAME, folder)  # "no vault here" first
    if meta.format_version == LEGACY_FORMAT:
        raise CannotUnlock(OLD_FORMAT, code="upgrade.owner_first")
    return meta


def _open_by_keyring(
    slot: Slot, vault_id: str, keystore: KeyStore | None
) -> tuple[PersonSecret, str, KeyStore]:
    # A key change cut short may have left the slot's secret in the second entry.
    entry = pending_id(vault_id) if slot.wraps[KEYRING].get("entry") == "next" else vault_id
    try:
        store = keystore if keystore is not None else system_keystore()
        slot_key = store.get(entry)
    except KeyringUnavailable as exc:
        raise type(exc)(
            f"{exc.message} This vault opens with a secret kept in the OS keyring; without "
            "it, open the vault with your recovery key.",
            code="keyring.unavailable.for_vault",
            cause=exc,
        ) from None
    if slot_key is None:
        raise key_missing(store, vault_id)
    try:
        return open_slot(slot, vault_id, KEYRING, key=slot_key), store.describe(), store
    except WrongSecret:
        raise WrongKey(
            "The key found for this vault does not open it (the keyring entry may have been "
            "overwritten). Use your recovery key.",
            code="key.wrong.keyring",
        ) from None
    finally:
        slot_key.wipe()


def _store_again(
    vault: UnlockedVault,
    keystore: KeyStore | None,
    new_passphrase: str | None,
    new_password: str | None,
    kdf: passphrase.KdfParams,
    *,
    several: bool,
) -> str:
    """After a recovery: how the owner's slot opens from now on (and no other way)."""
    if several:
        if new_password is None:
            raise CannotUnlock(
                "This vault has several users: recovering it needs a new password for the owner.",
                code="recover.password_needed",
            )
        people_keys.set_passphrase(vault, new_password, kdf=kdf)
        return "your password"
    if new_passphrase is not None:
        people_keys.forget_keyring(vault, keystore)
        people_keys.set_passphrase(vault, new_passphrase, kdf=kdf)
        return "your passphrase"
    store = keystore if keystore is not None else system_keystore()
    where = people_keys.keep_in_keyring(vault, store)
    vault.keystore = store
    _drop_wrap(vault, PASSWORD)
    return where


def _drop_wrap(vault: UnlockedVault, how: str) -> None:
    def change(keyfile: KeyFile) -> None:
        for slot in keyfile.people.values():
            slot.wraps.pop(how, None)

    update_keyfile(vault.folder, change)


@cache
def _dummy_record() -> dict[str, object]:
    """A wrap nobody can open, made once: checked against when the login is unknown."""
    return wrap_with_password(b"\0" * 64, "crmdesk: no such user", b"crmdesk dummy")


def _spend_a_password_check(password: str) -> None:
    with contextlib.suppress(WrongSecret):
        unwrap_with_password(_dummy_record(), password, b"crmdesk dummy")


def _sidecars(db_path: Path) -> tuple[Path, ...]:
    return tuple(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal"))


def vault_exists(folder: Path) -> bool:
    return (folder / METADATA_NAME).exists()
