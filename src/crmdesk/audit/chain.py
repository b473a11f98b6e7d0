"""One API for every layer to record events, and the check that none was altered.

Each entry stores the SHA-256 of its own content and of the entry before it, starting
from a genesis value bound to the vault id. Editing, deleting, inserting or reordering
entries breaks the chain at the first place touched, and ``verify`` names it.

Limits, said plainly: anyone holding the vault key can rewrite the whole chain from the
altered entry onwards, and can drop the newest entries. Keeping the chain's head outside
the database (in the metadata and on printed reports) narrows that; nothing inside one
file can close it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol


class Connection(Protocol):
    """The slice of a DB-API connection this module needs."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    ts: str
    actor: str
    action: str
    object: str
    details: str
    prev_hash: str
    hash: str

    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details)


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of :func:`verify`: ``ok`` or the first bad entry and what is wrong."""

    ok: bool
    length: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""


_COLUMNS = "seq, ts, actor, action, object, details, prev_hash, hash"


def genesis_hash(vault_id: str) -> str:
    """The "previous hash" of the first entry; ties a chain to one vault."""
    return hashlib.sha256(f"crmdesk audit genesis:{vault_id}".encode()).hexdigest()


def _entry_hash(
    seq: int, ts: str, actor: str, action: str, obj: str, details: str, prev_hash: str
) -> str:
    canonical = json.dumps(
        [seq, ts, actor, action, obj, details, prev_hash], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _canonical_details(details: Mapping[str, Any] | None) -> str:
    return json.dumps(
        dict(details or {}), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def head(conn: Connection) -> tuple[int, str] | None:
    """The newest entry's sequence number and hash, or None for an empty trail."""
    row = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else None


def record(
    conn: Connection,
    vault_id: str,
    *,
    actor: str,
    action: str,
    object: str = "",  # noqa: A002 - the audit vocabulary's own word
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it describes,
    so that the change and its record commit together or not at all."""
    if not conn.in_transaction:
        raise RuntimeError("audit events are recorded inside the transaction they describe")
    last = head(conn)
    seq = last[0] + 1 if last else 1
    prev = last[1] if last else genesis_hash(vault_id)
    ts = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    text = _canonical_details(details)
    digest = _entry_hash(seq, ts, actor, action, object, text, prev)
    conn.execute(
        f"INSERT INTO audit_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, ts, actor, action, object, text, prev, digest),
    )
    return AuditEvent(seq, ts, actor, action, object, text, prev, digest)


def events(conn: Connection, *, after_seq: int = 0, limit: int | None = None) -> list[AuditEvent]:
    """Entries in chain order."""
    sql = f"SELECT {_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq"
    params: tuple[int, ...] = (after_seq,)
    if limit is not None:
        sql += " LIMIT ?"
        params += (limit,)
    return [AuditEvent(*row) for row in conn.execute(sql, params)]


def verify(conn: Connection, vault_id: str) -> ChainReport:
    """Walk the whole chain; report the first entry that does not check out."""
    expected_seq = 1
    prev = genesis_hash(vault_id)
    for row in conn.execute(f"SELECT {_COLUMNS} FROM audit_events ORDER BY seq"):
        event = AuditEvent(*row)
        if event.seq != expected_seq:
            return _bad(
                expected_seq - 1,
                prev,
                event.seq,
                f"entry {expected_seq} is missing: the entry after {expected_seq - 1} "
                f"is numbered {event.seq} (entries were deleted or renumbered)",
            )
        if event.prev_hash != prev:
            return _bad(
                expected_seq - 1,
                prev,
                event.seq,
                f"entry {event.seq} does not follow the entry before it (an entry was "
                "removed, inserted, reordered or rewritten just before it)",
            )
        recomputed = _entry_hash(
            event.seq,
            event.ts,
            event.actor,
            event.action,
            event.object,
            event.details,
            event.prev_hash,
        )
        if recomputed != event.hash:
            return _bad(
                expected_seq - 1,
                prev,
                event.seq,
                f"entry {event.seq} was changed after it was written (its content no "
                "longer matches its hash)",
            )
        prev = event.hash
        expected_seq += 1
    return ChainReport(ok=True, length=expected_seq - 1, head=prev)


def _bad(length: int, head_hash: str, seq: int, problem: str) -> ChainReport:
    return ChainReport(ok=False, length=length, head=head_hash, first_bad_seq=seq, problem=problem)
