"""Creating, unlocking and recovering vaults, as a signed-in person would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.audit import ChainReport
from crmdesk.errors import AuditChainBroken, BadInput, KeyringUnavailable
from crmdesk.vault import Owner, Vault, VaultStatus  # Owner is part of this API too
from crmdesk.vault.keystore import KeyStore, system_keystore
from crmdesk.vault.metadata import read_metadata
from crmdesk.vault.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.paths import METADATA_NAME


@dataclass(slots=True)
class Session:
    """An unlocked vault and the person using it: every action is attributed to them."""

    vault: Vault
    actor: str
    full_name: str

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
        self.vault, self.actor, self.full_name = other.vault, other.actor, other.full_name

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _session(vault: Vault) -> Session:
    owner = vault.owner
    return Session(vault=vault, actor=owner.login, full_name=owner.full_name)


def create_vault(
    folder: Path,
    owner: Owner,
    *,
    keystore: KeyStore | None = None,
    passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> tuple[Session, str]:
    """A new vault and its recovery key (to show once)."""
    vault, recovery_key = Vault.create(
        folder, owner, keystore=keystore, passphrase_text=passphrase, kdf=kdf
    )
    return _session(vault), recovery_key


def unlock(
    folder: Path, *, keystore: KeyStore | None = None, passphrase: str | None = None
) -> Session:
    return _session(Vault.open(folder, keystore=keystore, passphrase_text=passphrase))


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
    return _session(vault)


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


def needs_passphrase(folder: Path) -> bool:
    """True when the vault's key is wrapped by a passphrase instead of the keyring."""
    return read_metadata(folder / METADATA_NAME, folder).key_storage == "passphrase"


def lock(session: Session) -> None:
    """Record the lock, then close the database and drop the key bytes."""
    with session.vault.transaction():
        session.vault.record_event(session.actor, "session.locked", object=session.actor)
    session.close()
