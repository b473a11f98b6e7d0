"""What the app says about the open vault itself: its folder, and how its key is held
(for the status bar, and for screens that ask for the master passphrase)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.services.session import Session


@dataclass(frozen=True, slots=True)
class SecurityState:
    """How the open vault is protected, in words the status bar shows."""

    folder: Path
    vault_id: str
    passphrase: bool  # the key is wrapped by a master passphrase (not in the keyring)
    key_source: str  # e.g. "Secret Service"
    key_location: str  # where the key is held, in a sentence


def security_state(session: Session) -> SecurityState:
    vault = session.vault
    return SecurityState(
        folder=vault.folder,
        vault_id=vault.meta.vault_id,
        passphrase=vault.meta.key_storage == "passphrase",
        key_source=vault.key_source,
        key_location=vault.key_location(),
    )


def vault_folder(session: Session) -> Path:
    """The folder of the session's vault."""
    return session.vault.folder
