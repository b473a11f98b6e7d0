"""The redo log that makes a change of the main database and a book safe together.

SQLite in WAL mode commits the files of one transaction one after the other, main
first: a crash in between leaves main changed and the book not. So every transaction
that writes a client's value-added rows into a book also writes, into the main
database, those same rows sealed under the book's key (``book_redo``; vault/books.py,
RedoSeal): main carries the decision, and whoever next opens the vault holding that
book writes the book from it. A book remembers, for each client, the version of the
last change written into it (``book_clients.va_version``), so a change is applied once.

A row without payload is a note that a book may still hold rows of a client that left
it (deleted, or moved to another book). Reads always join on ``clients.book_id``, so
such rows are never seen; the next holder of that book deletes them. Notes are checked
against the main database (the client must really be elsewhere), so a note holds
nothing secret and anyone may leave one: also someone who does not hold the book.

Rows are deleted once a later transaction finds their change in the book: never by
the transaction that applied them, whose book part might not have committed.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from crmdesk.errors import CannotUnlock

from . import value_added
from .books import held_books
from .tables import BOOK_CLIENTS, BOOK_REDO, CLIENTS
from .value_added import ValueAdded

_NEXT_VERSION = (
    "SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = ?), 0),"
    f" coalesce((SELECT max(version) FROM main.{BOOK_REDO}), 0)) + 1"
)
_INSERT = f"INSERT INTO main.{BOOK_REDO} (version, book_id, client_id, payload) VALUES (?, ?, ?, ?)"


class _ThisTransaction:
    """What the current write transaction of one open vault did to the redo log: the
    first version it wrote and the rows it applied. None of those is deleted by the same
    transaction (its book part might not commit); a later transaction decides. (An import
    writes many batches in one transaction.)"""

    def __init__(self, number: int) -> None:
        self.number = number
        self.first_written: int | None = None
        self.applied: set[int] = set()


_TRANSACTIONS: weakref.WeakKeyDictionary[Any, _ThisTransaction] = weakref.WeakKeyDictionary()


def _this_transaction(vault: Any) -> _ThisTransaction:
    found = _TRANSACTIONS.get(vault)
    if found is None or found.number != vault.transactions:
        found = _TRANSACTIONS[vault] = _ThisTransaction(vault.transactions)
    return found


def _next_version(vault: Any) -> int:
    version = int(vault.connection.execute(_NEXT_VERSION, (BOOK_REDO,)).fetchone()[0])
    now = _this_transaction(vault)
    if now.first_written is None:
        now.first_written = version
    return version


def write_into_book(
    vault: Any,
    book_id: str,
    entries: Sequence[tuple[int, ValueAdded]],
    *,
    fresh: bool = False,
) -> None:
    """Write these clients' value-added rows into their book, with their redo rows in
    main, in the caller's transaction. ``fresh``: new clients (nothing to replace)."""
    if not entries:
        return
    conn = vault.connection
    seal = vault.redo_seal(book_id)
    schema = vault.book_schema(book_id)
    if seal is None or schema is None:
        raise not_held(book_id)
    first = _next_version(vault)
    versioned = [(client_id, first + n, va) for n, (client_id, va) in enumerate(entries)]
    conn.executemany(
        _INSERT,
        [
            (version, book_id, client_id, seal.seal(client_id, version, va.to_bytes()))
            for client_id, version, va in versioned
        ],
    )
    value_added.write(conn, schema, versioned, fresh=fresh)


def leave_note(vault: Any, book_id: str, client_ids: Sequence[int]) -> None:
    """Note that ``book_id`` may hold rows of clients that are no longer in it."""
    conn = vault.connection
    first = _next_version(vault)
    conn.executemany(_INSERT, [(first + n, book_id, cid, None) for n, cid in enumerate(client_ids)])


class NotHeld(CannotUnlock):
    """The change needs a book this person (or this window) does not hold."""


def not_held(book_id: str) -> NotHeld:
    return NotHeld(
        "This change needs the key of a client book that this window does not hold "
        f"({book_id}). If it was given to you since you opened the vault, close the "
        "vault and open it again; otherwise ask the vault's owner.",
        code="book.not_held",
        book=book_id,
    )


def pending(conn: Any, books: dict[str, str]) -> bool:
    """Whether the redo log has rows for any of these (held) books."""
    if not books:
        return False
    marks = ", ".join("?" for _ in books)
    row = conn.execute(
        f"SELECT 1 FROM main.{BOOK_REDO} WHERE book_id IN ({marks}) LIMIT 1", list(books)
    ).fetchone()
    return row is not None


def settle(vault: Any) -> int:
    """Inside the caller's write transaction: finish what the redo log says for every
    book this person holds. Rows whose change the book already holds are deleted; the
    others are applied now (and deleted by a later transaction). Returns how many rows
    are left for later."""
    conn = vault.connection
    books = held_books(vault)
    if not pending(conn, books):
        return 0
    marks = ", ".join("?" for _ in books)
    now = _this_transaction(vault)
    # Rows this very transaction wrote are left to a later one (below): not even read,
    # so that an import's every batch does not read again all the batches before it.
    before = "" if now.first_written is None else " AND r.version < ?"
    rows = conn.execute(
        f"SELECT r.version, r.book_id, r.client_id, r.payload, c.book_id"
        f" FROM main.{BOOK_REDO} r LEFT JOIN main.{CLIENTS} c ON c.id = r.client_id"
        f" WHERE r.book_id IN ({marks}){before} ORDER BY r.version",
        [*books, *(() if now.first_written is None else (now.first_written,))],
    ).fetchall()
    done: list[tuple[int]] = []
    left = 0
    for version, book_id, client_id, payload, now_in in rows:
        if now.first_written is not None and version >= now.first_written:
            break  # written by this very transaction: a later one decides
        if version in now.applied:
            left += 1
            continue
        schema = books[book_id]
        found = conn.execute(
            f"SELECT va_version FROM {schema}.{BOOK_CLIENTS} WHERE client_id = ?", (client_id,)
        ).fetchone()
        current = None if found is None else int(found[0])
        if payload is None:
            # A note: the book may still hold rows of a client now elsewhere (or gone).
            if now_in == book_id or current is None or current > version:
                done.append((version,))
            else:
                value_added.remove(conn, schema, [client_id])
                now.applied.add(version)
                left += 1
        elif now_in != book_id or (current is not None and current >= version):
            # Written already, or the client has left the book since (its note will
            # clear what is there).
            done.append((version,))
        else:
            seal = vault.redo_seal(book_id)
            va = ValueAdded.from_bytes(seal.open(client_id, version, payload))
            value_added.write(conn, schema, [(client_id, version, va)])
            now.applied.add(version)
            left += 1
    conn.executemany(f"DELETE FROM main.{BOOK_REDO} WHERE version = ?", done)
    return left


def settle_books(vault: Any) -> None:
    """What an open by a holder finishes: changes of its books that a crash left half
    written, and rows of clients that left a book. Two transactions: the first applies
    what is missing, the second deletes the log rows the first made good."""
    for _ in range(2):
        with vault.reading() as conn:
            if not pending(conn, held_books(vault)):
                return
        with vault.transaction():
            settle(vault)
