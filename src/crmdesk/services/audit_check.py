"""``audit verify``: the hash chain, the head vault.json records, and every signature.

The walk itself is :func:`crmdesk.audit.verify`; this module hands it what only the
services know: which person key the vault vouches for by login and serial (checked back
along its endorsements to the owner's key pinned in vault.json,
:func:`crmdesk.services.key_access.verified_key`), and, for an Owner or a Manager, the
audit keys that open resealed details so their original hash can be recomputed.

Checkpoints (:mod:`crmdesk.audit.checkpoint`): a walk that checked signatures records
where it got to, signed with the verifying person's key, so that the next walk checks only
the signatures after it. A walk trusts the checkpoints signed by the person verifying
(themselves) and by Owners (who vouch for every key in the vault, so trusting them adds
nothing); everyone else's are ignored. Someone holding only the database key can delete
checkpoints (the next walk checks more signatures) but cannot make one that is trusted.
"""

from __future__ import annotations

import contextlib

from crmdesk import audit
from crmdesk.audit import checkpoint
from crmdesk.domain.roles import Role
from crmdesk.errors import CrmdeskError, VaultDamaged
from crmdesk.services import audit_sealing, key_access
from crmdesk.vault import Vault
from crmdesk.vault.connection import DatabaseError


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


def checkpoint_keys(vault: Vault, keys: audit.KeyLookup) -> audit.CheckpointKeys:
    """The keys whose checkpoints a walk by the person who opened ``vault`` trusts: their
    own (any serial the vault vouches for) and Owners'."""
    me = vault.person.login.casefold() if vault.person is not None else None

    def lookup(login: str, serial: int) -> checkpoint.PublicKey | None:
        key = keys(login, serial)
        if key is None or not (key.owner or login.casefold() == me):
            return None
        return key.public

    return lookup


def verify_trail(vault: Vault, *, full: bool = False, rehash: bool = True) -> audit.ChainReport:
    """The whole check; a report, never an exception for a broken trail.

    Signatures are checked after the newest checkpoint this person trusts (every one with
    ``full``); with ``rehash`` (``audit verify``) the hash chain is still recomputed from
    the first entry, without it (reports, backups) only from that checkpoint on. A walk
    that checked signatures and found the trail intact records a new checkpoint."""
    unseal = audit_sealing.unsealer(audit_sealing.opener(vault)) if vault.held.audit else None
    keys = vouched_keys(vault)
    found = None if full else trusted_checkpoint(vault, keys)
    report = vault.verify_audit(keys=keys, unseal=unseal, checkpoint=found, rehash=rehash)
    if report.ok and report.length > (found.seq if found else 0):
        _record_checkpoint(vault, report)
    return report


def trusted_checkpoint(
    vault: Vault, keys: audit.KeyLookup | None = None
) -> audit.Checkpoint | None:
    """The newest checkpoint a walk by this person may start from, or None."""
    keys = keys or vouched_keys(vault)
    with vault.reading() as conn:
        return checkpoint.newest_trusted(conn, vault.meta.vault_id, checkpoint_keys(vault, keys))


def _record_checkpoint(vault: Vault, report: audit.ChainReport) -> None:
    if vault.person is None or report.signed is None:
        return  # nobody to sign it, or signatures were not checked
    # A checkpoint only spares later walks work: one that cannot be written now (a
    # read-only vault, a busy one) is made by a later walk.
    with contextlib.suppress(CrmdeskError, DatabaseError, OSError), vault.transaction() as conn:
        if not checkpoint.has_table(conn):
            return
        checkpoint.record(
            conn,
            vault.meta.vault_id,
            vault.person,
            seq=report.length,
            digest=report.head,
            signed=report.signed,
            unsigned=report.unsigned or 0,
            first_signed=report.first_signed,
        )
