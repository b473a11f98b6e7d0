"""Restoring a backup into a new vault folder: by its owner only, checked whole before it
is put in place.

What opens a backup is what opened its owner's key slot on the day it was made (the
backup carries that day's ``keys.json``):

* the owner's password of that day (a vault of several people), or the owner's
  passphrase of that day (a one-person vault protected by a passphrase);
* the owner's recovery key. It opens the owner's slot, and rotating the data keys
  (offboarding, disabling a user, a role change) leaves that slot alone: a backup from
  before such a rotation opens with the current recovery key. Only renewing the owner's
  own keys (``crmdesk rekey``, adding the first colleague) makes a new recovery key; a
  backup from before that needs the recovery key (or the password) of its day;
* for a one-person vault kept in the OS keyring: this computer's keyring entry, while it
  still opens that slot (until the next ``rekey``).

The header's signature must be by the owner's key in that slot. Every part is checked
(its SHA-256, every page, what it says it is), the vault is opened the usual way and
records ``vault.restored`` signed by its owner, and only then does it take the folder's
name in one rename. On any failure nothing of it remains (no folder, no new keyring
entry).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import (
    BadInput,
    CannotUnlock,
    CrmdeskError,
    KeyMissing,
    NotAllowed,
    VaultDamaged,
    WrongKey,
    WrongPassphrase,
)
from crmdesk.vault.backup.container import BackupHeader, Part, chunks, damaged, head_json
from crmdesk.vault.backup.container_v1 import LegacyHeader
from crmdesk.vault.backup.headers import read_any_header
from crmdesk.vault.backup.restore_common import (
    RestoreInfo,
    check_target,
    keystore_for_restore,
    move_into_place,
    stored_key,
)
from crmdesk.vault.backup.restore_v1 import restore_legacy
from crmdesk.vault.backup.verify import CopyProblem, verify_book, verify_copy
from crmdesk.vault.books import BOOKS_FOLDER, check_book_id
from crmdesk.vault.keys import VaultKey, passphrase, recovery
from crmdesk.vault.keys.keyfile import KeyFile, Slot, decode, write_keyfile
from crmdesk.vault.keys.keystore import SERVICE, KeyStore, entry_name, pending_id
from crmdesk.vault.keys.person import PersonSecret, unb64
from crmdesk.vault.keys.slots import KEYRING, PASSWORD, RECOVERY, HeldKeys, open_slot, wrap_slot
from crmdesk.vault.keys.wrapping import WrongSecret
from crmdesk.vault.metadata import VaultMetadata, write_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.protection import protection
from crmdesk.vault.vault import Vault

ROTATED_ADVICE = (
    "A backup opens with what opened its owner's key slot on the day it was made: the "
    "owner's password or passphrase of that day, or the recovery key. The recovery key "
    "stays valid through key rotations, unless the owner's own keys were renewed since "
    "(a renewal of the owner's keys, or adding the first colleague, made a new recovery "
    "key): then use the recovery key printed before that."
)
_OPENED_WITH = {RECOVERY: "recovery key", PASSWORD: "password", KEYRING: "keyring"}


@dataclass(frozen=True, slots=True)
class _Afterwards:
    """How the restored vault opens: the usual way for its kind."""

    how: str  # KEYRING or PASSWORD
    secret: str | None = None  # the password or passphrase, to open it once here
    store: KeyStore | None = None
    new_entry: VaultKey | None = None  # a new slot key to put into ``store``


def restore_backup(
    source: Path,
    folder: Path,
    *,
    login: str | None = None,
    password: str | None = None,
    recovery_key: str | None = None,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    new_password: str | None = None,
    kdf: passphrase.KdfParams = passphrase.DEFAULT_KDF,
) -> RestoreInfo:
    """Restore the backup ``source`` into the new vault folder ``folder``.

    The owner's slot of the backup opens with ``recovery_key`` if given, else with
    ``password`` (the owner's password or passphrase of the backup's day), else with this
    computer's keyring (``keystore``). ``login``, if given, must be the backup's owner.
    Afterwards: a vault of several people opens with ``new_password`` if given (needed
    after a recovery key), else the password that opened it; a one-person vault with
    ``new_passphrase`` if given, else as it did (its passphrase, or the keyring entry
    that opened it), else with a new secret in this computer's keyring, which never
    replaces an entry there that does not open it.
    """
    folder = Path(os.path.abspath(folder))
    check_target(folder)
    header = read_any_header(Path(source))
    if isinstance(header, LegacyHeader):
        return restore_legacy(
            header,
            folder,
            keystore=keystore,
            recovery_key=recovery_key,
            passphrase_text=password,
            new_passphrase=new_passphrase,
            kdf=kdf,
        )
    keyfile = _keyfile(header)
    slot = keyfile.slot(header.owner)
    if slot is None:
        raise damaged(header.path, "it has no key slot for its owner")
    if login is not None and login.strip().casefold() != slot.login.casefold():
        raise NotAllowed(
            f"Only the owner of this backup's vault ({slot.login}) may restore it. Nothing "
            "was restored.",
            code="restore.not_owner",
            owner=slot.login,
        )
    vault_id = header.vault_id
    several = len(keyfile.people) > 1
    secret, opened_with, store = _open_owner_slot(header, slot, password, recovery_key, keystore)
    _check_signer(header, slot, secret)
    keys = _part_keys(header, HeldKeys.open(keyfile, slot, secret))
    after = _reprotect(
        keyfile,
        slot,
        secret,
        opened_with=opened_with,
        several=several,
        password=password,
        store=store,
        keystore=keystore,
        new_passphrase=new_passphrase,
        new_password=new_password,
        kdf=kdf,
    )

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.restoring-", dir=folder.parent))
    added_entry = False
    try:
        sha = _unpack(header, staging)
        _verify_parts(header, staging, keys)
        write_keyfile(staging, keyfile)
        write_metadata(staging / METADATA_NAME, _metadata(header))
        if after.new_entry is not None and after.store is not None:
            after.store.put(vault_id, after.new_entry)
            added_entry = True
        info = _open_and_record(staging, folder, header, sha, after, slot.login, opened_with)
        move_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if added_entry and after.store is not None:
            with contextlib.suppress(CrmdeskError):  # the original error matters more
                after.store.delete(vault_id)
        raise
    finally:
        if after.new_entry is not None:
            after.new_entry.wipe()
    return info


def _keyfile(header: BackupHeader) -> KeyFile:
    try:
        keyfile = decode(json.dumps(header.keys).encode("utf-8"), header.path)
    except VaultDamaged:
        raise damaged(header.path, "its key slots are unreadable") from None
    if keyfile.vault_id != header.vault_id or not header.vault.get("owner_sign_public"):
        raise damaged(header.path, "its key slots belong to another vault")
    return keyfile


# -- the owner's slot ---------------------------------------------------------------------


def _open_owner_slot(
    header: BackupHeader,
    slot: Slot,
    password: str | None,
    recovery_key: str | None,
    keystore: KeyStore | None,
) -> tuple[PersonSecret, str, KeyStore | None]:
    """The owner's slot secret, what opened it, and the keyring it came from."""
    vault_id = header.vault_id
    if recovery_key is not None:
        key = recovery.decode(recovery_key)
        try:
            return open_slot(slot, vault_id, RECOVERY, key=key), RECOVERY, None
        except WrongSecret:
            raise WrongKey(
                "This recovery key does not open this backup: it belongs to another vault, "
                "or the owner's keys were renewed after this backup was made. " + ROTATED_ADVICE,
                code="restore.recovery_key_other",
            ) from None
        finally:
            key.wipe()
    if password is not None:
        try:
            return open_slot(slot, vault_id, PASSWORD, password=password), PASSWORD, None
        except WrongSecret:
            raise WrongPassphrase(
                f"That password does not open the key slot of {slot.login}, the owner, in "
                "this backup: it takes the owner's password (or passphrase) of the day the "
                "backup was made, or the recovery key.",
                code="restore.password_wrong",
            ) from None
    if KEYRING in slot.wraps:
        store = keystore if keystore is not None else keystore_for_restore()
        entry = pending_id(vault_id) if slot.wraps[KEYRING].get("entry") == "next" else vault_id
        slot_key = stored_key(store, entry)
        if slot_key is None:
            raise KeyMissing(
                f"The {store.describe()} on this computer has no key for this backup's vault "
                f"(entry {SERVICE}/{entry_name(vault_id)}). Restore it with the recovery key.",
                code="restore.key_missing",
            )
        try:
            return open_slot(slot, vault_id, KEYRING, key=slot_key), KEYRING, store
        except WrongSecret:
            raise WrongKey(
                "The key in this computer's keyring for this vault does not open this "
                "backup (the vault's keys were renewed since). " + ROTATED_ADVICE,
                code="restore.keyring_key_other",
            ) from None
        finally:
            slot_key.wipe()
    if PASSWORD in slot.wraps and len(header.keys.get("people") or {}) == 1:
        raise CannotUnlock(
            "This backup opens with the vault's passphrase of the day it was made: give it, "
            "or use the recovery key.",
            code="restore.passphrase_needed",
        )
    raise CannotUnlock(
        f"Only the owner of this backup's vault ({slot.login}) restores it: sign in as the "
        "owner with the owner's password of the backup's day, or give the recovery key.",
        code="restore.owner_only",
        owner=slot.login,
    )


