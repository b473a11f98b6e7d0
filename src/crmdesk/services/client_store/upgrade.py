"""A vault of the old format's client records put into books (the upgrade's step for the
client store)."""

from __future__ import annotations

from typing import Any

from .books import book_for
from .tables import CLIENTS


def move_value_added_into_books(vault: Any) -> None:
    """Each client in the book of its salesperson (or the house book)."""
    with vault.transaction() as conn:
        rows = conn.execute(f"SELECT id, salesperson FROM {CLIENTS}").fetchall()
        targets = {}
        for client_id, salesperson in rows:
            targets.setdefault(book_for(conn, salesperson), []).append(client_id)
        for book_id, ids in targets.items():
            conn.executemany(
                f"UPDATE {CLIENTS} SET book_id = ? WHERE id = ?", [(book_id, i) for i in ids]
            )
