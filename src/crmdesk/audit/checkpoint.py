"""Checkpoints of the audit trail: "entries 1 to N were verified, and entry N's hash was H",
signed by the person whose walk verified them, so that later walks need not check those
signatures again.

Why a later walk may trust one, and what exactly it trusts:

* A checkpoint is signed with a person's Ed25519 signing key over its whole content and
  the vault id (:func:`message`). Someone holding only the database key cannot make one:
  every row they could write without a trusted signing key fails its signature, and a
  checkpoint of another vault fails on the vault id. A walk only accepts checkpoints
  signed by keys it trusts for that (the services choose: the verifying person's own, and
  the owner's, who vouches for every key anyway), and ignores every other row: deleting
  checkpoints, or writing bad ones, only makes the next walk check more signatures.
* Entry N's hash binds every entry up to N (each hash covers the one before it). A walk
  that recomputes the hash chain from the first entry and arrives at entry N with hash H
  has therefore read exactly the entries that were verified, signatures included: checking
  their signatures again would prove nothing more. If it arrives with another hash, the
  trail was rewritten up to N after the checkpoint, which the walk reports.
* What a checkpoint does *not* cover: a key the vault vouched for at the time and no
  longer would (there is no revocation of old signatures: keys are only ever added), and a
  walk that skips the rehash (:data:`Start` without rehash, for backups and reports): that
  one trusts that entries up to N were not edited since the checkpoint, and sees only
  whether entry N still has hash H. ``audit verify`` always rehashes; ``--full`` also
  checks every signature again, checkpoints or not.

This module knows the form (the table ``audit_checkpoints``, the signed message, how to
pick the newest trustworthy one); which keys to trust is the services' choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from crmdesk.audit.chain import Connection, Signer

# Checked newest first: a walk stops looking after this many rows whose signature does not
# check out, so that a flood of bad rows cannot make it slow (it then checks every
# signature, which is always sound).
MAX_TRIED = 32
_KEEP_PER_SIGNER = 3


class PublicKey(Protocol):
    def verify(self, message: bytes, signature: bytes) -> bool: ...


# (login, serial) -> the key trusted to sign checkpoints, or None.
CheckpointKeys = Callable[[str, int], PublicKey | None]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Entries 1..``seq`` verified, every signature included; entry ``seq`` had ``hash``."""

    seq: int
    hash: str
    signed: int  # of those entries, how many were signed
    unsigned: int  # and how many written unsigned before the vault's upgrade
    first_signed: int | None
    made_at: str  # UTC, ISO
    signer: str
    key_serial: int


def message(vault_id: str, cp: Checkpoint) -> bytes:
    """What a checkpoint's signature covers: everything in it, and the vault."""
    first = "" if cp.first_signed is None else str(cp.first_signed)
    return (
        f"crmdesk-audit-checkpoint-v1\n{vault_id}\n{cp.seq}\n{cp.hash}\n{cp.signed}\n"
        f"{cp.unsigned}\n{first}\n{cp.made_at}\n{cp.signer}\n{cp.key_serial}\n"
    ).encode()


def has_table(conn: Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_checkpoints'"
    ).fetchone()
    return row is not None


def newest_trusted(conn: Connection, vault_id: str, keys: CheckpointKeys) -> Checkpoint | None:
    """The checkpoint of the highest entry whose signature checks out under ``keys``."""
    if not has_table(conn):
        return None
    rows = conn.execute(
        "SELECT seq, hash, signed, unsigned, first_signed, made_at, signer, key_serial, sig"
        " FROM audit_checkpoints ORDER BY seq DESC, rowid DESC LIMIT ?",
        (MAX_TRIED,),
    ).fetchall()
    for row in rows:
        found = _checked(row, vault_id, keys)
        if found is not None:
            return found
    return None


def _checked(row: tuple[Any, ...], vault_id: str, keys: CheckpointKeys) -> Checkpoint | None:
    seq, digest, signed, unsigned, first, made_at, signer, serial, sig = row
    if not all(isinstance(v, int) for v in (seq, signed, unsigned, serial)):
        return None
    if not (isinstance(digest, str) and isinstance(signer, str) and isinstance(sig, bytes)):
        return None
    cp = Checkpoint(seq, digest, signed, unsigned, first, str(made_at), signer, serial)
    key = keys(signer, serial)
    if key is None or not key.verify(message(vault_id, cp), sig):
        return None
    return cp


def record(
    conn: Connection,
    vault_id: str,
    signer: Signer,
    *,
    seq: int,
    digest: str,
    signed: int,
    unsigned: int,
    first_signed: int | None,
    now: datetime | None = None,
) -> Checkpoint:
    """Write a checkpoint signed by ``signer`` (inside a transaction), keeping only their
    newest few."""
    made_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    cp = Checkpoint(
        seq, digest, signed, unsigned, first_signed, made_at, signer.login, signer.serial
    )
    conn.execute(
        "INSERT INTO audit_checkpoints (seq, hash, signed, unsigned, first_signed, made_at,"
        " signer, key_serial, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cp.seq,
            cp.hash,
            cp.signed,
            cp.unsigned,
            cp.first_signed,
            cp.made_at,
            cp.signer,
            cp.key_serial,
            signer.sign(message(vault_id, cp)),
        ),
    )
    conn.execute(
        "DELETE FROM audit_checkpoints WHERE signer = ? AND rowid NOT IN (SELECT rowid FROM"
        " audit_checkpoints WHERE signer = ? ORDER BY seq DESC, rowid DESC LIMIT ?)",
        (cp.signer, cp.signer, _KEEP_PER_SIGNER),
    )
    return cp
