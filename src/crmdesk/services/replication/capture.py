"""This device's edits of clients, turned into changes for the office.

Capture compares the store with the records the changes held here decide, client by
client, and emits a change for each difference: every write path of the store (the
editor, imports, merges, moves, deletions) is covered without a hook in each. A client
is looked at only when its version moved since it was last captured or applied, so a
capture with nothing new costs two indexed queries.

Runs in the caller's write transaction, before changes received are applied in the same
transaction: an edit is always captured before anything received can overwrite it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.json_encoder import client_to_json
from crmdesk.domain.replication.changes import Change
from crmdesk.domain.replication.clock import HybridClock
from crmdesk.domain.replication.merge import Replica
from crmdesk.domain.replication.records import (
    CHILD_TABLES,
    CLIENT,
    Records,
    assign_uids,
    basic_only,
    client_of,
    diff,
    flatten,
)
from crmdesk.services import client_store as store

from . import ledger

# Lists whose items keep their local ids across saves (their value-added parts in a
# book are keyed by them): matched by id first.
KEPT_ID_LISTS = ("contacts", "interactions")


@dataclass(frozen=True, slots=True)
class Captured:
    clients: int  # clients with changes
    changes: int


def replica_of(vault: Any, client: str) -> Replica:
    """The merge state of one client's records, from the history held here."""
    replica = Replica()
    replica.apply_all(ledger.history(vault, client))
    return replica


def records_of(replica: Replica, client: str, *, basic_only: bool) -> Records:
    """The client's existing records as the changes decide them. ``basic_only``: a
    person without the client's book sees only the tables that have basic columns."""
    found: Records = {}
    if replica.life(CLIENT, client) % 2 == 0:
        return found
    for table in replica.tables():
        if basic_only and table in ledger.VALUE_ADDED_TABLES:
            continue
        for row in replica.rows(table):
            if client_of(row) == client:
                record = replica.record(table, row)
                if record is not None and replica.created(table, row):
                    found[(table, row)] = record
    return found


def capture(vault: Any, clock: HybridClock) -> Captured:
    """Emit changes for every client edited, created or deleted here since the last
    capture; they go in the history and the outbox."""
    conn = vault.connection
    gone = store.gone_since_captured(conn)
    clients = changes = 0
    for client_id, uid, book_id in gone:
        replica = replica_of(vault, uid)
        conn.execute("DELETE FROM repl_clients WHERE client_id = ?", (client_id,))
        if replica.life(CLIENT, uid) % 2 == 1:
            deletion = replica.delete(clock, CLIENT, uid)
            _keep(vault, [deletion], book_id)
            clients, changes = clients + 1, changes + 1
    edited = store.edited_since_captured(conn)
    for client_id, book_id, uid, old_book in edited:
        made = _capture_client(vault, clock, client_id, book_id, uid, old_book)
        if made:
            clients, changes = clients + 1, changes + made
    return Captured(clients, changes)


def _capture_client(
    vault: Any,
    clock: HybridClock,
    client_id: int,
    book_id: str,
    uid: str | None,
    old_book: str | None,
) -> int:
    client = store.load_client(vault, client_id)
    assert client is not None  # found by the query above, in this transaction
    uid = uid or uuid.uuid4().hex
    held = vault.holds_book(book_id)
    moved: list[Change] = []
    if old_book is not None and old_book != book_id and held:
        # A reassignment: the value-added history goes along into the new book, and
        # travels in its section, so every device holding the new book gets it whole.
        moved = ledger.copy_to_book(vault, uid, old_book, book_id)
    replica = replica_of(vault, uid)
    previous = records_of(replica, uid, basic_only=not held)
    data = client_to_json(client)
    local_ids = {key: [c.id for c in getattr(client, key)] for key in KEPT_ID_LISTS}
    uids = assign_uids(
        previous,
        uid,
        data,
        local_ids=local_ids,
        previous_local_ids=_previous_local_ids(vault, uid, previous),
    )
    current = flatten(uid, data, uids)
    if not held:
        current, previous = basic_only(current), basic_only(previous)
    made = _changes(replica, clock, uid, previous, current)
    _keep(vault, made, book_id)
    if moved:
        ledger.queue(vault, moved, book_id)
    _remember(vault, client_id, uid, local_ids, uids)
    return len(made)


def _changes(
    replica: Replica, clock: HybridClock, uid: str, previous: Records, current: Records
) -> list[Change]:
    created, fields, deleted = diff(previous, current)
    made: list[Change] = []
    if (CLIENT, uid) in created:  # the client first: its children's lives hang off it
        created = [(CLIENT, uid), *(k for k in created if k != (CLIENT, uid))]
    for table, row in created:
        if replica.life(table, row) % 2 == 0 and replica.life(table, row) > 0:
            made.append(replica.restore(clock, table, row))
        else:
            made.append(replica.create(clock, table, row))
    for table, row, column, value in fields:
        made.append(replica.write(clock, table, row, column, value))
    for table, row in deleted:
        if replica.life(table, row) % 2 == 1:
            made.append(replica.delete(clock, table, row))
    return made


def _keep(vault: Any, changes: list[Change], book_id: str) -> None:
    ledger.keep(vault, changes, book_id)
    ledger.queue(vault, changes, book_id)


def _previous_local_ids(vault: Any, client: str, previous: Records) -> dict[str, dict[int, str]]:
    """Local id -> uid of the kept-id lists' records among ``previous``."""
    known = {row.rpartition("/")[2]: table for (table, row) in previous if table != CLIENT}
    found: dict[str, dict[int, str]] = {}
    for key in KEPT_ID_LISTS:
        table = CHILD_TABLES[key]
        for local_id, child_uid in vault.connection.execute(
            "SELECT local_id, uid FROM repl_children WHERE client = ? AND tbl = ?",
            (client, table),
        ):
            if known.get(child_uid) == table:
                found.setdefault(key, {})[int(local_id)] = child_uid
    return found


def _remember(
    vault: Any,
    client_id: int,
    uid: str,
    local_ids: Mapping[str, list[int | None]],
    uids: Mapping[str, list[str]],
) -> None:
    """The client's uid and version as captured, and its kept-id records' local ids."""
    conn = vault.connection
    store.remember_captured(conn, client_id, uid)
    for key in KEPT_ID_LISTS:
        table = CHILD_TABLES[key]
        conn.executemany(
            "INSERT INTO repl_children (tbl, local_id, uid, client) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tbl, local_id) DO UPDATE SET uid = excluded.uid,"
            " client = excluded.client",
            [
                (table, local_id, child_uid, uid)
                for local_id, child_uid in zip(
                    local_ids.get(key, []), uids.get(key, []), strict=True
                )
                if local_id is not None
            ],
        )