def _check_signer(header: BackupHeader, slot: Slot, secret: PersonSecret) -> None:
    """The header was signed (read_header checked) by the key it names; that key must be
    the owner's, which the restoring person just opened: nobody else can sign it."""
    mine = secret.public(slot.login, slot.serial)
    signer = header.signer
    if (
        signer.login.casefold() != slot.login.casefold()
        or signer.serial != slot.serial
        or signer.sign_public != mine.sign_public
        or unb64(slot.sign_public) != mine.sign_public
    ):
        raise damaged(header.path, "its header is not signed by the owner's key in it")


def _part_keys(header: BackupHeader, held: HeldKeys) -> dict[str, VaultKey]:
    keys: dict[str, VaultKey] = {}
    for part in header.parts:
        key = held.current.get(part.key_id)
        if key is None or part.key_id in keys:
            raise damaged(header.path, f"the owner's key slot holds no key to {part.file}")
        keys[part.key_id] = key
    return keys


def _reprotect(
    keyfile: KeyFile,
    slot: Slot,
    secret: PersonSecret,
    *,
    opened_with: str,
    several: bool,
    password: str | None,
    store: KeyStore | None,
    keystore: KeyStore | None,
    new_passphrase: str | None,
    new_password: str | None,
    kdf: passphrase.KdfParams,
) -> _Afterwards:
    """Change the owner's slot in ``keyfile`` so that the restored vault opens the usual
    way afterwards; returns how."""
    vault_id = keyfile.vault_id
    if several:
        slot.wraps.pop(KEYRING, None)  # never in a vault of several people
        if new_password is not None:
            wrap_slot(slot, vault_id, secret, PASSWORD, password=new_password, kdf=kdf)
            return _Afterwards(PASSWORD, new_password)
        if opened_with == PASSWORD:
            return _Afterwards(PASSWORD, password)
        raise CannotUnlock(
            "This backup is of a vault with several users: after the recovery key, the "
            "restored vault needs a new password for its owner.",
            code="restore.new_password_needed",
        )
    if new_passphrase is not None:
        passphrase.check_new_passphrase(new_passphrase)
        slot.wraps.pop(KEYRING, None)
        wrap_slot(slot, vault_id, secret, PASSWORD, password=new_passphrase, kdf=kdf)
        return _Afterwards(PASSWORD, new_passphrase)
    if opened_with == PASSWORD:
        return _Afterwards(PASSWORD, password)  # stays protected by its passphrase
    if opened_with == KEYRING:
        return _Afterwards(KEYRING, store=store)  # the entry that opened it opens it
    # The recovery key: the owner's slot opens with this computer's keyring from now on.
    store = keystore if keystore is not None else keystore_for_restore()
    slot.wraps.pop(PASSWORD, None)
    present = stored_key(store, vault_id)
    if present is not None:
        try:
            if KEYRING in slot.wraps and slot.wraps[KEYRING].get("entry") != "next":
                open_slot(slot, vault_id, KEYRING, key=present)
                return _Afterwards(KEYRING, store=store)
        except WrongSecret:
            pass
        finally:
            present.wipe()
        raise BadInput(
            f"This computer's keyring already holds a key for vault {vault_id} (the vault "
            "this backup was made from, whose keys were renewed since), and it does not "
            "open this backup. Storing another there would lock that vault out. Restore "
            "with the recovery key and a new passphrase for the restored vault, or on "
            "another computer.",
            code="restore.keyring_holds_other_key",
            vault_id=vault_id,
        )
    slot_key = VaultKey.generate()
    wrap_slot(slot, vault_id, secret, KEYRING, key=slot_key)
    return _Afterwards(KEYRING, store=store, new_entry=slot_key)


