"""Moving clients between books, so that a crash at any point loses and duplicates
nothing.

The order: one transaction writes the target book (with its redo row in main) and
points the client row at it, leaving a note that the source book still holds the
client's rows; main commits first, so from that moment the client is in the target book
(the redo row finishes the target if its commit is lost). A second transaction deletes
the rows from the source book, a third the notes and redo rows it made good. Reads
always join on ``clients.book_id``, so the rows left in the source meanwhile are never
seen, and whoever next opens the vault holding the source book deletes them.
"""

from __future__ import annotations

from typing import Any

from . import crash, redo, value_added
from .books import book_for
from .tables import CLIENTS

_BATCH = 500


def move_client(vault: Any, client_id: int, target: str) -> bool:
    """In the caller's write transaction (after redo.settle): the client's value-added
    rows copied into ``target`` and the client row pointed there. Needs both books."""
    conn = vault.connection
    row = conn.execute(f"SELECT book_id FROM {CLIENTS} WHERE id = ?", (client_id,)).fetchone()
    if row is None or row[0] == target:
        return False
    source = row[0]
    source_schema, target_schema = vault.book_schema(source), vault.book_schema(target)
    if source_schema is None:
        raise redo.not_held(source)
    if target_schema is None:
        raise redo.not_held(target)
    rows = value_added.read(conn, source_schema, client_id)
    conn.execute(f"UPDATE {CLIENTS} SET book_id = ? WHERE id = ?", (target, client_id))
    if rows is not None:
        redo.write_into_book(vault, target, [(client_id, rows)])
    else:
        value_added.remove(conn, target_schema, [client_id])
    redo.leave_note(vault, source, [client_id])
    return True


def move_clients_to_their_books(vault: Any, login: str) -> int:
    """Every client whose salesperson is ``login`` (or their full name) goes to the book
    the rule gives it now (after a role change, a disabled or enabled account); returns
    how many moved."""
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT login, full_name FROM users WHERE login = ?", (login,)
        ).fetchone()
        names = (row[0], row[1]) if row else (login, login)
        target = book_for(conn, login)
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM {CLIENTS} WHERE book_id != ?"
                " AND (salesperson = ? COLLATE NOCASE OR salesperson = ? COLLATE NOCASE)"
                " ORDER BY id",
                (target, *names),
            )
        ]
    moved = 0
    for start in range(0, len(ids), _BATCH):
        with vault.transaction():
            redo.settle(vault)
            moved += sum(move_client(vault, i, target) for i in ids[start : start + _BATCH])
            crash.point("move:written")
    if ids:
        finish_moves(vault)
    return moved


def finish_moves(vault: Any) -> None:
    """After clients moved: their rows left in the old books deleted (a transaction of
    its own, after the move's has committed), then the notes that asked for it."""
    crash.point("move:committed")
    with vault.transaction():
        redo.settle(vault)
    crash.point("move:source-cleared")
    with vault.transaction():
        redo.settle(vault)


def finish_rehousing(vault: Any) -> int:
    """Clients of a user that are not in the book the rule gives them now (a role
    change, a disabled or enabled account, cut short before its clients moved): moved
    there now. For an open by someone who holds every book; returns how many moved."""
    # Four seeks per user in the index (salesperson, book_id): a book id below or above
    # the right one, for the login and for the full name.
    sql = (
        f"SELECT 1 FROM {CLIENTS} INDEXED BY clients_salesperson_book"
        " WHERE salesperson = ? COLLATE NOCASE AND book_id {} ? LIMIT 1"
    )
    with vault.reading() as conn:
        late = []
        for login, full_name in conn.execute("SELECT login, full_name FROM users").fetchall():
            target = book_for(conn, login)
            if any(
                conn.execute(sql.format(op), (name, target)).fetchone()
                for name in (login, full_name)
                for op in ("<", ">")
            ):
                late.append(login)
    return sum(move_clients_to_their_books(vault, login) for login in late)
