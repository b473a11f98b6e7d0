"""The only place that opens an SQLCipher connection.

Every connection starts with the raw key as its first statement (SQLCipher 4.7 and later
read the file on any statement), keeps SQLCipher 4's default cipher settings so that any
SQLCipher 4 tool opens the file with the same key, and then sets what keeps plaintext
off the disk and committed work durable.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from crmdesk.vault.keys import VaultKey

DatabaseError = sqlcipher3.DatabaseError
Connection = sqlcipher3.Connection

CACHE_SIZE = -65536  # in KiB when negative: 64 MiB

_SESSION_PRAGMAS = (
    # The journal and WAL are encrypted like the database; WAL lets readers and one
    # writer (the app and the CLI at once) work side by side.
    "PRAGMA journal_mode = WAL",
    # FULL: a committed change survives a crash or power loss, also in WAL mode.
    "PRAGMA synchronous = FULL",
    # Deleted records are overwritten, not left in free pages.
    "PRAGMA secure_delete = ON",
    # Temporary tables, indices and sorts stay in memory, never in plaintext temp files.
    "PRAGMA temp_store = MEMORY",
    "PRAGMA foreign_keys = ON",
    # 64 MiB of decrypted page cache: decrypting pages is where SQLCipher costs.
    f"PRAGMA cache_size = {CACHE_SIZE}",
)


class UnreadableDatabase(Exception):
    """SQLCipher could not read the file with the key given (wrong key or damage)."""


def open_database(path: Path, key: VaultKey, *, create: bool = False) -> Connection:
    """An open, keyed connection; :class:`UnreadableDatabase` if the key does not read it.

    Without ``create`` the file must exist: SQLite would otherwise quietly make an
    empty one.
    """
    mode = "rwc" if create else "rw"
    try:
        conn = sqlcipher3.connect(
            f"{path.as_uri()}?mode={mode}",
            uri=True,
            isolation_level=None,  # transactions are explicit: BEGIN ... COMMIT
            timeout=10.0,
            check_same_thread=False,  # one worker thread at a time owns it (see services)
        )
    except sqlcipher3.Error as exc:
        raise UnreadableDatabase(str(exc)) from None
    try:
        conn.execute(f"PRAGMA key = {key.pragma_value()}")
        # SQLCipher's own log lines ("hmac check failed") must not reach a user's terminal.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # The first read: a wrong key or a damaged first page fails here, before any write.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in _SESSION_PRAGMAS:
            conn.execute(pragma).fetchall()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise UnreadableDatabase(str(exc)) from None
    return conn


def opens_with(path: Path, key: VaultKey) -> bool:
    """Whether ``key`` reads the database (a wrong key changes nothing in the files)."""
    try:
        conn = open_database(path, key)
    except UnreadableDatabase:
        return False
    conn.close()
    return True


def truncated(conn: Connection, path: Path) -> bool:
    """True when the file is shorter than its own header says and no WAL holds the rest."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    page_count = conn.execute("PRAGMA page_count").fetchone()[0]
    return path.stat().st_size < int(page_size) * int(page_count)


def checkpoint_truncate(conn: Connection) -> bool:
    """Copy every WAL page into the database file and empty the WAL.

    True when it completed; False when another connection's read kept pages in the WAL.
    """
    busy, _frames, _copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return int(busy) == 0


def rekey(conn: Connection, key: VaultKey) -> None:
    """Re-encrypt every page under ``key`` (SQLCipher's ``PRAGMA rekey``, raw key).

    SQLCipher rewrites the pages in one transaction: after a crash the file is wholly
    under the old key or wholly under the new one. Reopen with the new key before
    trusting it.
    """
    conn.execute(f"PRAGMA rekey = {key.pragma_value()}")


def open_readonly(path: Path, key: VaultKey) -> Connection:
    """A read-only keyed connection for checks.

    Not :func:`open_database`: that one switches the file to
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
