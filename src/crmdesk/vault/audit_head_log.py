"""``audit-head.log``: the audit head after views, appended beside vault.json.

Every view of a client (and every search) records an audit entry, and the head outside
the database must follow it, or removing the newest views would not show. Rewriting
vault.json for each (a new file, two fsyncs, a rename) cost most of a view; so a commit
that only records what someone looked at appends its head to this file instead, and
vault.json gets the head at every other commit and when a vault closes
(:mod:`.audit_head` decides which).

The file is a sequence of fixed-size records, each one head: a magic, the entry's number
(8 bytes, big-endian) and hash (32 bytes), and a check (BLAKE2b of the vault id and the
record) so that a record damaged, half-written or copied from another vault is told from
a true one. Records are 64 bytes, so none straddles a disk sector. The newest head is
the last record; they only ever grow. Once it has
:data:`COMPACT_AFTER` records, the file is replaced by one holding its last record
(vault.json having been given that head first), so it stays small.

It is written under the metadata lock (:func:`crmdesk.vault.locks.metadata_lock`), like
vault.json, so that several processes append in turn and a reader never sees half a
record. Appends are not fsynced: the entry they name is already on disk (SQLite's commit
is, with ``synchronous = FULL``), and a power cut that loses the newest records leaves
the head behind the trail, which verification accepts, as after a crash between a commit
and its head. vault.json, written with fsyncs at every other commit and at close, bounds
how far behind.

vault.json says when a vault has this file (``audit_head_log``): from then on a missing,
truncated or damaged file is reported by verification, never taken for "no head".
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from crmdesk.files import write_private

LOG_NAME = "audit-head.log"
# What vault.json's ``audit_head_log`` says: the version of this file's record format.
LOG_FORMAT = 1
MAGIC = b"CAH1"
RECORD_SIZE = 64
_BODY = struct.Struct(">4sQ32s")  # magic, seq, hash
_CHECK_SIZE = RECORD_SIZE - _BODY.size
COMPACT_AFTER = 1024  # records: 64 KiB
_HASH = re.compile(r"^[0-9a-f]{64}$")

Head = tuple[int, str]


class HeadLogDamaged(Exception):
    """The file is there but is not whole records of this vault: ``why`` says how."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def log_path(folder: Path) -> Path:
    return folder / LOG_NAME


def fits(head: Head) -> bool:
    """Whether a head can be kept here (every entry's hash is a SHA-256 in hex)."""
    return head[0] >= 1 and bool(_HASH.match(head[1]))


def encode(vault_id: str, head: Head) -> bytes:
    body = _BODY.pack(MAGIC, head[0], bytes.fromhex(head[1]))
    return body + _check(vault_id, body)


def _check(vault_id: str, body: bytes) -> bytes:
    return hashlib.blake2b(vault_id.encode() + body, digest_size=_CHECK_SIZE).digest()


def _decode(vault_id: str, record: bytes, number: int) -> Head:
    body, check = record[: _BODY.size], record[_BODY.size :]
    magic, seq, digest = _BODY.unpack(body)
    if magic != MAGIC or check != _check(vault_id, body) or seq < 1:
        raise HeadLogDamaged(f"its record {number} is damaged or from another vault")
    return seq, digest.hex()


@dataclass(frozen=True, slots=True)
class LogState:
    """What the file holds: its newest head, and how many records."""

    head: Head
    records: int


def read_last(fd: int, vault_id: str) -> LogState:
    """The newest record of an open file (what a writer checks before it appends)."""
    size = os.fstat(fd).st_size
    if size == 0 or size % RECORD_SIZE:
        raise HeadLogDamaged(f"it is {size} bytes long, not whole records")
    records = size // RECORD_SIZE
    os.lseek(fd, size - RECORD_SIZE, os.SEEK_SET)  # appends still go to the end
    record = os.read(fd, RECORD_SIZE)
    if len(record) != RECORD_SIZE:
        raise HeadLogDamaged("it changed while it was read")
    return LogState(_decode(vault_id, record, records), records)


def read_all(path: Path, vault_id: str) -> LogState:
    """Every record checked, each newer than the one before (for verification); raises
    :class:`FileNotFoundError` when there is no file."""
    data = path.read_bytes()
    if not data or len(data) % RECORD_SIZE:
        raise HeadLogDamaged(f"it is {len(data)} bytes long, not whole records")
    previous = 0
    head: Head = (0, "")
    for n in range(len(data) // RECORD_SIZE):
        head = _decode(vault_id, data[n * RECORD_SIZE : (n + 1) * RECORD_SIZE], n + 1)
        if head[0] <= previous:
            raise HeadLogDamaged(f"its record {n + 1} is older than the one before it")
        previous = head[0]
    return LogState(head, len(data) // RECORD_SIZE)


def open_for_append(path: Path) -> int | None:
    """The file open for appending; None when there is none."""
    try:
        return os.open(path, os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None


def append(fd: int, vault_id: str, head: Head) -> None:
    record = encode(vault_id, head)
    if os.write(fd, record) != RECORD_SIZE:
        raise OSError("the audit head log took only part of a record")


def start(path: Path, vault_id: str, head: Head) -> None:
    """Make (or replace) the file with one record, atomically and on disk (a new file,
    and compaction)."""
    write_private(path, encode(vault_id, head))
