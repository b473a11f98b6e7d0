"""The audit trail: an append-only, hash-chained record of who did what, inside the vault."""

from crmdesk.audit.chain import AuditEvent, ChainReport, genesis_hash, head, record, verify

__all__ = ["AuditEvent", "ChainReport", "genesis_hash", "head", "record", "verify"]
