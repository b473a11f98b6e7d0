"""What the office's replication (services/replication) needs of the client tables:
which clients moved since they were last captured or applied, and their version, name
and book as the store has them. The store names its tables; replication keeps its own
bookkeeping (``repl_clients``) beside them."""

from __future__ import annotations

from typing import Any

from .tables import CLIENTS


def gone_since_captured(conn: Any) -> list[tuple[int, str, str]]:
    """(local id, uid, book) of clients captured before that are no longer here (deleted,
    or their id taken by a new client since)."""
    return conn.execute(
        "SELECT r.client_id, r.uid, r.book_id FROM repl_clients r"
        f" LEFT JOIN {CLIENTS} c ON c.id = r.client_id"
        " WHERE c.id IS NULL OR c.created_at IS NOT r.created_at"
    ).fetchall()


def edited_since_captured(conn: Any) -> list[tuple[int, str, str | None, str | None]]:
    """(local id, book, uid or None, book when captured) of clients new or changed here
    since they were last captured or applied."""
    return conn.execute(
        f"SELECT c.id, c.book_id, r.uid, r.book_id FROM {CLIENTS} c"
        " LEFT JOIN repl_clients r ON r.client_id = c.id"
        " WHERE r.client_id IS NULL OR r.version IS NOT c.version"
    ).fetchall()


def count_uncaptured(conn: Any) -> int:
    """How many clients were created, changed or deleted here since the last capture."""
    edited = conn.execute(
        f"SELECT count(*) FROM {CLIENTS} c LEFT JOIN repl_clients r ON r.client_id = c.id"
        " WHERE r.client_id IS NULL OR r.version IS NOT c.version"
    ).fetchone()[0]
    gone = conn.execute(
        f"SELECT count(*) FROM repl_clients r LEFT JOIN {CLIENTS} c ON c.id = r.client_id"
        " WHERE c.id IS NULL"
    ).fetchone()[0]
    return int(edited) + int(gone)


def remember_captured(conn: Any, client_id: int, uid: str) -> None:
    """The client, as it is here now, is the one the office knows as ``uid``."""
    conn.execute(
        "INSERT INTO repl_clients (client_id, uid, version, created_at, book_id)"
        f" SELECT id, ?, version, created_at, book_id FROM {CLIENTS} WHERE id = ?"
        " ON CONFLICT (client_id) DO UPDATE SET version = excluded.version,"
        " created_at = excluded.created_at, book_id = excluded.book_id, uid = excluded.uid",
        (uid, client_id),
    )


def version_of(conn: Any, client_id: int) -> int:
    row = conn.execute(f"SELECT version FROM {CLIENTS} WHERE id = ?", (client_id,)).fetchone()
    return int(row[0]) if row else 0


def local_client(conn: Any, uid: str) -> tuple[int, str] | None:
    """(local id, name) of the client known to the office as ``uid``, if it is here."""
    row = conn.execute(
        f"SELECT r.client_id, c.name FROM repl_clients r"
        f" LEFT JOIN {CLIENTS} c ON c.id = r.client_id WHERE r.uid = ?",
        (uid,),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1] or ""))
