"""All SQL of client records: rows in, entities out.

Called by the services only, inside their transactions; it checks no permissions and
records no audit events itself. Nothing outside this package names a client table.
Basic information is in the main database, value-added information in the client's
book (see tables.py); functions that touch a book take the vault (its held books and
their keys), the others a connection.

- tables.py: the tables, their columns (from the domain dataclasses), main or book
- rows.py: entity <-> row conversion
- value_added.py: a client's rows of its book, made, read and written
- redo.py: the redo log that makes a change of main and a book safe together
- books.py: which book a client belongs in, which books are held
- moving.py: moving clients between books
- writing.py: inserting, rewriting and deleting records
- loading.py: reading records back, whole or in part
- listing.py: filtered, sorted pages; follow-ups, birthdays, preferences
- search.py: the full-text indexes (main and books)
- summaries.py: the figures kept for lists
- coverage.py: which kinds of value-added information each client holds
- upgrade.py: a vault of the old layout's value-added information into books
"""

from .coverage import book_rows, coverage_of, record_writes
from .listing import (
    coming_birthdays,
    count_clients,
    list_clients,
    list_ids,
    open_tasks,
    position_of,
    preferences_for,
)
from .loading import (
    client_name,
    client_names,
    load_cards,
    load_client,
    load_clients,
    most_addresses,
    open_tasks_of,
    reachability,
)
from .moving import finish_moves, finish_rehousing, move_clients_to_their_books
from .redo import NotHeld, settle_books
from .replicas import (
    count_uncaptured,
    edited_since_captured,
    gone_since_captured,
    local_client,
    remember_captured,
    version_of,
)
from .summaries import refresh_spend, spend_is_current
from .writing import delete_client, insert_clients, update_client

__all__ = [
    "NotHeld",
    "book_rows",
    "client_name",
    "client_names",
    "coming_birthdays",
    "count_clients",
    "count_uncaptured",
    "coverage_of",
    "delete_client",
    "edited_since_captured",
    "finish_moves",
    "finish_rehousing",
    "gone_since_captured",
    "insert_clients",
    "list_clients",
    "list_ids",
    "load_cards",
    "load_client",
    "load_clients",
    "local_client",
    "most_addresses",
    "move_clients_to_their_books",
    "open_tasks",
    "open_tasks_of",
    "position_of",
    "preferences_for",
    "reachability",
    "record_writes",
    "refresh_spend",
    "remember_captured",
    "settle_books",
    "spend_is_current",
    "update_client",
    "version_of",
]
