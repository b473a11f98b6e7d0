"""Rotating the vault key: after someone with access leaves, or when a key may be known.

The database is re-encrypted under a new key (SQLCipher rekey), the keyring entry (or
the passphrase wrapping) is replaced, and a new recovery key is returned to show once.
An old key, or an old recovery key, then opens no later copy of the vault. Copies made
before the rotation (backups, or a file someone took) still open with the old key: a
rotation protects the future, not the past.
"""

from __future__ import annotations

from crmdesk.domain.roles import Permission
from crmdesk.services.access import require
from crmdesk.services.session import Session
from crmdesk.vault.keys.keystore import KeyStore


def rotate_key(
    session: Session,
    *,
    reason: str = "",
    passphrase: str | None = None,
    keystore: KeyStore | None = None,
) -> str:
    """Re-encrypt under a new key; returns the new recovery key. Owner only.

    In passphrase mode the current passphrase is needed to wrap the new key.
    """
    require(session, Permission.ROTATE_KEY, what="vault key")
    return session.vault.rotate_key(
        session.actor, reason=reason.strip()[:500], keystore=keystore, passphrase_text=passphrase
    )
