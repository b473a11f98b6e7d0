"""The tables that carry a vault's share of an office's changes (issue 14).

Every change received or made is kept (the merge needs the history to tell a conflict
from a knowing replacement): the main database keeps the changes of basic information
and of records' lives, each book the changes of its value-added information, so that a
change is readable exactly by those who may read its value. ``{schema}`` is the name the
database is attached under (``main`` for the main database).
"""

from __future__ import annotations

CHANGES_TABLE = """CREATE TABLE {schema}.repl_changes (
    stamp TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    tbl TEXT NOT NULL,
    row TEXT NOT NULL,
    col TEXT NOT NULL,
    value TEXT,
    cl INTEGER NOT NULL,
    base TEXT,
    resolves TEXT
) STRICT, WITHOUT ROWID"""
CHANGES_BY_CLIENT = "CREATE INDEX {schema}.repl_changes_client ON repl_changes (client)"

# Main database only: which local client each client record is, and the version of it
# last captured or applied (a newer version is a local edit not yet captured); which
# local contact or interaction each such record is (their value-added parts in a book are
# keyed by the local id), and the book its value-added changes are in; which clients
# have conflicts waiting for a person.
MAIN_TABLES = (
    """CREATE TABLE repl_clients (
        client_id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        book_id TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE repl_children (
        tbl TEXT NOT NULL,
        local_id INTEGER NOT NULL,
        uid TEXT NOT NULL,
        client TEXT NOT NULL,
        PRIMARY KEY (tbl, local_id)
    ) STRICT, WITHOUT ROWID""",
    "CREATE INDEX repl_children_client ON repl_children (client)",
    # This device's changes not yet written into a change file, by the section (key id)
    # they travel in; the change itself is in the database that section's key belongs to.
    """CREATE TABLE repl_outbox (
        seq INTEGER PRIMARY KEY,
        section TEXT NOT NULL,
        stamp TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE repl_conflicted (
        client TEXT PRIMARY KEY,
        fields INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID""",
)


def statements(schema: str = "main") -> tuple[str, ...]:
    """The change table and its index for a database attached as ``schema``."""
    return (
        CHANGES_TABLE.replace("{schema}", schema),
        CHANGES_BY_CLIENT.replace("{schema}", schema),
    )
