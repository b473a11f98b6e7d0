"""Checking the copies of a vault's files: every page, SQLite's own check, and what each
file says it is (the main database's vault id and audit chain, each book's vault and id).

Used on the copies a backup is made of before they are packed, and on the parts of a
backup before they are restored.

The two page checks answer different questions. ``cipher_integrity_check`` reads every
page of the file, free pages too, and checks its HMAC: each byte is as someone holding
the key wrote it, under this key. SQLite's ``integrity_check`` checks what the pages
say: well-formed b-trees, every page used once, indexes that match their tables, NOT
NULL and CHECK constraints; and every page it reads (all but the free list's leaves)
passes the cipher's HMAC check on the way, or the check fails. Pages that each pass
their HMAC can still disagree with one another (a crash on a disk that lied about
flushing mixes old and new pages; an old page put back by someone with the files), and
only ``integrity_check`` sees that.

A backup needs both. Its copies are byte for byte (snapshot.py), so a page damaged in
the vault is damaged in the copy, and both checks run on the copy (:func:`check_pages`,
then ``integrity_check``). Neither alone is enough: a damaged b-tree page, or overflow
page in the middle of a chain, breaks the structure, but the damaged *last* page of a
long value's overflow chain is read by neither SQLite's check nor its queries until the
value is: only its HMAC shows it. (SQLite's backup API, which made the copies before,
copies a page that fails its HMAC as zeros without an error, checked with sqlcipher3
0.6.4; the zeroed last page then left the copy well-formed, and the value ended in
zeros.) The pages of the last commits, still in the vault's WAL, are checked by the
WAL's checksums as the copy folds them in (snapshot.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk import audit
from crmdesk.vault.books import latest_book_version
from crmdesk.vault.connection import Connection, DatabaseError, UnreadableDatabase, open_readonly
from crmdesk.vault.keys import VaultKey


class CopyProblem(Exception):
    """A copy that does not verify; callers say whose fault it is."""


@dataclass(frozen=True, slots=True)
class CopyFacts:
    schema_version: int
    audit_head: tuple[int, str] | None
    book_ids: frozenset[str]  # the books the main database names


def verify_copy(
    path: Path,
    key: VaultKey,
    vault_id: str,
    *,
    expected_schema: int | None = None,
    expected_head: tuple[int, str] | None = None,
    audit_checkpoint: audit.Checkpoint | None = None,
    every_hmac: bool = True,
) -> CopyFacts:
    """The main database: every page's HMAC (unless not ``every_hmac``: then those that
    SQLite's check reads), SQLite's own check, the vault id and the audit chain.

    On a fresh read-only connection: after one bad page, later checks on a connection
    are unreliable, and a check must not change the file it checks. With
    ``expected_schema`` the schema version, and with ``expected_head`` the audit head,
    must be those (a backup header's). With ``audit_checkpoint`` (one the caller trusts),
    the chain is checked from that entry on, whose hash must be the checkpoint's.
    """
    conn = _open(path, key, "the database")
    try:
        _pages(conn, "the database", every_hmac)
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        row = conn.execute("SELECT value FROM vault_info WHERE key = 'vault_id'").fetchone()
        if row is None or row[0] != vault_id:
            raise CopyProblem("the database belongs to another vault")
        report = audit.verify(
            conn,
            vault_id,
            recorded_head=expected_head,
            checkpoint=audit_checkpoint,
            rehash=audit_checkpoint is None,
        )
        if not report.ok:
            raise CopyProblem(f"its audit trail does not verify: {report.problem}")
        head = audit.head(conn)
        books = _book_ids(conn)
    except DatabaseError as exc:
        raise CopyProblem(f"the database cannot be read ({exc})") from None
    finally:
        conn.close()
    if expected_schema is not None and (schema != expected_schema or head != expected_head):
        raise CopyProblem("the database is not the one its header describes")
    return CopyFacts(schema, head, books)


def verify_book(
    path: Path, key: VaultKey, vault_id: str, book_id: str, *, every_hmac: bool = True
) -> None:
    """A book: every page's HMAC (unless not ``every_hmac``), SQLite's own check, and that
    its ``book_info`` names this vault and this book (a book of another vault, or another
    book, swapped in)."""
    what = f"the book {book_id}"
    conn = _open(path, key, what)
    try:
        _pages(conn, what, every_hmac)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > latest_book_version():
            raise CopyProblem(f"{what} was made by a newer crmdesk (book schema {version})")
        info = dict(conn.execute("SELECT key, value FROM book_info").fetchall())
    except DatabaseError as exc:
        raise CopyProblem(f"{what} cannot be read ({exc})") from None
    finally:
        conn.close()
    if info.get("vault_id") != vault_id or info.get("book_id") != book_id:
        raise CopyProblem(f"{what} belongs to another vault or book")


def check_pages(path: Path, key: VaultKey, what: str) -> None:
    """Every page of the database file at ``path`` (a byte-for-byte copy of a vault's
    file: snapshot.py) passes its HMAC check: each page is as someone holding the key
    wrote it."""
    conn = _connect(path, key, what)
    try:
        failed = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    except DatabaseError as exc:
        raise CopyProblem(f"{what} cannot be read ({exc})") from None
    finally:
        conn.close()
    if failed:
        raise CopyProblem(f"pages of {what} fail their HMAC check (damaged on the disk or altered)")


def _book_ids(conn: Connection) -> frozenset[str]:
    """The books the main database names; a format-1 vault (schema 6 and before) has none."""
    if (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'books'"
        ).fetchone()
        is None
    ):
        return frozenset()
    return frozenset(str(r[0]) for r in conn.execute("SELECT id FROM books"))


# The most page cache a copy's check takes (MiB): a file up to this size is decrypted once.
CHECK_CACHE_MIB = 512


def _connect(path: Path, key: VaultKey, what: str) -> Connection:
    try:
        return open_readonly(path, key)
    except UnreadableDatabase:
        raise CopyProblem(f"{what} does not open with its key") from None


def _open(path: Path, key: VaultKey, what: str) -> Connection:
    conn = _connect(path, key, what)
    # SQLite's integrity check reads each index's pages again for every row it checks
    # against its table: with a cache the size of the file, each page is decrypted once
    # (the 500 MB book of 100,000 clients: 3.6 s of CPU instead of 4.9 s at the usual
    # 64 MiB). The cache is let go with the connection, when the check ends.
    size_kib = max(path.stat().st_size // 1024, 1)
    conn.execute(f"PRAGMA cache_size = {-min(size_kib, CHECK_CACHE_MIB * 1024)}")
    return conn


def _pages(conn: Connection, what: str, every_hmac: bool) -> None:
    if every_hmac and conn.execute("PRAGMA cipher_integrity_check").fetchall():
        raise CopyProblem(f"pages of {what} fail their HMAC check")
    if conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
        raise CopyProblem(f"SQLite's integrity check of {what} fails")
