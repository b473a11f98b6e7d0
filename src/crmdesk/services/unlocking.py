"""Unlocking again after a lock, and restoring access with the recovery key, as the
desktop app does them: who must sign in again, the unlock's audit event, and a vault
opened by its recovery key waiting for someone to sign in.

(:func:`crmdesk.services.session.lock` records the lock; this records the unlock.)
"""

from __future__ import annotations

from pathlib import Path

from crmdesk.services import signin
from crmdesk.services.session import KeyStore, Session, Unlocked, recover


def sign_in_required(session: Session) -> bool:
    """True when the vault has several users (or sign-in is on): whoever locked it
    signs in again with their password to unlock it."""
    return signin.sign_in_required(session.vault)


def record_unlock(session: Session) -> None:
    """The audit event of an unlock, once the person is back past the sign-in gates."""
    with session.vault.transaction():
        session.vault.record_event(session.actor, "session.unlocked", object=session.actor)


def recover_for_sign_in(
    folder: Path,
    recovery_key: str,
    *,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
) -> Unlocked:
    """Open the vault with its recovery key and keep its key on this computer again (in
    the keyring, or under ``new_passphrase``). The recovery key opens the vault, not
    anyone's account: the result waits for someone to sign in as usual."""
    recovered = recover(folder, recovery_key, keystore=keystore, new_passphrase=new_passphrase)
    return Unlocked(folder, recovered.vault)