# -- the parts ----------------------------------------------------------------------------


def _part_path(header: BackupHeader, staging: Path, part: Part) -> Path:
    """Where a part goes: only ``crmdesk.db`` and ``books/<id>.db``, whatever the header says."""
    if part.key_id == "main" and part.file == DATABASE_NAME:
        return staging / DATABASE_NAME
    book_id = part.book_id
    try:
        if book_id is not None and part.file == f"{BOOKS_FOLDER}/{check_book_id(book_id)}.db":
            return staging / BOOKS_FOLDER / f"{book_id}.db"
    except VaultDamaged:
        pass
    raise damaged(header.path, f"it names a part {part.file!r} that no vault has")


def _unpack(header: BackupHeader, staging: Path) -> str:
    """Copy every part into ``staging`` (0600) and check its SHA-256; returns the whole
    file's SHA-256."""
    whole = hashlib.sha256(header.prefix)
    with header.path.open("rb") as src:
        src.seek(len(header.prefix))
        for part in header.parts:
            target = _part_path(header, staging, part)
            target.parent.mkdir(mode=0o700, exist_ok=True)
            digest = hashlib.sha256()
            left = part.bytes
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                while left > 0:
                    chunk = src.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    whole.update(chunk)
                    left -= len(chunk)
                out.flush()
                os.fsync(out.fileno())
            if left != 0 or digest.hexdigest() != part.sha256:
                raise damaged(header.path, f"its part {part.file} does not match its checksum")
        for rest in chunks(src):  # nothing, as read_header checked; counted all the same
            whole.update(rest)
    return whole.hexdigest()


