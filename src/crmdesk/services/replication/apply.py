"""Changes received from other devices, merged into this vault.

For each client the changes touch, the client's whole history held here (basic in main,
value-added in the books this person holds) decides its records by the merge rules
(:class:`~crmdesk.domain.replication.merge.Replica`); the result is written through the
client store like any save, so the store's rules hold (a book's rows go with their redo
row; a client moved to a book not held keeps only its basic information here).

Runs in the caller's write transaction: one transaction per change file, with the
device's log moving past the file in it, so a process killed half-way leaves either
nothing of the file or all of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from crmdesk.domain import ValidationError
from crmdesk.domain.json_decoder import client_from_json
from crmdesk.domain.need_to_know import redact_client
from crmdesk.domain.replication.changes import Change
from crmdesk.domain.replication.clock import HybridClock
from crmdesk.domain.replication.errors import ReplicationError
from crmdesk.domain.replication.records import CHILD_TABLES, CLIENT, client_of, unflatten
from crmdesk.services import client_store as store
from crmdesk.services.client_store.books import book_for

from . import ledger
from .capture import KEPT_ID_LISTS, records_of, replica_of


@dataclass(slots=True)
class Applied:
    """What one batch of received changes did here."""

    changes: int = 0  # new to this vault (repeats are not counted)
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a change or record was not taken
    conflicts: int = 0  # fields newly in conflict


def apply_changes(
    vault: Any,
    section: str,
    changes: Iterable[Change],
    clock: HybridClock,
    now: dt.datetime,
    today: dt.date,
    *,
    may_delete: bool = True,
) -> Applied:
    """Merge the changes of one section of a file (``office`` or ``book:<id>``).
    ``may_delete``: whether the person whose device wrote them may delete clients (a
    Salesperson may not: their deletion is refused here as at the office)."""
    applied = Applied()
    book = section[len(ledger.BOOK_PREFIX) :] if section.startswith(ledger.BOOK_PREFIX) else None
    by_client: dict[str, list[Change]] = {}
    for change in changes:
        if ledger.in_book(change) != (book is not None):
            # A value-added change in the office's section would be readable by everyone;
            # a basic one in a book's, by too few: a device that does either is not ours.
            applied.refused.append(f"{change.stamp.encode()}: in the wrong section")
            continue
        deletion = change.table == CLIENT and change.is_life and change.causal_length % 2 == 0
        if deletion and not may_delete:
            applied.refused.append(
                f"{change.stamp.encode()}: a deletion by someone who may not delete clients"
            )
            continue
        clock.observe(change.stamp)
        by_client.setdefault(client_of(change.row), []).append(change)
    for client, received in by_client.items():
        _apply_client(vault, client, received, book, applied, now, today)
    return applied


def _apply_client(
    vault: Any,
    client: str,
    received: list[Change],
    book: str | None,
    applied: Applied,
    now: dt.datetime,
    today: dt.date,
) -> None:
    replica = replica_of(vault, client)
    before = _conflicted(replica, client)
    new: list[Change] = []
    for change in received:
        try:
            if replica.apply(change):
                new.append(change)
        except ReplicationError as exc:
            applied.refused.append(f"{change.stamp.encode()}: {exc}")
    if not new:
        return
    if book is not None and vault.book_schema(book) is None:
        applied.refused.append(f"{client}: book {book} is not held here")
        return
    ledger.keep(vault, new, book or "")
    applied.changes += len(new)
    rebuild_client(vault, client, replica, applied, now, today, before=before)


def rebuild_client(
    vault: Any,
    client: str,
    replica: Any,
    applied: Applied,
    now: dt.datetime,
    today: dt.date,
    *,
    before: int = 0,
) -> None:
    """Write the client as ``replica`` decides it into the store (create, update or
    delete it here), and note its conflicts."""
    conn = vault.connection
    local = conn.execute("SELECT client_id FROM repl_clients WHERE uid = ?", (client,)).fetchone()
    local_id = None if local is None else int(local[0])
    life = replica.life(CLIENT, client)
    if life % 2 == 0:
        if life and local_id is not None:
            store.delete_client(vault, local_id)
            conn.execute("DELETE FROM repl_clients WHERE client_id = ?", (local_id,))
            applied.deleted.append(local_id)
        _note_conflicts(vault, client, replica, before, applied)
        return
    if not replica.created(CLIENT, client):
        return  # its fields came before the client was made here: kept, applied with it
    # Everything held of it: value-added parts from a book this person holds; dropped
    # below when the client's book (by its merged salesperson) is not one of those.
    records = records_of(replica, client, basic_only=False)
    try:
        merged = client_from_json(unflatten(client, records))
    except ValidationError as exc:
        applied.refused.append(f"{client}: {exc}")
        return
    merged = _with_local_ids(vault, merged, records, client, local_id)
    target = book_for(conn, merged.salesperson)
    if not vault.holds_book(target):
        merged = redact_client(merged)
    if local_id is None:
        (local_id,) = store.insert_clients(vault, [merged], now, today)
        applied.created.append(local_id)
    else:
        store.update_client(vault, merged, now, today, whole=True)
        applied.updated.append(local_id)
    _remember(vault, client, local_id, records)
    _note_conflicts(vault, client, replica, before, applied)


def _child_uids(records: Any, client: str, table: str) -> list[str]:
    """The uids of a client's records of ``table`` in list order (what unflatten does)."""
    rows = [
        (fields.get("pos", 0), row)
        for (t, row), fields in records.items()
        if t == table and client_of(row) == client
    ]
    return [row.rpartition("/")[2] for _, row in sorted(rows)]


