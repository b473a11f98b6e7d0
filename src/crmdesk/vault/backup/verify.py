"""Checking the copies of a vault's files: every page, SQLite's own check, and what each
file says it is (the main database's vault id and audit chain, each book's vault and id).

Used on the live files a backup is copied from and on the copies before they are
packed, and on the parts of a backup before they are restored.

The two page checks answer different questions. ``cipher_integrity_check`` reads every
page of the file, free pages too, and checks its HMAC: each byte is as someone holding
the key wrote it, under this key. SQLite's ``integrity_check`` checks what the pages
say: well-formed b-trees, every page used once, indexes that match their tables, NOT
NULL and CHECK constraints; and every page it reads (all but the free list's leaves)
passes the cipher's HMAC check on the way, or the check fails. Pages that each pass
their HMAC can still disagree with one another (a crash on a disk that lied about
flushing mixes old and new pages; an old page put back by someone with the files), and
only ``integrity_check`` sees that.

A backup needs both, on different files. SQLite's backup API copies a page of the live
file that fails its HMAC as a page of zeros, without an error (checked with sqlcipher3
0.6.4), and the copy's own pages then pass their HMAC check: so ``cipher_integrity_check``
runs on the live file (:func:`check_live_pages`), and ``integrity_check`` on the copy.
Neither alone is enough: a zeroed b-tree page or a zeroed overflow page in the middle of
a chain breaks the copy's structure, but the zeroed *last* page of a long value's
overflow chain leaves it well-formed (``integrity_check`` answers "ok" and the value ends
in zeros); only the live file's HMACs show that. Pages still in the live file's WAL (its
last commits before a checkpoint) are not read by ``cipher_integrity_check``: for them
the copy's structure check is what is left.
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


def check_live_pages(path: Path, key: VaultKey, what: str) -> None:
    """Every page of the live database file at ``path`` passes its HMAC check.

    Read while other connections may write: a checkpoint can be writing a page at the
    moment it is read, and a page read half-written fails its HMAC. So a failure is
    checked once more, on a fresh connection (after one bad page a connection's checks
    are unreliable), and reported only when it is still there: damage on the disk or an
    altered file stays, a page caught mid-write does not.
    """
    for _ in range(2):
        conn = _open(path, key, what)
        try:
            failed = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        except DatabaseError as exc:
            raise CopyProblem(f"{what} cannot be read ({exc})") from None
        finally:
            conn.close()
        if not failed:
            return
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


def _open(path: Path, key: VaultKey, what: str) -> Connection:
    try:
        conn = open_readonly(path, key)
    except UnreadableDatabase:
        raise CopyProblem(f"{what} does not open with its key") from None
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
