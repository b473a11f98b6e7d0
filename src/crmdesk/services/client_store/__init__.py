"""All SQL of client records: rows in, entities out.

Called by the services only, inside their transactions; it checks no permissions and
records no audit events itself. Nothing outside this package names a client table.

- tables.py: the tables, their columns (from the domain dataclasses), basic or value-added
- rows.py: entity <-> row conversion
- writing.py: inserting, rewriting and deleting records
- loading.py: reading records back, whole or in part
- listing.py: filtered, sorted pages; follow-ups, birthdays, preferences
- search.py: the full-text index
- summaries.py: the figures kept on the client row for lists
- coverage.py: which kinds of value-added information each client holds
"""

from .coverage import book_rows, coverage_of, record_writes
from .listing import (
    coming_birthdays,
    count_clients,
    list_clients,
    list_ids,
    open_tasks,
    preferences_for,
)
from .loading import (
    client_name,
    client_names,
    load_cards,
    load_client,
    most_addresses,
    open_tasks_of,
    reachability,
)
from .summaries import refresh_spend, spend_is_current
from .writing import delete_client, insert_clients, update_client

__all__ = [
    "book_rows",
    "coverage_of",
    "record_writes",
    "client_name",
    "client_names",
    "coming_birthdays",
    "count_clients",
    "delete_client",
    "insert_clients",
    "list_clients",
    "list_ids",
    "load_cards",
    "load_client",
    "most_addresses",
    "open_tasks",
    "open_tasks_of",
    "preferences_for",
    "reachability",
    "refresh_spend",
    "spend_is_current",
    "update_client",
]
