"""Creating, unlocking and recovering vaults, and starting the signed-in person's session
(the :class:`Session` itself is in :mod:`crmdesk.services.user_session`).

Unlocking takes two steps: :func:`open_vault` finds the vault (and opens a one-person
vault with the OS keyring or the passphrase); then someone signs in
(:meth:`Unlocked.sign_in`: their password opens their key slot), or, in a vault with one
user and sign-in off, the owner is taken to be at the keyboard (:meth:`Unlocked.sole_user`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.audit import ChainReport
from crmdesk.domain.roles import Permission
from crmdesk.errors import (
    AuditChainBroken,
    KeyringUnavailable,
    NotAllowed,
    Notice,
    SignInFailed,
    SignInRequired,
    WrongPassphrase,
)
from crmdesk.services import audit_check, people, signin, upgrade
from crmdesk.services.access import require_role
from crmdesk.services.opening import owner_session, settle
from crmdesk.services.settings import set_region_from_locale
from crmdesk.services.user_session import Session  # named here too, for the GUI and tests
from crmdesk.vault import Owner, Vault, VaultKey, VaultStatus, people_keys
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.keys.keystore import KeyStore
from crmdesk.vault.keys.keystore import system_keystore as _system_keystore
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.keys.slots import RECOVERY
from crmdesk.vault.legacy import is_legacy
from crmdesk.vault.location import sharing_warning as detect_sharing
from crmdesk.vault.metadata import read_metadata
from crmdesk.vault.paths import METADATA_NAME
from crmdesk.vault.paths import resolve_vault_dir as _resolve_vault_dir
from crmdesk.vault.protection import Protection, protection

# The API of this module (Owner, VaultKey and KeyStore included: the GUI and the
# self-test name them through here, not through the vault package).
__all__ = [
    "KeyStore",
    "KeyringState",
    "Owner",
    "Session",
    "Unlocked",
    "VaultKey",
    "check_may_recover",
    "create_vault",
    "is_legacy_at",
    "keyring_state",
    "lock",
    "needs_passphrase",
    "open_vault",
    "owner_session",
    "recover",
    "recovery_login",
    "resolve_vault_dir",
    "several_people_at",
    "sharing_warning",
    "sign_in_at",
    "status",
    "system_keystore",
    "unlock",
    "vault_exists",
    "vault_id_at",
    "verify_audit",
]


class Unlocked:
    """A vault found and, for one person, opened; waiting for someone to sign in.

    A vault of several people cannot be opened before someone signs in (nothing but a
    person's password opens their key slot): then :attr:`vault` is None until
    :meth:`sign_in`.
    """

    def __init__(self, folder: Path, vault: Vault | None) -> None:
        self._folder = folder
        self.vault = vault
        if vault is not None:
            people.ensure_people(vault)

    @property
    def folder(self) -> Path:
        return self._folder

    def unshown_recovery_key(self) -> str | None:
        """A new recovery key nobody has seen yet (made by this open): show it once."""
        return self.vault.unshown_recovery_key() if self.vault is not None else None

    def sign_in_required(self) -> bool:
        return self.vault is None

    def sole_user(self) -> Session:
        """The owner's session when the vault has one user and sign-in is off."""
        if self.vault is None:
            raise SignInRequired(
                "This vault has several users: sign in with your login and password.",
                code="signin.required",
            )
        return owner_session(self.vault)

    def sign_in(self, login: str, password: str) -> Session:
        """Check the login and password (throttled, audited) and start their session."""
        if self.vault is None:
            session = signin.sign_in(self._folder, login, password)
            settle(session)
            return session
        # One person, their slot already open by the OS keyring: their password (if they
        # set one) is checked like at the lock screen.
        owner = owner_session(self.vault)
        if login.strip().casefold() != owner.actor.casefold() or not signin.check_password(
            owner, password
        ):
            raise SignInFailed(
                "The login or password is wrong. Check Caps Lock and try again.",
                code="signin.wrong",
                login=login,
            )
        return owner

    def close(self) -> None:
        if self.vault is not None:
            self.vault.close()


def open_vault(
    folder: Path, *, keystore: KeyStore | None = None, passphrase: str | None = None
) -> Unlocked:
    """Open a one-person vault (keyring or passphrase), or find a vault of several people
    waiting for someone to sign in."""
    if is_legacy(folder):
        return upgrade.open_old_vault(folder, keystore=keystore, passphrase=passphrase)
    try:
        return Unlocked(folder, Vault.open(folder, keystore=keystore, passphrase_text=passphrase))
    except SignInRequired:
        return Unlocked(folder, None)


def sign_in_at(
    folder: Path,
    login: str,
    password: str,
    *,
    keystore: KeyStore | None = None,
    hourly: bool = False,
) -> Session:
    """Open the vault in ``folder`` as ``login`` with their password, however it is
    protected: several people (their own slot), one person with a passphrase (their
    password is it), one person with the OS keyring (their password, if they set one).
    ``hourly``: a sign-in is recorded once per person per hour (the command line)."""
    if is_legacy(folder):
        unlocked = open_vault(folder, keystore=keystore)
        try:
            return unlocked.sign_in(login, password)
        except BaseException:
            unlocked.close()
            raise
    if people_keys.is_disabled(read_keyfile(folder), login.strip()):
        return signin.sign_in(folder, login, password)  # says "disabled", counts, records
    kind = protection(read_keyfile(folder))
    if kind is Protection.PEOPLE:
        session = signin.sign_in(folder, login, password, hourly=hourly)
        settle(session)
        return session
    if kind is Protection.PASSPHRASE:
        try:
            vault = Vault.open(folder, passphrase_text=password)
        except WrongPassphrase:
            raise SignInFailed(
                "The login or password is wrong. Check Caps Lock and try again.",
                code="signin.wrong",
                login=login,
            ) from None
        unlocked = Unlocked(folder, vault)
        session = unlocked.sole_user()
        if session.actor.casefold() != login.strip().casefold():
            session.close()
            raise SignInFailed(
                "The login or password is wrong. Check Caps Lock and try again.",
                code="signin.wrong",
                login=login,
            )
        return session
    unlocked = open_vault(folder, keystore=keystore)
    try:
        return unlocked.sign_in(login, password)
    except BaseException:
        unlocked.close()
        raise


def create_vault(
    folder: Path,
    owner: Owner,
    *,
    keystore: KeyStore | None = None,
    passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> tuple[Session, str]:
    """A new vault and its recovery key (to show once); the owner is signed in."""
    vault, recovery_key = Vault.create(
        folder, owner, keystore=keystore, passphrase_text=passphrase, kdf=kdf
    )
    # Phone numbers without "+" are read in the country of the computer the vault is
    # made on, until the owner says otherwise.
    set_region_from_locale(vault)
    return owner_session(vault), recovery_key


def unlock(
    folder: Path,
    *,
    keystore: KeyStore | None = None,
    passphrase: str | None = None,
    login: str | None = None,
    password: str | None = None,
) -> Session:
    """Open the vault and sign in: as ``login`` if given, else as its only user."""
    unlocked = open_vault(folder, keystore=keystore, passphrase=passphrase)
    try:
        if login is not None:
            return unlocked.sign_in(login, password or "")
        return unlocked.sole_user()
    except BaseException:
        unlocked.close()
        raise


def recover(
    folder: Path,
    recovery_key: str,
    *,
    login: str | None = None,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    new_password: str | None = None,
    kdf: KdfParams | None = None,
) -> Session:
    """The owner's way back in: the recovery key opens their slot, which then opens again
    the usual way (see :meth:`Vault.recover`). In a vault of several people only the owner
    recovers: ``login`` must be theirs, and ``new_password`` becomes their password; the
    recovery is recorded (``key.recovered``) under and signed by the owner. (Anyone else
    who tries signs in first and is refused: :func:`check_may_recover`.)"""
    if is_legacy(folder):
        return upgrade.recover_old_vault(
            folder,
            recovery_key,
            keystore=keystore,
            new_passphrase=new_passphrase,
            new_password=new_password,
        )
    if signin.sign_in_required_at(folder):
        owner = recovery_login(folder)
        if login is None:
            raise SignInRequired(
                "This vault has several users: only its owner recovers it, with their login "
                "and the recovery key.",
                code="recover.owner_login_needed",
            )
        if owner is None or login.strip().casefold() != owner.casefold():
            raise NotAllowed(
                f"Only the vault's owner recovers it with the recovery key; {login!r} is not "
                "the owner. Nothing was changed.",
                code="recover.not_owner",
                login=login,
            )
    if new_password is not None:
        people.check_new_password(new_password)
    vault = Vault.recover(
        folder,
        recovery_key,
        keystore=keystore,
        new_passphrase=new_passphrase,
        new_password=new_password,
        kdf=kdf if kdf is not None else (people.PASSWORD_KDF if new_password else DEFAULT_KDF),
    )
    try:
        assert vault.person is not None
        with vault.transaction():
            vault.record_event(
                vault.person.login,
                "key.recovered",
                object=vault.meta.vault_id,
                details={"key_location": vault.key_location()},
            )
    except BaseException:
        vault.close()
        raise
    return owner_session(vault)


def recovery_login(folder: Path) -> str | None:
    """The login whose key slot the recovery key opens (the owner's), if any."""
    slots = read_keyfile(folder).people.values()
    return next((s.login for s in slots if RECOVERY in s.wraps), None)


def check_may_recover(session: Session) -> None:
    """Only the owner recovers a vault: anyone else signed in is refused, and the attempt
    recorded (``access.denied``, under and signed by them)."""
    require_role(session, Permission.RECOVER, what="recover")


def status(session: Session) -> VaultStatus:
    return session.vault.status()


def verify_audit(session: Session, *, full: bool = False) -> ChainReport:
    """The audit chain's check, every signature included (those before the newest
    checkpoint this person trusts were checked then; ``full`` checks them again); a
    broken chain raises :class:`AuditChainBroken`."""
    report = audit_check.verify_trail(session.vault, full=full)
    if not report.ok:
        where = (
            f" The first bad entry is number {report.first_bad_seq}."
            if report.first_bad_seq is not None
            else ""
        )
        raise AuditChainBroken(
            f"The audit trail does not verify: {report.problem}.{where} Keep this vault as "
            "it is (it is evidence) and compare it with your latest backup.",
            code="audit.broken",
            problem=report.problem,
            first_bad=report.first_bad_seq,
        )
    return report


@dataclass(frozen=True, slots=True)
class KeyringState:
    """Whether the OS keyring can hold a vault key here, and if not, why."""

    usable: bool
    name: str
    problem: str = ""
    reason: str = ""  # the problem's first sentence: why no keyring can be used


def system_keystore() -> KeyStore:
    """The OS keyring as a key store; :class:`KeyringUnavailable` when none is usable."""
    return _system_keystore()


def keyring_state() -> KeyringState:
    try:
        return KeyringState(True, system_keystore().describe())
    except KeyringUnavailable as exc:
        return KeyringState(False, "", exc.message, str(exc.facts.get("reason", "")))


def resolve_vault_dir(explicit: str | None) -> Path:
    """The vault folder asked for: ``explicit`` (``--vault DIR``), else ``$CRMDESK_VAULT``,
    else the user data folder; absolute."""
    return _resolve_vault_dir(explicit)


def vault_exists(folder: Path) -> bool:
    return (folder / METADATA_NAME).exists()


def is_legacy_at(folder: Path) -> bool:
    """True for a vault of the format before key slots (its owner's open upgrades it)."""
    return is_legacy(folder)


def several_people_at(folder: Path) -> bool:
    """True when the vault in ``folder`` has several people (each signs in)."""
    return not is_legacy(folder) and signin.sign_in_required_at(folder)


def vault_id_at(folder: Path) -> str:
    """The id of the vault in ``folder`` (from vault.json; no key needed)."""
    return read_metadata(folder / METADATA_NAME, folder).vault_id


def sharing_warning(folder: Path) -> Notice | None:
    """A warning when the vault sits in a network or cloud-synced folder, else None."""
    return detect_sharing(folder)


def needs_passphrase(folder: Path) -> bool:
    """True when the vault opens with its one person's passphrase (no keyring)."""
    meta = read_metadata(folder / METADATA_NAME, folder)
    if meta.format_version == 1:
        return meta.key_storage == "passphrase"
    return protection(read_keyfile(folder)) is Protection.PASSPHRASE


def lock(session: Session) -> None:
    """Record the lock, then close the database and drop the key bytes."""
    with session.vault.transaction():
        session.vault.record_event(session.actor, "session.locked", object=session.actor)
    session.close()
