"""Upgrading a vault of the old format (one key for everything) when its owner opens it.

A vault made before key slots (format 1, schema 6 and earlier) opens with its one key,
and only its owner may upgrade it: in a one-person vault that is whoever holds the key
(the keyring, the passphrase, the recovery key); in a vault of several people the owner
signs in with their password, checked against the old password hash. Others are told to
wait for the owner.

What the upgrade does (:mod:`crmdesk.vault.upgrade` for the keys): the owner gets a key
slot, the database a new key, each Salesperson a book holding their clients' value-added
information (the rest in the house book), every user an endorsed key (the others get one
when the owner gives them a new password: their old password hashes were readable by
every colleague, so they are dropped), the audit trail's value-added details are sealed,
and from then on every entry is signed. Each step checks whether it was done, so an
upgrade cut short continues at the next open.
"""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crmdesk.domain.roles import Principal, Role
from crmdesk.errors import CannotUnlock, SignInFailed, VaultDamaged, WrongKey
from crmdesk.services import audit_keys, audit_sealing, key_access
from crmdesk.services.opening import owner_session
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault, people_keys, signin_log
from crmdesk.vault import upgrade as keys_upgrade
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.keys.keystore import KeyStore, system_keystore
from crmdesk.vault.keys.slots import KEYRING
from crmdesk.vault.legacy import LegacyVault, open_legacy
from crmdesk.vault.upgrade import OwnerWay

OWNER_FIRST = (
    "This vault was made by an earlier crmdesk and is upgraded when its owner opens it "
    "with this version. Ask {owner} to open it first; then sign in again."
)
_WRONG = "The login or password is wrong. Check Caps Lock and try again."


class OldVault:
    """A vault of the old format, found and (if its old key still opens it) open, waiting
    for its owner. Behaves like :class:`crmdesk.services.session.Unlocked`."""

    def __init__(
        self,
        folder: Path,
        legacy: LegacyVault | None,
        keystore: KeyStore | None,
        passphrase: str | None,
    ) -> None:
        self.folder = folder
        self._legacy = legacy
        self._keystore = keystore
        self._passphrase = passphrase
        self.vault: Vault | None = None

    # -- what Unlocked offers -----------------------------------------------------------

    def unshown_recovery_key(self) -> str | None:
        return self.vault.unshown_recovery_key() if self.vault is not None else None

    def sign_in_required(self) -> bool:
        return self._several()

    def sole_user(self) -> Session:
        if self._several():
            raise CannotUnlock(
                "This vault has several users: sign in with your login and password.",
                code="signin.required",
            )
        owner = self._owner_login()
        if self._legacy is not None:
            old_key = self._legacy.held.main
            assert old_key is not None
            way = OwnerWay(owner, passphrase=self._passphrase, old_key=_copy(old_key))
        else:
            way = OwnerWay(owner, passphrase=self._passphrase, old_key=self._old_keyring_key())
        return self._upgrade(way)

    def sign_in(self, login: str, password: str) -> Session:
        owner = self._owner_login()
        if not self._several():
            if login.strip().casefold() != owner.casefold():
                raise SignInFailed(_WRONG, code="signin.wrong", login=login)
            return self.sole_user()
        if login.strip().casefold() != owner.casefold():
            raise CannotUnlock(
                OWNER_FIRST.format(owner=owner), code="upgrade.owner_first", owner=owner
            )
        if self._legacy is not None and not _old_password_matches(self._legacy, owner, password):
            raise SignInFailed(_WRONG, code="signin.wrong", login=login)
        return self._upgrade(
            OwnerWay(owner, password=password, several=True, others=self._others(owner))
        )

    def close(self) -> None:
        if self._legacy is not None:
            self._legacy.close()
            self._legacy = None

    # -- the upgrade --------------------------------------------------------------------

    def _upgrade(self, way: OwnerWay) -> Session:
        from crmdesk.services.people import PASSWORD_KDF

        legacy = self._legacy
        several = way.several
        if legacy is not None:
            _check_old_trail(legacy)
            keys_upgrade.begin(legacy, way, kdf=PASSWORD_KDF)
        self._legacy = None
        vault = keys_upgrade.enter(self.folder, way, legacy, Vault)
        try:
            session = Session(vault, Principal(way.login, _full_name(vault, way.login), Role.OWNER))
            convert(session)
            store = self._keystore
            if several and store is None and legacy is not None:
                store = legacy.legacy_store
            keys_upgrade.finish(vault, old_store=store, several=several)
        except BaseException:
            vault.close()
            raise
        self.vault = vault
        return owner_session(vault)

    # -- facts about the old vault -------------------------------------------------------

    def _several(self) -> bool:
        if self._legacy is not None:
            with self._legacy.reading() as conn:
                row = conn.execute(
                    "SELECT count(*) FROM users WHERE disabled_at IS NULL"
                ).fetchone()
            return int(row[0]) > 1
        keyfile = read_keyfile(self.folder)
        return all(
            KEYRING not in s.wraps and "recovery" not in s.wraps for s in keyfile.people.values()
        )

    def _others(self, owner: str) -> tuple[str, ...]:
        if self._legacy is None:
            return ()
        with self._legacy.reading() as conn:
            rows = conn.execute("SELECT login FROM users WHERE disabled_at IS NULL").fetchall()
        return tuple(r[0] for r in rows if r[0].casefold() != owner.casefold())

    def _owner_login(self) -> str:
        if self._legacy is not None:
            return self._legacy.owner.login
        [slot] = read_keyfile(self.folder).people.values()
        return slot.login

    def _old_keyring_key(self):  # type: ignore[no-untyped-def]
        if self._passphrase is not None:
            return None
        store = self._keystore if self._keystore is not None else system_keystore()
        self._keystore = store
        key = store.get(read_keyfile(self.folder).vault_id)
        if key is None:
            raise CannotUnlock(
                "The key of this vault is not in the OS keyring.", code="key.missing.plain"
            )
        return key


