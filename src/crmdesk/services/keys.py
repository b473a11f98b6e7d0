"""Rotating every key of the vault: when a key may be known (``crmdesk rekey``).

Every data key is replaced (the main database and each book re-encrypted under a new
key, a new generation of the audit sealing key), and granted again to everyone who holds
it by their role; the owner's own key pairs are replaced too, with a new recovery key to
show once: whatever copy of a key, a keyring entry or a recovery kit someone may have
taken opens no later copy of the vault. Copies made before the rotation (backups, a file
someone took) still open with the old keys: a rotation protects the future, not the past.

Someone leaving does not need all this: disabling their account rotates the keys they
held (services.people), and the owner's recovery key, which they never had, stays.
"""

from __future__ import annotations

from crmdesk.domain.roles import Permission, Role
from crmdesk.errors import CannotUnlock, WrongPassphrase
from crmdesk.services import key_access
from crmdesk.services.access import require
from crmdesk.services.people import PASSWORD_KDF
from crmdesk.services.user_session import Session
from crmdesk.vault import people_keys
from crmdesk.vault.keys import recovery
from crmdesk.vault.keys.keystore import KeyStore, system_keystore
from crmdesk.vault.keys.slots import KEYRING, PASSWORD


def rotate_key(
    session: Session,
    *,
    reason: str = "",
    passphrase: str | None = None,
    keystore: KeyStore | None = None,
) -> str:
    """Rotate every key and the owner's own; returns the new recovery key. Owner only.

    When the owner's slot opens with a password (a passphrase vault, or a vault of
    several people), ``passphrase`` must be that password: the owner's new key pairs are
    wrapped by it. Needs the vault alone (:class:`~crmdesk.errors.VaultInUse` otherwise).
    """
    require(session, Permission.ROTATE_KEY, what="vault key")
    vault = session.vault
    reason = reason.strip()[:500]
    slot = vault.keyfile().slot(session.actor)
    if slot is None:
        raise CannotUnlock("Your key slot is gone: use your recovery key.", code="key.slot_gone")
    by_password = PASSWORD in slot.wraps
    if by_password:
        if passphrase is None:
            raise CannotUnlock(
                "Changing the keys needs your password (the one that opens this vault).",
                code="passphrase.needed.rotation",
            )
        if not people_keys.check_own_password(vault, passphrase):
            raise WrongPassphrase(
                "That password does not open your key; nothing was changed. Check Caps "
                "Lock and try again.",
                code="passphrase.wrong.rotation",
            )
    # The data keys first: if the vault is open elsewhere this stops before anything changed.
    key_access.rotate_keys(vault, session.actor, key_access.every_key_id(vault), reason)
    previous = vault.person
    assert previous is not None
    store = None
    if KEYRING in slot.wraps:
        store = keystore if keystore is not None else (vault.keystore or system_keystore())
    public, secret = people_keys.roll_over_keys(
        vault,
        password=passphrase if by_password else None,
        store=store,
        recovery=True,
        kdf=PASSWORD_KDF,
    )
    assert secret is not None
    with vault.transaction() as conn:
        key_access.endorse(vault, conn, session.actor, Role.OWNER, public, signer=previous)
        vault.record_event(
            session.actor,
            "key.rolled_over",
            object=session.actor,
            details={"from_serial": previous.serial, "to_serial": public.serial, "reason": reason},
        )
    text = recovery.encode(secret)
    people_keys.recovery_key_shown(vault)  # the caller shows it now
    return text
