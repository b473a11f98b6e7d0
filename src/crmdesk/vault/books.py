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

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crmdesk.errors import NewerVault, VaultDamaged
from crmdesk.vault.connection import (
    Connection,
    DatabaseError,
    UnreadableDatabase,
    attach_database,
    detach_database,
)
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.replication_schema import CHANGES_BY_CLIENT, CHANGES_TABLE

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
    BookMigration(
        2,
        "the value-added information of the book's clients, and its full-text index",
        (
            # One row per client whose value-added rows are here: its notes, the list
            # summaries worked out from value-added data, and the version (the main
            # database's book_redo sequence) of the last change written here. Every other
            # table hangs off it: deleting the row deletes the client's rows.
            """CREATE TABLE {schema}.book_clients (
                client_id INTEGER PRIMARY KEY,
                va_version INTEGER NOT NULL,
                notes TEXT NOT NULL DEFAULT '',
                last_purchase TEXT,
                spend_12m_cents INTEGER NOT NULL DEFAULT 0,
                next_order TEXT,
                buy_months INTEGER NOT NULL DEFAULT 0
            ) STRICT""",
            "CREATE INDEX {schema}.book_clients_spend ON book_clients (spend_12m_cents)",
            "CREATE INDEX {schema}.book_clients_next_order ON book_clients (next_order)",
            # A contact's personal profile, birthday and notes, keyed by the id of the
            # contact's row in the main database (its name, emails and phones).
            """CREATE TABLE {schema}.contact_profiles (
                contact_id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                birthday TEXT,
                birthday_md TEXT,
                hobbies TEXT NOT NULL DEFAULT '',
                activities TEXT NOT NULL DEFAULT '',
                education TEXT NOT NULL DEFAULT '',
                memberships TEXT NOT NULL DEFAULT '',
                family TEXT NOT NULL DEFAULT '',
                notes TEXT NOT NULL DEFAULT ''
            ) STRICT""",
            "CREATE INDEX {schema}.contact_profiles_client ON contact_profiles (client_id)",
            "CREATE INDEX {schema}.contact_profiles_birthday ON contact_profiles (birthday_md)",
            # Which clients hold a personal profile: an index probe per client instead of
            # reading every profile (coverage, 5x faster at 100,000 clients). The
            # condition is exactly the one services/client_store/coverage.py writes, or
            # SQLite would not use it; its tests check both.
            "CREATE INDEX {schema}.contact_profiles_held ON contact_profiles (client_id) WHERE"
            " (coalesce(birthday, '') <> '' OR coalesce(notes, '') <> ''"
            " OR coalesce(hobbies, '') <> '' OR coalesce(activities, '') <> ''"
            " OR coalesce(education, '') <> '' OR coalesce(memberships, '') <> ''"
            " OR coalesce(family, '') <> '')",
            # What was said and what came of it, keyed by the interaction's id in the main
            # database (its date, kind and contact).
            """CREATE TABLE {schema}.interaction_notes (
                interaction_id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                summary TEXT NOT NULL DEFAULT '',
                outcome TEXT NOT NULL DEFAULT ''
            ) STRICT""",
            "CREATE INDEX {schema}.interaction_notes_client ON interaction_notes (client_id)",
            # The same for an interaction history (coverage.py's condition, exactly).
            "CREATE INDEX {schema}.interaction_notes_told ON interaction_notes (client_id)"
            " WHERE (coalesce(summary, '') <> '' OR coalesce(outcome, '') <> '')",
            """CREATE TABLE {schema}.purchases (
                id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                date TEXT NOT NULL,
                notes TEXT NOT NULL DEFAULT '',
                total_cents INTEGER NOT NULL
            ) STRICT""",
            "CREATE INDEX {schema}.purchases_client ON purchases (client_id, date)",
            """CREATE TABLE {schema}.purchase_items (
                id INTEGER PRIMARY KEY,
                purchase_id INTEGER NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                product TEXT NOT NULL,
                quantity TEXT NOT NULL,
                unit_price TEXT NOT NULL,
                discount_percent TEXT NOT NULL DEFAULT '0'
            ) STRICT""",
            "CREATE INDEX {schema}.purchase_items_purchase"
            " ON purchase_items (purchase_id, position)",
            """CREATE TABLE {schema}.pricing (
                id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                product TEXT NOT NULL,
                price TEXT,
                discount_percent TEXT,
                valid_from TEXT,
                valid_to TEXT,
                terms TEXT NOT NULL DEFAULT ''
            ) STRICT""",
            "CREATE INDEX {schema}.pricing_client ON pricing (client_id, position)",
            """CREATE TABLE {schema}.preferences (
                id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                topic TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            ) STRICT""",
            "CREATE INDEX {schema}.preferences_client ON preferences (client_id, position)",
            """CREATE TABLE {schema}.seasonal_needs (
                id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                months TEXT NOT NULL,
                need TEXT NOT NULL
            ) STRICT""",
            "CREATE INDEX {schema}.seasonal_needs_client ON seasonal_needs (client_id, position)",
            """CREATE TABLE {schema}.specifications (
                id INTEGER PRIMARY KEY,
                client_id INTEGER NOT NULL
                    REFERENCES book_clients (client_id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                item TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            ) STRICT""",
            "CREATE INDEX {schema}.specifications_client ON specifications (client_id, position)",
            # The value-added text of each client (rowid = client id), folded like the
            # main database's index of names and basic text. A search reads only the
            # books its person holds: no ranking, count or timing depends on text of a
            # book they cannot open.
            """CREATE VIRTUAL TABLE {schema}.va_search USING fts5 (
                value_added,
                content = '', contentless_delete = 1,
                tokenize = 'unicode61 remove_diacritics 2',
                prefix = '2 3 4'
            )""",
        ),
    ),
    BookMigration(
        3,
        "the changes of the book's value-added information, for syncing laptops",
        (CHANGES_TABLE, CHANGES_BY_CLIENT),
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
        except DatabaseError as exc:
            # A page of the book that fails its HMAC, or a malformed one: damage, said
            # as such (not a raw database error).
            detach_database(conn, schema)
            raise VaultDamaged(
                f"The book file {BOOKS_FOLDER}/{path.name} is damaged ({exc}). Restore the "
                "vault folder from your latest backup.",
                code="vault.damaged.book",
                book=book_id,
            ) from None
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


_REDO_LABEL = "crmdesk book redo v1"
_NONCE_BYTES = 12


class RedoSeal:
    """Seals a client's value-added rows for the main database's redo log, under a key
    derived (HKDF-SHA256) from one book's key: only the people who hold that book read or
    write them.

    A change that writes the main database and a book commits main first (SQLite in WAL
    mode commits attached files one by one), so the main database carries, in the same
    transaction, the book's new rows sealed here (``book_redo``): a crash between the two
    commits leaves main new and the book old, and the next holder's open writes the book
    from them. Never plaintext in main: each is AES-256-GCM with a random nonce, its
    associated data naming the vault, the book, the client and the version, so that a
    sealed row moved to another client, book or version does not open.
    """

    def __init__(self, key: VaultKey, vault_id: str, book_id: str) -> None:
        info = f"{_REDO_LABEL}|{vault_id}|{check_book_id(book_id)}".encode()
        derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(key.raw)
        self._aead = AESGCM(derived)
        self._prefix = f"{_REDO_LABEL}|{vault_id}|{book_id}|"

    def _associated(self, client_id: int, version: int) -> bytes:
        return f"{self._prefix}{int(client_id)}|{int(version)}".encode()

    def seal(self, client_id: int, version: int, plaintext: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, self._associated(client_id, version))

    def open(self, client_id: int, version: int, sealed: bytes) -> bytes:
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, self._associated(client_id, version))
        except InvalidTag:
            raise VaultDamaged(
                "A change waiting to be written into a book does not open with that book's "
                "key: the vault's files were changed by hand. Keep the vault as it is and "
                "restore the vault folder from your latest backup.",
                code="vault.damaged.redo_row",
                client_id=client_id,
            ) from None


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