def open_old_vault(
    folder: Path, *, keystore: KeyStore | None = None, passphrase: str | None = None
) -> OldVault:
    try:
        legacy = open_legacy(folder, keystore=keystore, passphrase_text=passphrase)
    except (WrongKey, VaultDamaged):
        if not keys_upgrade.is_upgrading(folder):
            raise
        legacy = None  # re-encrypted already: the owner's slot opens it from here on
    return OldVault(folder, legacy, keystore, passphrase)


def recover_old_vault(
    folder: Path,
    recovery_key: str,
    *,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    new_password: str | None = None,
) -> Session:
    """The old recovery key (the old vault key itself) opens the old vault: it is upgraded
    as its owner's, then the owner's slot opens again the usual way."""
    legacy = open_legacy(folder, recovery_key=recovery_key)
    old = OldVault(folder, legacy, keystore, None)
    if old.sign_in_required():
        if new_password is None:
            legacy.close()
            raise CannotUnlock(
                "This vault has several users: recovering it needs a new password for the owner.",
                code="recover.password_needed",
            )
        owner = old._owner_login()
        way = OwnerWay(owner, password=new_password, several=True, others=old._others(owner))
    else:
        old_key = legacy.held.main
        assert old_key is not None
        way = OwnerWay(old._owner_login(), passphrase=new_passphrase, old_key=_copy(old_key))
    return old._upgrade(way)


def convert(session: Session) -> None:
    """Step 3: the records in the new shape. Every step checks whether it was done."""
    from crmdesk.services.books import ensure_book
    from crmdesk.services.client_store.upgrade import move_value_added_into_books

    vault = session.vault
    person = vault.person
    assert person is not None
    with vault.transaction() as conn:
        row = conn.execute(
            "SELECT key_serial FROM users WHERE login = ?", (session.actor,)
        ).fetchone()
        if row is not None and row[0] is None:
            key_access.endorse(vault, conn, session.actor, Role.OWNER, person.public)
        audit_keys.endorse_held(vault, conn)  # the audit key pair the upgrade made
        # Old password hashes were readable by every colleague: they go. Everyone else
        # gets a key slot when the owner gives them a new password.
        conn.execute("UPDATE users SET password_hash = NULL")
        failures = conn.execute(
            "SELECT login, failures, last_failure, blocked_until FROM signin_failures"
        ).fetchall()
        disabled = [
            r[0] for r in conn.execute("SELECT login FROM users WHERE disabled_at IS NOT NULL")
        ]
    # Throttling lives outside the database now (nobody has a key before signing in).
    for login, count, last, blocked in failures:
        signin_log.carry_over(vault.folder, login, int(count), last, blocked)
    for login in disabled:
        people_keys.mark_disabled(vault, login, True)
    with vault.transaction() as conn:
        conn.execute("DELETE FROM signin_failures")
    with vault.reading() as conn:
        sellers = [
            r[0]
            for r in conn.execute(
                "SELECT login FROM users WHERE role = 'salesperson' AND disabled_at IS NULL"
            )
        ]
    for login in sellers:
        ensure_book(session, login)
    move_value_added_into_books(vault)
    record_upgrade(vault, session.actor)


def record_upgrade(vault: Vault, actor: str) -> None:
    """The end of step 3: the entries written before signatures resealed, then the
    ``vault.upgraded`` entry, signed by the owner, naming the last unsigned entry and the
    digest of the resealed ones (:func:`crmdesk.services.audit_sealing.seal_old_details`).
    Both steps check whether they were done."""
    resealed = audit_sealing.seal_old_details(vault)
    with vault.reading() as conn:
        done = conn.execute(
            "SELECT 1 FROM audit_events WHERE action = 'vault.upgraded' LIMIT 1"
        ).fetchone()
    if done is None:
        with vault.transaction():
            vault.record_event(
                actor,
                "vault.upgraded",
                object=vault.meta.vault_id,
                details={
                    **resealed.details(),
                    "note": "keys per person, books, signed audit entries from here on",
                },
            )


def _check_old_trail(legacy: LegacyVault) -> None:
    report = legacy.verify_audit()
    if not report.ok:
        raise VaultDamaged(
            f"This vault's audit trail does not verify ({report.problem}), so it is not "
            "upgraded: keep it as it is (it is evidence) and restore from your latest backup.",
            code="audit.broken",
            problem=report.problem,
        )


def _old_password_matches(legacy: LegacyVault, login: str, password: str) -> bool:
    with legacy.reading() as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE login = ?", (login,)).fetchone()
    if row is None or row[0] is None:
        return False
    try:
        return PasswordHasher().verify(row[0], password)
    except (VerificationError, InvalidHashError):
        return False


def _full_name(vault: Vault, login: str) -> str:
    with vault.reading() as conn:
        row = conn.execute("SELECT full_name FROM users WHERE login = ?", (login,)).fetchone()
    return row[0] if row else login


def _copy(key):  # type: ignore[no-untyped-def]
    from crmdesk.vault.keys import VaultKey

    return VaultKey(key.raw)