def _with_local_ids(
    vault: Any, merged: Any, records: Any, client: str, local_id: int | None
) -> Any:
    """The merged client with this vault's ids: its own, and those of its contacts and
    interactions known here (their value-added parts in the book are keyed by them)."""
    if local_id is None:
        return merged
    conn = vault.connection
    changes: dict[str, Any] = {"id": local_id}
    changes["version"] = store.version_of(conn, local_id)
    for key in KEPT_ID_LISTS:
        table = CHILD_TABLES[key]
        uids = _child_uids(records, client, table)
        ids = {
            uid: int(local)
            for local, uid in conn.execute(
                "SELECT local_id, uid FROM repl_children WHERE client = ? AND tbl = ?",
                (client, table),
            )
        }
        items = getattr(merged, key)
        changes[key] = [
            replace(item, id=ids.get(uid)) for item, uid in zip(items, uids, strict=False)
        ]
    return replace(merged, **changes)


def _remember(vault: Any, client: str, local_id: int, records: Any) -> None:
    """The client as applied: its version (so capture does not take it for a local
    edit) and its contacts' and interactions' local ids."""
    conn = vault.connection
    store.remember_captured(conn, local_id, client)
    written = store.load_client(vault, local_id)
    assert written is not None
    for key in KEPT_ID_LISTS:
        table = CHILD_TABLES[key]
        uids = _child_uids(records, client, table)
        conn.executemany(
            "INSERT INTO repl_children (tbl, local_id, uid, client) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tbl, local_id) DO UPDATE SET uid = excluded.uid,"
            " client = excluded.client",
            [
                (table, item.id, uid, client)
                for item, uid in zip(getattr(written, key), uids, strict=False)
                if item.id is not None
            ],
        )


def _conflicted(replica: Any, client: str) -> int:
    return sum(1 for c in replica.conflicts() if client_of(c.row) == client)


def _note_conflicts(vault: Any, client: str, replica: Any, before: int, applied: Applied) -> None:
    count = _conflicted(replica, client)
    applied.conflicts += max(0, count - before)
    conn = vault.connection
    if count:
        conn.execute(
            "INSERT INTO repl_conflicted (client, fields) VALUES (?, ?)"
            " ON CONFLICT (client) DO UPDATE SET fields = excluded.fields",
            (client, count),
        )
    else:
        conn.execute("DELETE FROM repl_conflicted WHERE client = ?", (client,))
