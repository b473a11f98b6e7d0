"""One API for every layer to record events.

Each entry stores the SHA-256 of its own content and of the entry before it, starting
from a genesis value bound to the vault id, and the Ed25519 signature of that hash by the
person who recorded it (their login and key serial beside it). Editing, deleting,
inserting or reordering entries breaks the chain at the first place touched; rewriting
the chain from there on breaks the signatures of every later entry not the rewriter's
own. :mod:`crmdesk.audit.verify` checks both and says what remains.

The vault keeps the chain's head outside the database too (in ``vault.json``, and
printed reports carry it), so that dropping the newest entries shows unless the head
outside was changed to match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol


class Signer(Protocol):
    """Who records an entry: their login, key serial, and their signing key."""

    login: str
    serial: int

    def sign(self, message: bytes) -> bytes: ...


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
    # With signatures checked: how many entries were signed, and how many were written
    # unsigned before the vault's upgrade; None when only the chain was checked.
    signed: int | None = None
    unsigned: int | None = None
    # The first signed entry (with signatures checked), for a checkpoint to resume from.
    first_signed: int | None = None
    # Signatures were checked only after this entry: a checkpoint vouched for those before
    # it (:mod:`crmdesk.audit.checkpoint`); None when every signature was checked.
    checkpoint_seq: int | None = None
    # False when entries up to ``checkpoint_seq`` were not rehashed either: only that
    # entry's hash was compared with the checkpoint's.
    rehashed: bool = True


_COLUMNS = "seq, ts, actor, action, object, details, prev_hash, hash"


def genesis_hash(vault_id: str) -> str:
    """The "previous hash" of the first entry; ties a chain to one vault."""
    return hashlib.sha256(f"crmdesk audit genesis:{vault_id}".encode()).hexdigest()


# Made once: json.dumps with options builds a new encoder at every call, and ``record``
# runs inside every audited transaction.
_ENTRY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DETAILS_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
)


def _entry_hash(
    seq: int, ts: str, actor: str, action: str, obj: str, details: str, prev_hash: str
) -> str:
    canonical = _ENTRY_ENCODER.encode([seq, ts, actor, action, obj, details, prev_hash])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_hash(
    seq: int, ts: str, actor: str, action: str, obj: str, details: str, prev_hash: str
) -> str:
    """An entry's hash from its stored columns (for a copy of another vault's trail)."""
    return _entry_hash(seq, ts, actor, action, obj, details, prev_hash)


def canonical_details(details: Mapping[str, Any] | None) -> str:
    """Details as the trail stores and hashes them: sorted keys, no spaces, UTF-8."""
    return _DETAILS_ENCODER.encode(dict(details or {}))


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
    signer: Signer | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it describes,
    so that the change and its record commit together or not at all."""
    if not conn.in_transaction:
        raise RuntimeError("audit events are recorded inside the transaction they describe")
    last = head(conn)
    seq = last[0] + 1 if last else 1
    prev = last[1] if last else genesis_hash(vault_id)
    ts = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    text = canonical_details(details)
    digest = _entry_hash(seq, ts, actor, action, object, text, prev)
    if signer is None:
        conn.execute(
            f"INSERT INTO audit_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, ts, actor, action, object, text, prev, digest),
        )
    else:
        conn.execute(
            f"INSERT INTO audit_events ({_COLUMNS}, signer, key_serial, sig)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                ts,
                actor,
                action,
                object,
                text,
                prev,
                digest,
                signer.login,
                signer.serial,
                signer.sign(bytes.fromhex(digest)),
            ),
        )
    return AuditEvent(seq, ts, actor, action, object, text, prev, digest)
