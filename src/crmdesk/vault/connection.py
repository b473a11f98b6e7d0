"""The only place that opens an SQLCipher connection.

Every connection starts with the raw key as its first statement (SQLCipher 4.7 and later
read the file on any statement), keeps SQLCipher 4's default cipher settings so that any
SQLCipher 4 tool opens the file with the same key, and then sets what keeps plaintext
off the disk and committed work durable.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import sqlcipher3

from crmdesk.vault.keys import VaultKey

DatabaseError = sqlcipher3.DatabaseError
Connection = sqlcipher3.Connection

CACHE_SIZE = -65536  # in KiB when negative: 64 MiB
BOOK_CACHE_SIZE = -32768  # each book gets half: an office holds up to ten books

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


def _as_is(value: object) -> object:
    return value


# sqlcipher3 looks for an adapter for every None or bytes value it binds, and without
# one registered finds none the slow way: about 1.4 µs a value against 0.1 µs for a
# number or text, and an import of 100,000 clients binds about 800,000 NULLs. Registered
# as themselves they are found at the first look and bound as before (NULL, a BLOB).
sqlcipher3.register_adapter(type(None), _as_is)
sqlcipher3.register_adapter(bytes, _as_is)


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


def checkpoint_truncate(conn: Connection, schema: str = "main") -> bool:
    """Copy every WAL page of ``schema`` into its file and empty its WAL.

    True when it completed; False when another connection's read kept pages in the WAL.
    """
    busy, _frames, _copied = conn.execute(
        f"PRAGMA {_schema(schema)}.wal_checkpoint(TRUNCATE)"
    ).fetchone()
    return int(busy) == 0


def rekey(conn: Connection, key: VaultKey, schema: str = "main") -> None:
    """Re-encrypt every page of ``schema`` under ``key`` (SQLCipher's ``PRAGMA rekey``).

    SQLCipher rewrites the pages in one transaction: after a crash the file is wholly
    under the old key or wholly under the new one. Reopen with the new key before
    trusting it.
    """
    conn.execute(f"PRAGMA {_schema(schema)}.rekey = {key.pragma_value()}")


_SCHEMA_NAME = re.compile(r"^(main|book_[0-9]{1,3})$")


def _schema(name: str) -> str:
    """A schema name for a PRAGMA (which takes no bound parameter): only names we make."""
    if not _SCHEMA_NAME.fullmatch(name):
        raise ValueError(f"not a schema name crmdesk uses: {name!r}")
    return name


def attach_database(
    conn: Connection, path: Path, schema: str, key: VaultKey, *, create: bool = False
) -> None:
    """Attach another SQLCipher file under ``schema``, with its own raw key.

    ``ATTACH ... KEY ?`` takes the key as a bound parameter. A wrong key or damage is
    found at the first read, here, and the file is detached again; the file is left as
    it was. Without ``create`` the file must exist.
    """
    name = _schema(name=schema)
    uri = f"{path.as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        conn.execute("ATTACH DATABASE ? AS " + name + " KEY ?", (uri, f"x'{key.hex()}'"))
    except sqlcipher3.Error as exc:
        raise UnreadableDatabase(str(exc)) from None
    try:
        conn.execute(f"SELECT count(*) FROM {name}.sqlite_master").fetchone()
        for pragma in _ATTACHED_PRAGMAS:
            conn.execute(pragma.format(schema=name)).fetchall()
    except sqlcipher3.DatabaseError as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute(f"DETACH DATABASE {name}")
        raise UnreadableDatabase(str(exc)) from None


def detach_database(conn: Connection, schema: str) -> None:
    conn.execute(f"DETACH DATABASE {_schema(schema)}")


# The per-file settings of _SESSION_PRAGMAS, for an attached file.
_ATTACHED_PRAGMAS = (
    "PRAGMA {schema}.journal_mode = WAL",
    "PRAGMA {schema}.synchronous = FULL",
    "PRAGMA {schema}.secure_delete = ON",
    # Each book gets half the main file's page cache: an office holds up to ten books.
    f"PRAGMA {{schema}}.cache_size = {BOOK_CACHE_SIZE}",
)


def open_copy(path: Path, key: VaultKey) -> Connection:
    """A byte-for-byte copy of a vault file (a backup's part, in a private work folder)
    opened to fold its WAL in and leave it one file.

    No fsync: nothing relies on this file surviving a crash. It lives in a work folder
    removed afterwards, and only what is built from it is made durable (the backup
    container: fsync, then an atomic rename). Its pages stay encrypted under ``key``.
    """
    conn = _keyed(path, key, "rw")
    try:
        conn.execute("PRAGMA synchronous = OFF").fetchall()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise UnreadableDatabase(str(exc)) from None
    return conn


def open_readonly(path: Path, key: VaultKey) -> Connection:
    """A read-only keyed connection for checks.

    Not :func:`open_database`: that one switches the file to
    WAL, a write to page 1 of the very copy being checked.
    """
    conn = _keyed(path, key, "ro")
    try:
        # integrity_check revisits index pages: the vault's cache size halves its time.
        conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise UnreadableDatabase(str(exc)) from None
    return conn


def _keyed(path: Path, key: VaultKey, mode: str) -> Connection:
    """A connection to ``path`` opened in URI ``mode`` ("ro", "rwc") with ``key`` given
    first, SQLCipher's log off and temporary data (sorts of the checks too) in memory."""
    try:
        conn = sqlcipher3.connect(
            f"{path.as_uri()}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlcipher3.Error as exc:
        raise UnreadableDatabase(str(exc)) from None
    try:
        conn.execute(f"PRAGMA key = {key.pragma_value()}")  # the very first statement
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise UnreadableDatabase(str(exc)) from None
    return conn
