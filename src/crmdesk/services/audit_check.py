"""``audit verify``: the hash chain, the head vault.json records, and every signature.

The walk itself is :func:`crmdesk.audit.verify`; this module hands it what only the
services know: which person key the vault vouches for by login and serial (checked back
along its endorsements to the owner's key pinned in vault.json,
:func:`crmdesk.services.key_access.verified_key`), and, for an Owner or a Manager, the
audit keys that open resealed details so their original hash can be recomputed.
"""

from __future__ import annotations

from crmdesk import audit
from crmdesk.domain.roles import Role
from crmdesk.errors import VaultDamaged
from crmdesk.services import audit_sealing, key_access
from crmdesk.vault import Vault


def vouched_keys(vault: Vault) -> audit.KeyLookup:
    """(login, serial) -> the signing key the vault vouches for, or None."""

    def lookup(login: str, serial: int) -> audit.SignerKey | None:
        try:
            with vault.reading() as conn:
                record = key_access.verified_key(vault, conn, login, serial)
        except VaultDamaged:
            return None
        if record.login.casefold() != login.casefold():
            return None
        return audit.SignerKey(record.public, owner=record.role is Role.OWNER)

    return lookup


def verify_trail(vault: Vault) -> audit.ChainReport:
    """The whole check; a report, never an exception for a broken trail."""
    unseal = audit_sealing.unsealer(audit_sealing.opener(vault)) if vault.held.audit else None
    return vault.verify_audit(keys=vouched_keys(vault), unseal=unseal)
