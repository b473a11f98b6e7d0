"""Creating, unlocking and recovering vaults, and the signed-in person's session.

Unlocking takes two steps: :func:`open_vault` gets the key and opens the database;
then someone signs in (:meth:`Unlocked.sign_in`), or, in a vault with one user and
sign-in off, the owner is taken to be at the keyboard (:meth:`Unlocked.sole_user`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.audit import ChainReport
from crmdesk.domain.roles import Principal, Role
from crmdesk.errors import AuditChainBroken, BadInput, KeyringUnavailable, SignInRequired
from crmdesk.services import people, signin
from crmdesk.vault import Owner, Vault, VaultStatus  # Owner is part of this API too
from crmdesk.vault.keys.keystore import KeyStore, system_keystore
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.location import sharing_warning as detect_sharing
from crmdesk.vault.metadata import read_metadata
from crmdesk.vault.paths import METADATA_NAME


@dataclass(slots=True)
class Session:
    """An unlocked vault and the person using it: every action is checked against their
    role and attributed to them."""

    vault: Vault
    user: Principal
    # A first or reset password must be replaced before any record is shown.
    must_change_password: bool = False

    @property
    def actor(self) -> str:
        return self.user.login

    @property
    def full_name(self) -> str:
        return self.user.full_name

    @property
    def role(self) -> Role:
        return self.user.role

    def pending_policy_version(self) -> int | None:
        """The current policy version if this person has not accepted it yet."""
        with self.vault.reading() as conn:
            row = conn.execute(
                "SELECT p.version FROM policies p WHERE p.version = (SELECT max(version)"
                " FROM policies) AND NOT EXISTS (SELECT 1 FROM policy_acceptances a"
                " WHERE a.version = p.version AND a.login = ?)",
                (self.user.login,),
            ).fetchone()
        return int(row[0]) if row else None

    def close(self) -> None:
        self.vault.close()

    @property
    def is_open(self) -> bool:
        return self.vault.is_open

    def reattach(self, other: Session) -> None:
        """Continue this session on a freshly unlocked vault (after a lock)."""
        if other.vault.meta.vault_id != self.vault.meta.vault_id:
            other.close()
            raise BadInput("That is a different vault; unlock the vault that was locked.")
        if other.user.login.casefold() != self.user.login.casefold():
            other.close()
            raise BadInput(
                f"The vault was locked by {self.user.full_name}; only they can unlock this "
                "window. To work as someone else, quit and sign in again."
            )
        self.vault, self.user = other.vault, other.user
        self.must_change_password = other.must_change_password

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
                "This vault has several users: sign in with your login and password "
                "(on the command line: --user LOGIN with --password-stdin or CRMDESK_PASSWORD)."
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
            "compare it with your latest backup."
        )
    return report


@dataclass(frozen=True, slots=True)
class KeyringState:
    """Whether the OS keyring can hold a vault key here, and if not, why."""

    usable: bool
    name: str
    problem: str = ""


def keyring_state() -> KeyringState:
    try:
        return KeyringState(True, system_keystore().describe())
    except KeyringUnavailable as exc:
        return KeyringState(False, "", exc.message)


def vault_exists(folder: Path) -> bool:
    return (folder / METADATA_NAME).exists()


def sharing_warning(folder: Path) -> str | None:
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
