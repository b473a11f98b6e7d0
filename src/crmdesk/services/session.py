"""Creating, unlocking and recovering vaults, and starting the signed-in person's session
(the :class:`Session` itself is in :mod:`crmdesk.services.user_session`).

Unlocking takes two steps: :func:`open_vault` gets the key and opens the database;
then someone signs in (:meth:`Unlocked.sign_in`), or, in a vault with one user and
sign-in off, the owner is taken to be at the keyboard (:meth:`Unlocked.sole_user`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.audit import ChainReport
from crmdesk.errors import AuditChainBroken, KeyringUnavailable, Notice, SignInRequired
from crmdesk.services import people, signin
from crmdesk.services.settings import set_region_from_locale
from crmdesk.services.user_session import Session  # named here too, for the GUI and tests
from crmdesk.vault import Owner, Vault, VaultKey, VaultStatus
from crmdesk.vault.keys.keystore import KeyStore
from crmdesk.vault.keys.keystore import system_keystore as _system_keystore
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.location import sharing_warning as detect_sharing
from crmdesk.vault.metadata import read_metadata
from crmdesk.vault.paths import METADATA_NAME
from crmdesk.vault.paths import resolve_vault_dir as _resolve_vault_dir

# The API of this module (Owner, VaultKey and KeyStore included: the GUI and the
# self-test name them through here, not through the vault package).
__all__ = [
    "KeyStore",
    "KeyringState",
    "Owner",
    "Session",
    "Unlocked",
    "VaultKey",
    "create_vault",
    "keyring_state",
    "lock",
    "needs_passphrase",
    "open_vault",
    "owner_session",
    "recover",
    "resolve_vault_dir",
    "sharing_warning",
    "status",
    "system_keystore",
    "unlock",
    "vault_exists",
    "verify_audit",
]


def owner_session(vault: Vault) -> Session:
    """The owner's session on a vault without sign-in (one user, or just created)."""
    people.ensure_people(vault)
    return Session(vault=vault, user=people.owner_principal(vault))


class Unlocked:
    """A vault whose key is in hand, waiting for someone to sign in."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        people.ensure_people(vault)

    @property
    def folder(self) -> Path:
        return self.vault.folder

    def unshown_recovery_key(self) -> str | None:
        """The new recovery key of a key rotation that was cut short and finished by
        this open: nobody has seen it yet, and the old one no longer works. Show it once."""
        return self.vault.unshown_recovery_key()

    def sign_in_required(self) -> bool:
        return signin.sign_in_required(self.vault)

    def sole_user(self) -> Session:
        """The owner's session when the vault has one user and sign-in is off."""
        if self.sign_in_required():
            raise SignInRequired(
                "This vault has several users: sign in with your login and password.",
                code="signin.required",
            )
        return owner_session(self.vault)

    def sign_in(self, login: str, password: str) -> Session:
        """Check the login and password (throttled, audited) and start their session."""
        return signin.sign_in(self.vault, login, password)

    def close(self) -> None:
        self.vault.close()


def open_vault(
    folder: Path, *, keystore: KeyStore | None = None, passphrase: str | None = None
) -> Unlocked:
    """Get the key (keyring or passphrase) and open the database; nobody is signed in yet."""
    return Unlocked(Vault.open(folder, keystore=keystore, passphrase_text=passphrase))


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
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> Session:
    vault = Vault.recover(
        folder, recovery_key, keystore=keystore, new_passphrase=new_passphrase, kdf=kdf
    )
    return owner_session(vault)


def status(session: Session) -> VaultStatus:
    return session.vault.status()


def verify_audit(session: Session) -> ChainReport:
    """The audit chain's check; a broken chain raises :class:`AuditChainBroken`."""
    report = session.vault.verify_audit()
    if not report.ok:
        raise AuditChainBroken(
            f"The audit trail does not verify: {report.problem}. The first bad entry is "
            f"number {report.first_bad_seq}. Keep this vault as it is (it is evidence) and "
            "compare it with your latest backup.",
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


def sharing_warning(folder: Path) -> Notice | None:
    """A warning when the vault sits in a network or cloud-synced folder, else None."""
    return detect_sharing(folder)


def needs_passphrase(folder: Path) -> bool:
    """True when the vault's key is wrapped by a passphrase instead of the keyring."""
    return read_metadata(folder / METADATA_NAME, folder).key_storage == "passphrase"


def lock(session: Session) -> None:
    """Record the lock, then close the database and drop the key bytes."""
    with session.vault.transaction():
        session.vault.record_event(session.actor, "session.locked", object=session.actor)
    session.close()
