"""Books: the value-added information of one person's clients, in a file of its own.

A book is an SQLCipher file under ``books/`` in the vault folder, encrypted under the
book's own key; the people whose grants hold that key (the salesperson it belongs to,
the Owner and the Managers) can attach it to their connection. Which clients' rows live
in which book, and what those rows are, is the services' business (the client store);
this module only makes, attaches, checks and migrates the files.

A book starts with a ``book_info`` table naming its vault and its id, so that a book
file copied in from another vault, or swapped for another book of the same vault, is
refused even if someone also holds its key.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import NewerVault, VaultDamaged
from crmdesk.vault.connection import (
    Connection,
    UnreadableDatabase,
    attach_database,
    detach_database,
)
from crmdesk.vault.keys import VaultKey

BOOKS_FOLDER = "books"
HOUSE = "house"  # the book of clients assigned to nobody who has a book
# sqlcipher3 is built with SQLITE_MAX_ATTACHED = 10: one connection holds ten books.
MAX_ATTACHED_BOOKS = 10
_BOOK_ID = re.compile(r"^(house|[0-9a-f]{16})$")


@dataclass(frozen=True, slots=True)
class BookMigration:
    version: int
    description: str
    statements: tuple[str, ...]


# A book's schema, forward-only like the main one (vault/migrations.py). ``{schema}`` is
# the name the book is attached under.
BOOK_MIGRATIONS: tuple[BookMigration, ...] = (
    BookMigration(
        1,
        "which vault and which book this file is",
        ("CREATE TABLE {schema}.book_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",),
    ),
)


def new_book_id() -> str:
    return secrets.token_hex(8)


def check_book_id(book_id: str) -> str:
    if not _BOOK_ID.fullmatch(book_id):
        raise VaultDamaged(
            f"A book id in this vault is malformed ({book_id!r}).",
            code="vault.damaged.book",
            book=book_id,
        )
    return book_id


def book_path(folder: Path, book_id: str) -> Path:
    return folder / BOOKS_FOLDER / f"{check_book_id(book_id)}.db"


def book_files(folder: Path) -> list[Path]:
    where = folder / BOOKS_FOLDER
    return sorted(where.glob("*.db")) if where.is_dir() else []


class AttachedBooks:
    """The books attached to one connection: book id -> schema name (``book_0``...)."""

    def __init__(self) -> None:
        self.schemas: dict[str, str] = {}

    def schema(self, book_id: str) -> str | None:
        return self.schemas.get(book_id)

    def attach(
        self,
        conn: Connection,
        folder: Path,
        vault_id: str,
        book_id: str,
        key: VaultKey,
        *,
        create: bool = False,
    ) -> str:
        """Attach (or make) a book; returns its schema name. Checks what the file says
        it is before anything reads its rows."""
        if book_id in self.schemas:
            return self.schemas[book_id]
        if len(self.schemas) >= MAX_ATTACHED_BOOKS:
            raise VaultDamaged(
                f"This vault has more books than one connection can hold "
                f"({MAX_ATTACHED_BOOKS}); this version of crmdesk cannot open them all.",
                code="book.too_many",
                most=MAX_ATTACHED_BOOKS,
            )
        used = set(self.schemas.values())
        schema = next(f"book_{i}" for i in range(MAX_ATTACHED_BOOKS) if f"book_{i}" not in used)
        path = book_path(folder, book_id)
        if create:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            if path.exists():
                raise VaultDamaged(
                    f"A book file {path.name} is already there.",
                    code="vault.damaged.book",
                    book=book_id,
                )
        elif not path.exists():
            raise VaultDamaged(
                f"The vault has lost a book file ({BOOKS_FOLDER}/{path.name}). Restore the "
                "vault folder from your latest backup.",
                code="vault.damaged.book",
                book=book_id,
            )
        try:
            attach_database(conn, path, schema, key, create=create)
        except UnreadableDatabase:
            raise VaultDamaged(
                f"The book file {BOOKS_FOLDER}/{path.name} is damaged or was replaced. "
                "Restore the vault folder from your latest backup.",
                code="vault.damaged.book",
                book=book_id,
            ) from None
        if create:
            path.chmod(0o600)
        try:
            _migrate(conn, schema)
            if create:
                conn.executemany(
                    f"INSERT INTO {schema}.book_info (key, value) VALUES (?, ?)",
                    [("vault_id", vault_id), ("book_id", book_id)],
                )
            info = dict(conn.execute(f"SELECT key, value FROM {schema}.book_info").fetchall())
            if info.get("vault_id") != vault_id or info.get("book_id") != book_id:
                raise VaultDamaged(
                    f"The book file {BOOKS_FOLDER}/{path.name} belongs to another vault or "
                    "book: it was replaced. Restore the vault folder from your latest backup.",
                    code="vault.damaged.book",
                    book=book_id,
                )
        except BaseException:
            detach_database(conn, schema)
            raise
        self.schemas[book_id] = schema
        return schema

    def detach(self, conn: Connection, book_id: str) -> None:
        schema = self.schemas.pop(book_id, None)
        if schema is not None:
            detach_database(conn, schema)

    def detach_all(self, conn: Connection) -> None:
        for book_id in list(self.schemas):
            self.detach(conn, book_id)


def latest_book_version() -> int:
    return BOOK_MIGRATIONS[-1].version


def _migrate(conn: Connection, schema: str) -> None:
    current = int(conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0])
    latest = latest_book_version()
    if current > latest:
        raise NewerVault(
            f"A book of this vault was upgraded by a newer crmdesk (book schema {current}; "
            f"this version knows up to {latest}). Update crmdesk.",
            code="vault.newer.schema",
        )
    steps = [m for m in BOOK_MIGRATIONS if m.version > current]
    if not steps:
        return
    in_tx = conn.in_transaction
    if not in_tx:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for step in steps:
            for statement in step.statements:
                conn.execute(statement.format(schema=schema))
        conn.execute(f"PRAGMA {schema}.user_version = {int(steps[-1].version)}")
    except BaseException:
        if not in_tx:
            conn.execute("ROLLBACK")
        raise
    if not in_tx:
        conn.execute("COMMIT")
