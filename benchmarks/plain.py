"""The same vault with unencrypted database files, opened by crmdesk's own code.

The plain side of the benchmark must do the same work as the encrypted side, so that
the ratio measures SQLCipher and nothing else. An earlier plain side was a small
stand-in class: it skipped reading vault.json and keys.json, opening the key slot,
the open lock, the migration check, and the rewrite of vault.json's audit head after
every commit with an audit entry; its ratios for open, create, update and load were
not about encryption at all.

So the plain copy is a whole vault folder (vault.json, keys.json, the books folder)
whose database files are ``sqlcipher_export`` copies without a key, and it is opened
with ``Vault.open`` like the real one: the same key slot, the same lock, the same
signed audit entries, the same vault.json writes. The only difference is the two
functions that open a database file: inside :func:`plaintext_files` they connect
without ``PRAGMA key`` (an empty key: SQLCipher reads and writes plain SQLite) and set
the very same pragmas (journal, synchronous, secure delete, cache size).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from crmdesk.vault import books as vault_books
from crmdesk.vault import unlocked
from crmdesk.vault.books import book_path
from crmdesk.vault.connection import _ATTACHED_PRAGMAS, _SESSION_PRAGMAS, _schema
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.paths import DATABASE_NAME


def export_plain(path: Path, key: VaultKey, plain: Path) -> None:
    """An unencrypted copy of one SQLCipher file (``sqlcipher_export``)."""
    plain.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    conn.execute("SELECT sqlcipher_export('plain')")
    # sqlcipher_export copies the schema and rows, not the schema version.
    version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
    conn.execute(f"PRAGMA plain.user_version = {version}")
    conn.execute("DETACH DATABASE plain")
    conn.close()


def plain_copy(folder: Path, target: Path, main: VaultKey, books: dict[str, VaultKey]) -> None:
    """``target``: the vault in ``folder`` (closed) with every database file unencrypted.

    ``books``: book id -> that book's key.
    """
    shutil.rmtree(target, ignore_errors=True)
    # Everything but the databases, their WAL files and the lock files, as they are.
    shutil.copytree(
        folder, target, ignore=shutil.ignore_patterns("*.db", "*.db-*", ".*.lock", "*.lock")
    )
    export_plain(folder / DATABASE_NAME, main, target / DATABASE_NAME)
    for book_id, key in books.items():
        export_plain(book_path(folder, book_id), key, book_path(target, book_id))


def _open_plain(path: Path, key: VaultKey, *, create: bool = False) -> sqlcipher3.Connection:
    """:func:`crmdesk.vault.connection.open_database` without the key."""
    conn = sqlcipher3.connect(
        f"{path.as_uri()}?mode={'rwc' if create else 'rw'}",
        uri=True,
        isolation_level=None,
        timeout=10.0,
        check_same_thread=False,
    )
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    for pragma in _SESSION_PRAGMAS:
        conn.execute(pragma).fetchall()
    return conn


def _attach_plain(
    conn: sqlcipher3.Connection, path: Path, schema: str, key: VaultKey, *, create: bool = False
) -> None:
    """:func:`crmdesk.vault.connection.attach_database` with an empty key (no cipher)."""
    name = _schema(schema)
    uri = f"{path.as_uri()}?mode={'rwc' if create else 'rw'}"
    conn.execute("ATTACH DATABASE ? AS " + name + " KEY ''", (uri,))
    conn.execute(f"SELECT count(*) FROM {name}.sqlite_master").fetchone()
    for pragma in _ATTACHED_PRAGMAS:
        conn.execute(pragma.format(schema=name)).fetchall()


@contextlib.contextmanager
def plaintext_files() -> Iterator[None]:
    """Inside: vaults open their database files without encryption (for plain copies)."""
    real_open, real_attach = unlocked.open_database, vault_books.attach_database
    unlocked.open_database = _open_plain  # type: ignore[assignment]
    vault_books.attach_database = _attach_plain  # type: ignore[assignment]
    try:
        yield
    finally:
        unlocked.open_database = real_open  # type: ignore[assignment]
        vault_books.attach_database = real_attach  # type: ignore[assignment]
