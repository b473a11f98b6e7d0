"""What the app says about the open vault itself: its folder, how it is protected (one
person with the OS keyring, one person with a passphrase, or several people each with
their own password: :class:`Protection`), and what waits (for the status bar, and for
screens that ask for a passphrase or password)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.services import key_access
from crmdesk.services.session import Session
from crmdesk.vault.protection import AWAITING, Protection, protection

__all__ = ["Protection", "SecurityState", "security_state", "vault_folder"]


@dataclass(frozen=True, slots=True)
class SecurityState:
    """How the open vault is protected, in words the status bar shows."""

    folder: Path
    vault_id: str
    passphrase: bool  # one person, whose key slot opens with their passphrase
    key_source: str  # e.g. "Secret Service"
    key_location: str  # where the key is held, in a sentence
    protection: Protection = Protection.KEYRING
    people: int = 1  # people who sign in: with a key slot, or waiting for one
    # A key rotation waits for the vault to be open nowhere else (another window).
    rotation_waiting: bool = False
    # Users of an upgraded vault still waiting for a new password from the owner (they
    # have no key slot yet, so they cannot sign in).
    awaiting: tuple[str, ...] = ()


def security_state(session: Session) -> SecurityState:
    vault = session.vault
    keyfile = vault.keyfile()
    kind = protection(keyfile)
    awaiting = tuple(keyfile.state.get(AWAITING, []))
    return SecurityState(
        folder=vault.folder,
        vault_id=vault.meta.vault_id,
        passphrase=kind is Protection.PASSPHRASE,
        key_source=vault.key_source,
        key_location=vault.key_location(),
        protection=kind,
        people=len(keyfile.people) + len(awaiting),
        rotation_waiting=bool(key_access.waiting_rotations(vault)),
        awaiting=awaiting,
    )


def vault_folder(session: Session) -> Path:
    """The folder of the session's vault."""
    return session.vault.folder