def _verify_parts(header: BackupHeader, staging: Path, keys: dict[str, VaultKey]) -> None:
    main, *books = header.parts
    try:
        facts = verify_copy(
            staging / DATABASE_NAME,
            keys[main.key_id],
            header.vault_id,
            expected_schema=header.schema_version,
            expected_head=header.audit_head,
        )
        for part in books:
            assert part.book_id is not None
            path = _part_path(header, staging, part)
            verify_book(path, keys[part.key_id], header.vault_id, part.book_id)
    except CopyProblem as exc:
        raise damaged(header.path, str(exc)) from None
    if facts.book_ids != {p.book_id for p in books}:
        raise damaged(header.path, "its books are not the ones its database names")


def _metadata(header: BackupHeader) -> VaultMetadata:
    return VaultMetadata(
        vault_id=header.vault_id,
        created_at=str(header.vault["created_at"]),
        format_version=int(header.vault["format_version"]),
        owner_sign_public=str(header.vault["owner_sign_public"]),
        audit_head=head_json(header.audit_head),
    )


# -- opening it ---------------------------------------------------------------------------


def _open_and_record(
    staging: Path,
    folder: Path,
    header: BackupHeader,
    sha: str,
    after: _Afterwards,
    owner: str,
    opened_with: str,
) -> RestoreInfo:
    """Open the restored vault the usual way (the proof it opens) and record the restore,
    signed by the owner who opened it."""
    if len(header.keys.get("people") or {}) > 1:
        vault = Vault.sign_in(staging, owner, after.secret or "")
    elif after.how == KEYRING:
        vault = Vault.open(staging, keystore=after.store)
    else:
        vault = Vault.open(staging, passphrase_text=after.secret)
    try:
        assert vault.person is not None
        keyfile = vault.keyfile()
        with vault.transaction():
            vault.record_event(
                vault.person.login,
                "vault.restored",
                object=header.vault_id,
                details={
                    "from": str(header.path),
                    "sha256": sha,
                    "backup_made_at": header.made_at,
                    "backup_signed_by": header.signer.login,
                    "audit_length_at_backup": header.audit_length,
                    "restored_to": str(folder),
                    "opened_with": _OPENED_WITH[opened_with],
                    "key_storage": protection(keyfile).value,
                },
            )
        report = vault.verify_audit()
        if not report.ok:
            raise damaged(header.path, report.problem)
        return RestoreInfo(
            folder=folder,
            vault_id=header.vault_id,
            backup_made_at=header.made_at,
            sha256=sha,
            audit_length=report.length,
            key_storage=protection(keyfile).value,
            key_location=vault.key_location(),
            owner=vault.person.login,
            people=len(keyfile.people),
            books=len(header.parts) - 1,
            opened_with=_OPENED_WITH[opened_with],
        )
    finally:
        vault.close()
