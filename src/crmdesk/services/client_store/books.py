"""Clients and their books: which book a client is in, and moving clients between books."""

from __future__ import annotations

from typing import Any

from .tables import CLIENTS

HOUSE = "house"


def book_for(conn: Any, salesperson: str) -> str:
    """The book a client assigned to ``salesperson`` belongs in: the book of that
    salesperson when they are an enabled user with the Salesperson role (by login or full
    name), else the house book."""
    text = salesperson.strip()
    if not text:
        return HOUSE
    row = conn.execute(
        "SELECT b.id FROM users u JOIN books b ON b.login = u.login"
        " WHERE u.role = 'salesperson' AND u.disabled_at IS NULL"
        " AND (u.login = ? COLLATE NOCASE OR u.full_name = ? COLLATE NOCASE)"
        " ORDER BY u.login = ? COLLATE NOCASE DESC LIMIT 1",
        (text, text, text),
    ).fetchone()
    return row[0] if row else HOUSE


def move_clients_to_their_books(vault: Any, login: str) -> int:
    """Every client whose salesperson is ``login`` (or their full name) goes to the book
    the rule gives it now; returns how many moved."""
    with vault.transaction() as conn:
        row = conn.execute(
            "SELECT login, full_name FROM users WHERE login = ?", (login,)
        ).fetchone()
        names = (row[0], row[1]) if row else (login, login)
        target = book_for(conn, login)
        moved = conn.execute(
            f"UPDATE {CLIENTS} SET book_id = ? WHERE book_id != ?"
            " AND (salesperson = ? COLLATE NOCASE OR salesperson = ? COLLATE NOCASE)",
            (target, target, *names),
        ).rowcount
    return int(moved)
