"""Checking a copy of the database: every page, SQLite's own check, the audit chain.

Used on the copy a backup is made of before it is packed, and on the database part of a
backup before it is restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk import audit
from crmdesk.vault.backup.container import BackupHeader
from crmdesk.vault.connection import DatabaseError, UnreadableDatabase, open_readonly
from crmdesk.vault.keys import VaultKey


class CopyProblem(Exception):
    """A copy of the database that does not verify; callers say whose fault it is."""


@dataclass(frozen=True, slots=True)
class CopyFacts:
    schema_version: int
    audit_head: tuple[int, str] | None


def verify_copy(
    path: Path, key: VaultKey, vault_id: str, *, expected: BackupHeader | None = None
) -> CopyFacts:
    """Every page's HMAC, SQLite's own check, the vault id and the audit chain.

    On a fresh read-only connection: after one bad page, later checks on a connection
    are unreliable, and a check must not change the file it checks. With ``expected``,
    the schema version and audit head must be the header's.
    """
    try:
        conn = open_readonly(path, key)
    except UnreadableDatabase:
        raise CopyProblem("the database does not open with the vault key") from None
    try:
        if conn.execute("PRAGMA cipher_integrity_check").fetchall():
            raise CopyProblem("pages of the database fail their HMAC check")
        if conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise CopyProblem("SQLite's integrity check fails")
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        row = conn.execute("SELECT value FROM vault_info WHERE key = 'vault_id'").fetchone()
        if row is None or row[0] != vault_id:
            raise CopyProblem("the database belongs to another vault")
        recorded = expected.audit_head if expected is not None else None
        report = audit.verify(conn, vault_id, recorded_head=recorded)
        if not report.ok:
            raise CopyProblem(f"its audit trail does not verify: {report.problem}")
        head = audit.head(conn)
    except DatabaseError as exc:
        raise CopyProblem(f"the database cannot be read ({exc})") from None
    finally:
        conn.close()
    if expected is not None and (schema != expected.schema_version or head != recorded):
        raise CopyProblem("the database is not the one its header describes")
    return CopyFacts(schema, head)
