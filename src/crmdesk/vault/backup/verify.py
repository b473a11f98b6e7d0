"""Checking a copy of the database: every page, SQLite's own check, the audit chain.

Used on the copy a backup is made of before it is packed, and on the database part of a
backup before it is restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from crmdesk import audit
from crmdesk.vault.backup.container import BackupHeader
from crmdesk.vault.connection import CACHE_SIZE, Connection, UnreadableDatabase
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
        conn = _open_readonly(path, key)
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
    except sqlcipher3.DatabaseError as exc:
        raise CopyProblem(f"the database cannot be read ({exc})") from None
    finally:
        conn.close()
    if expected is not None and (schema != expected.schema_version or head != recorded):
        raise CopyProblem("the database is not the one its header describes")
    return CopyFacts(schema, head)


def _open_readonly(path: Path, key: VaultKey) -> Connection:
    """A read-only keyed connection for checks.

    Not :func:`~crmdesk.vault.connection.open_database`: that one switches the file to
    WAL, a write to page 1 of the very copy being checked.
    """
    try:
        conn = sqlcipher3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlcipher3.Error as exc:
        raise UnreadableDatabase(str(exc)) from None
    try:
        conn.execute(f"PRAGMA key = {key.pragma_value()}")  # the very first statement
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA temp_store = MEMORY")  # sorts of the checks stay off the disk
        # integrity_check revisits index pages: the vault's cache size halves its time.
        conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise UnreadableDatabase(str(exc)) from None
    return conn
