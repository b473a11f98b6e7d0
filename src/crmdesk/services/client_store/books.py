"""Clients and their books: which book a client belongs in, and which books are held."""

from __future__ import annotations

from typing import Any

HOUSE = "house"


def held_books(vault: Any) -> dict[str, str]:
    """Book id -> schema name of every book this person holds (and only those: a book
    whose key they lack is not attached, so nothing of it can be read)."""
    return dict(vault.held_books())


def book_for(conn: Any, salesperson: str) -> str:
    """The book a client assigned to ``salesperson`` belongs in: the book of that
    salesperson when they are an enabled user with the Salesperson role (by login or full
    name), else the house book."""
    text = salesperson.strip()
    if not text:
        return HOUSE
    # On a laptop of an office (services/replication), its person is the local owner of
    # that vault; their office book is named in vault_info and takes their clients.
    row = conn.execute(
        "SELECT b.id FROM users u JOIN books b ON b.login = u.login"
        " WHERE (u.role = 'salesperson' OR b.id = (SELECT value FROM vault_info"
        " WHERE key = 'sync.own_book')) AND u.disabled_at IS NULL"
        " AND (u.login = ? COLLATE NOCASE OR u.full_name = ? COLLATE NOCASE)"
        " ORDER BY u.login = ? COLLATE NOCASE DESC LIMIT 1",
        (text, text, text),
    ).fetchone()
    return row[0] if row else HOUSE


class BookRule:
    """book_for, asked once per distinct salesperson (a batch of thousands of clients
    names a few)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._known: dict[str, str] = {}

    def __call__(self, salesperson: str) -> str:
        key = salesperson.strip().casefold()
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = book_for(self._conn, salesperson)
        return found
