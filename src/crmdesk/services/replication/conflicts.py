"""Clients › Conflicts: the versions of a field that lost without their writers knowing,
and a person settling each one.

Every device lists the same conflicts once it holds the same changes (the merge rules
decide them). Settling writes the chosen version as a new change that names every
version it settles, so the conflict ends on every device as that change arrives, and the
client shows the chosen value everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.replication.changes import ROW, Change
from crmdesk.domain.replication.merge import Conflict
from crmdesk.domain.replication.records import CLIENT, client_of
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput, NotFound
from crmdesk.services import client_store as store
from crmdesk.services.access import require
from crmdesk.services.user_session import Session

from . import ledger, state
from .apply import Applied, rebuild_client
from .capture import capture, replica_of


@dataclass(frozen=True, slots=True)
class Version:
    value: Any
    device: str
    login: str  # whose device made it ("" when this device does not know)
    at: str  # UTC, from the change's clock
    stamp: str  # what :func:`settle` is given to choose it


@dataclass(frozen=True, slots=True)
class FieldConflict:
    client_id: int
    client_name: str
    table: str  # client, contact, purchase...
    record: str  # the record's row id
    record_label: str  # e.g. the contact's name ("" for the client itself)
    column: str  # the field ("*" when a deletion met edits)
    kept: Version  # what every device shows now
    lost: tuple[Version, ...]

    @property
    def is_deletion(self) -> bool:
        return self.column == ROW


def list_conflicts(session: Session) -> list[FieldConflict]:
    """Every conflict this person may see (value-added fields only with the book)."""
    require(session, Permission.VIEW_BASIC, what="conflicts")
    vault = session.vault
    found: list[FieldConflict] = []
    with vault.reading() as conn:
        logins = {d.device: d.login for d in state.devices(vault).values()}
        for (uid,) in conn.execute("SELECT client FROM repl_conflicted ORDER BY client"):
            client_id, name = store.local_client(conn, uid) or (0, "")
            replica = replica_of(vault, uid)
            for conflict in replica.conflicts():
                if client_of(conflict.row) != uid:
                    continue
                found.append(_shown(conflict, client_id, name, replica, logins))
    return found


def settle(session: Session, client_id: int, record: str, column: str, choose: str) -> None:
    """Settle one conflict with the version whose stamp is ``choose`` (the kept one or a
    lost one); a conflict of a deletion is settled by keeping the deletion."""
    require(session, Permission.EDIT_BASIC, what=f"client:{client_id}")
    vault = session.vault
    office = state.require_office(vault)
    now = dt.datetime.now(dt.UTC)
    with vault.transaction() as conn:
        row = conn.execute(
            "SELECT uid, book_id FROM repl_clients WHERE client_id = ?", (client_id,)
        ).fetchone()
        uid = row[0] if row else None
        if uid is None and record != "" and "/" not in record:
            uid = record  # a deleted client: its record id is its uid
        if uid is None:
            raise NotFound(f"Client {client_id} has no conflicts.", code="sync.no_conflict")
        clock = state.clock(vault, office.device)
        capture(vault, clock)
        replica = replica_of(vault, uid)
        conflict = _find(replica.conflicts(), record, column)
        versions = {conflict.kept.stamp.encode(): conflict.kept} | {
            c.stamp.encode(): c for c in conflict.lost
        }
        chosen = versions.get(choose)
        if chosen is None:
            raise BadInput(
                "That version is not one of the conflict's. Reload the conflicts and choose again.",
                code="sync.no_such_version",
            )
        settled = tuple(sorted(versions_stamp for versions_stamp in _stamps(conflict)))
        table = conflict.table
        if column == ROW:
            life = replica.life(table, record)
            change = Change(table, record, ROW, None, life, clock.tick(), None, settled)
            replica.apply(change)
        else:
            change = replica.write(clock, table, record, column, chosen.value, resolves=settled)
        book = str(row[1]) if row else ""
        ledger.keep(vault, [change], book)
        ledger.queue(vault, [change], book)
        rebuild_client(vault, uid, replica, Applied(), now, now.date())
        state.save_clock(vault, clock)
        vault.record_event(
            session.actor,
            "sync.conflict_settled",
            object=f"client:{client_id}" if client_id else f"client uid {uid}",
            details={"table": table, "field": column, "chosen": choose},
        )


def _stamps(conflict: Conflict) -> list[Any]:
    return [conflict.kept.stamp, *(c.stamp for c in conflict.lost)]


def _find(conflicts: list[Conflict], record: str, column: str) -> Conflict:
    for conflict in conflicts:
        if (conflict.row, conflict.column) == (record, column):
            return conflict
    raise NotFound(
        "That conflict was settled already (here or on another device).",
        code="sync.no_conflict",
    )


_LABELS = ("name", "product", "topic", "item", "need", "title", "date", "kind")


def _shown(
    conflict: Conflict, client_id: int, name: str, replica: Any, logins: dict[str, str]
) -> FieldConflict:
    label = ""
    if conflict.table != CLIENT:
        fields = replica.record(conflict.table, conflict.row) or {}
        label = next((str(fields[k]) for k in _LABELS if fields.get(k)), "")
    return FieldConflict(
        client_id,
        name,
        conflict.table,
        conflict.row,
        label,
        conflict.column,
        _version(conflict.kept, logins),
        tuple(_version(c, logins) for c in conflict.lost),
    )


def _version(change: Change, logins: dict[str, str]) -> Version:
    at = dt.datetime.fromtimestamp(change.stamp.wall_ms / 1000, dt.UTC)
    return Version(
        None if change.is_life else change.value,
        change.stamp.device,
        logins.get(change.stamp.device, ""),
        at.isoformat(timespec="seconds"),
        change.stamp.encode(),
    )
