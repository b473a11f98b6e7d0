"""The audit trail: an append-only, hash-chained, signed record of who did what, inside
the vault."""

from crmdesk.audit.chain import (
    AuditEvent,
    ChainReport,
    canonical_details,
    entry_hash,
    genesis_hash,
    head,
    record,
)
from crmdesk.audit.checkpoint import Checkpoint, CheckpointKeys
from crmdesk.audit.resealed import RESEALED, ResealDigest, resealed_box
from crmdesk.audit.verify import KeyLookup, SignerKey, Unsealer, verify

__all__ = [
    "RESEALED",
    "AuditEvent",
    "ChainReport",
    "Checkpoint",
    "CheckpointKeys",
    "KeyLookup",
    "ResealDigest",
    "SignerKey",
    "Unsealer",
    "canonical_details",
    "entry_hash",
    "genesis_hash",
    "head",
    "record",
    "resealed_box",
    "verify",
]
