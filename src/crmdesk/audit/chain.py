"""One API for every layer to record events, and the check that none was altered.

Each entry stores the SHA-256 of its own content and of the entry before it, starting
from a genesis value bound to the vault id. Editing, deleting, inserting or reordering
entries breaks the chain at the first place touched, and ``verify`` names it.

Limits, said plainly: anyone holding the vault key can rewrite the whole chain from the
altered entry onwards, and can drop the newest entries. The vault keeps the chain's head
outside the database too (in ``vault.json``, and printed reports carry it); ``verify``
compares the chain with that recorded head, so dropping the newest entries shows unless
the head outside was changed to match. Nothing inside one file can close that gap.
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


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of :func:`verify`: ``ok`` or the first bad entry and what is wrong."""

    ok: bool
    length: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""
    # The head recorded outside the database that the chain was compared with, if any.
    recorded_seq: int | None = None


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


def verify(
    conn: Connection, vault_id: str, *, recorded_head: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the whole chain; report the first entry that does not check out.

    With ``recorded_head`` (the newest entry's number and hash as recorded outside the
    database, in vault.json), the chain must also reach that entry, and that entry must
    have that hash: otherwise its newest entries were removed, or it was rewritten. A
    chain longer than the recorded head is fine (newer entries whose head was not
    recorded yet). Read the recorded head *before* calling this, so that it can only be
    older than what the walk sees.
    """
    report, found = _walk(conn, vault_id, recorded_head[0] if recorded_head else None)
    if recorded_head is None or not report.ok:
        return report
    return _compare_with_recorded(report, found, *recorded_head)


def _walk(
    conn: Connection, vault_id: str, remember_seq: int | None
) -> tuple[ChainReport, str | None]:
    """The chain walk, and the hash of entry ``remember_seq`` if the chain has it."""
    expected_seq = 1
    prev = genesis_hash(vault_id)
    remembered: str | None = None
    # One statement: one consistent snapshot of the table, whatever other writers do.
    for row in conn.execute(f"SELECT {_COLUMNS} FROM audit_events ORDER BY seq"):
        event = AuditEvent(*row)
        if event.seq != expected_seq:
            return _bad_walk(
                expected_seq - 1,
                prev,
                event.seq,
                f"entry {expected_seq} is missing: the entry after {expected_seq - 1} "
                f"is numbered {event.seq} (entries were deleted or renumbered)",
            )
        if event.prev_hash != prev:
            return _bad_walk(
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
            return _bad_walk(
                expected_seq - 1,
                prev,
                event.seq,
                f"entry {event.seq} was changed after it was written (its content no "
                "longer matches its hash)",
            )
        prev = event.hash
        if event.seq == remember_seq:
            remembered = event.hash
        expected_seq += 1
    return ChainReport(ok=True, length=expected_seq - 1, head=prev), remembered


def _compare_with_recorded(
    report: ChainReport, found: str | None, seq: int, digest: str
) -> ChainReport:
    length = report.length
    if length < seq:
        ends = f"ends at entry {length}" if length else "is empty"
        return ChainReport(
            ok=False,
            length=length,
            head=report.head,
            first_bad_seq=length + 1,
            problem=(
                f"the newest entries of the audit trail were removed: vault.json records "
                f"entry {seq} but the trail {ends} (or the database was restored from "
                "an older backup without its vault.json)"
            ),
            recorded_seq=seq,
        )
    if found != digest:
        return ChainReport(
            ok=False,
            length=length,
            head=report.head,
            first_bad_seq=seq,
            problem=(
                f"entry {seq} of the audit trail is not the one vault.json records (its "
                f"hash differs): the trail was rewritten up to entry {seq} or earlier, or "
                "the database was replaced by another copy"
            ),
            recorded_seq=seq,
        )
    return ChainReport(ok=True, length=length, head=report.head, recorded_seq=seq)


def _bad(length: int, head_hash: str, seq: int, problem: str) -> ChainReport:
    return ChainReport(ok=False, length=length, head=head_hash, first_bad_seq=seq, problem=problem)


def _bad_walk(
    length: int, head_hash: str, seq: int, problem: str
) -> tuple[ChainReport, str | None]:
    return _bad(length, head_hash, seq, problem), None
