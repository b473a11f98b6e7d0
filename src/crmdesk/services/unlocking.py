"""Unlocking again after a lock, and restoring access with the recovery key, as the
desktop app does them: who must sign in again, the unlock's audit event, and a vault
opened by its recovery key.

(:func:`crmdesk.services.session.lock` records the lock; this records the unlock.)
"""

from __future__ import annotations

from pathlib import Path

from crmdesk.services import signin
from crmdesk.services.session import KeyStore, Session, Unlocked, recover, recovery_login
from crmdesk.vault.legacy import is_legacy


def sign_in_required(session: Session) -> bool:
    """True when the vault has several users (or sign-in is on): whoever locked it
    signs in again with their password to unlock it."""
    return signin.sign_in_required(session.vault)


def record_unlock(session: Session) -> None:
    """The audit event of an unlock, once the person is back past the sign-in gates."""
    with session.vault.transaction():
        session.vault.record_event(session.actor, "session.unlocked", object=session.actor)


def recovery_owner(folder: Path) -> str | None:
    """The login of the owner whose key slot the recovery key opens, when the vault in
    ``folder`` has several people: recovering then needs a new password for the owner
    (the one they had may be what was lost). None for a vault of one person (its key goes
    back into the keyring, or under a new passphrase), and for a vault of the format
    before key slots, which says so when the recovery key opens it
    (``recover.password_needed``)."""
    if is_legacy(folder) or not signin.sign_in_required_at(folder):
        return None
    return recovery_login(folder)


def recover_for_sign_in(
    folder: Path,
    recovery_key: str,
    *,
    login: str | None = None,
    keystore: KeyStore | None = None,
    new_passphrase: str | None = None,
    new_password: str | None = None,
) -> Unlocked:
    """Open the vault with its recovery key, which opens the owner's key slot, and make
    that slot open the usual way again: in the keyring or under ``new_passphrase`` (one
    person), or with ``new_password``, the owner's new password (several people; see
    :func:`recovery_owner`). Only the owner recovers a vault of several people: ``login``
    is the owner's login the app names on screen, checked against the slot the key opens.
    The result holds the owner's open vault: the sign-in that follows is the owner's, and
    everyone else's password is unchanged."""
    recovered = recover(
        folder,
        recovery_key,
        login=login,
        keystore=keystore,
        new_passphrase=new_passphrase,
        new_password=new_password,
    )
    return Unlocked(folder, recovered.vault)
